#include "drivers/vga.h"

#include <stdint.h>

#include "arch/io.h"

#define VGA_TEXT_BUFFER 0xB8000u
#define VGA_COLUMNS 80
#define VGA_ROWS 25
#define VGA_TAB_WIDTH 8

enum {
    VGA_COLOR_LIGHT_GREY = 7,
    VGA_COLOR_BLUE = 1,
    VGA_ATTRIBUTE_PORT = 0x3C0,       /* index and data alternate on one port */
    VGA_MISC_WRITE = 0x3C2,
    VGA_SEQ_INDEX = 0x3C4,
    VGA_SEQ_DATA = 0x3C5,
    VGA_DAC_WRITE_INDEX = 0x3C8,
    VGA_DAC_DATA = 0x3C9,
    VGA_GC_INDEX = 0x3CE,
    VGA_GC_DATA = 0x3CF,
    VGA_CRTC_INDEX = 0x3D4,
    VGA_CRTC_DATA = 0x3D5,
    VGA_INPUT_STATUS_1 = 0x3DA,       /* reading it resets the attribute index/data flip-flop */
    VGA_CRTC_CURSOR_HIGH = 0x0E,
    VGA_CRTC_CURSOR_LOW = 0x0F,
    VGA_CRTC_VERTICAL_RETRACE_END = 0x11,
    VGA_CRTC_UNLOCK = 0x0E,           /* bit 7 clear: registers 0-7 writable */
    VGA_ATTRIBUTE_SHOW_PALETTE = 0x20,
    VGA_DAC_ENTRIES = 64,
    VGA_DAC_TWO_THIRDS = 0x2A,
    VGA_DAC_ONE_THIRD = 0x15,
};

/* Mode 3 (80x25 colour text, memory at 0xB8000), the tables a video BIOS loads at power-on.
 * XP10 boots without a BIOS, so without this the screen has no geometry and a black DAC. */
#define VGA_MISC_OUTPUT_MODE3 0x67
static const uint8_t sequencer_mode3[] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const uint8_t crtc_mode3[] = {
    0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x50,
    0x9C, 0x0E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
};
static const uint8_t graphics_mode3[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF };
static const uint8_t attribute_mode3[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
    0x0C, 0x00, 0x0F, 0x08, 0x00,
};

#define ARRAY_LENGTH(a) (sizeof(a) / sizeof((a)[0]))

/* EGA 64-colour palette: bits 2/1/0 are 2/3 of R/G/B, bits 5/4/3 add 1/3. */
static uint8_t ega_channel(unsigned index, unsigned high_bit, unsigned low_bit) {
    return (uint8_t)(((index >> high_bit) & 1) * VGA_DAC_TWO_THIRDS + ((index >> low_bit) & 1) * VGA_DAC_ONE_THIRD);
}

static void vga_set_mode3(void) {
    outb(VGA_MISC_WRITE, VGA_MISC_OUTPUT_MODE3);
    for (unsigned i = 0; i < ARRAY_LENGTH(sequencer_mode3); i++) {
        outb(VGA_SEQ_INDEX, (uint8_t)i);
        outb(VGA_SEQ_DATA, sequencer_mode3[i]);
    }
    outb(VGA_CRTC_INDEX, VGA_CRTC_VERTICAL_RETRACE_END);
    outb(VGA_CRTC_DATA, VGA_CRTC_UNLOCK);
    for (unsigned i = 0; i < ARRAY_LENGTH(crtc_mode3); i++) {
        outb(VGA_CRTC_INDEX, (uint8_t)i);
        outb(VGA_CRTC_DATA, crtc_mode3[i]);
    }
    for (unsigned i = 0; i < ARRAY_LENGTH(graphics_mode3); i++) {
        outb(VGA_GC_INDEX, (uint8_t)i);
        outb(VGA_GC_DATA, graphics_mode3[i]);
    }
    (void)inb(VGA_INPUT_STATUS_1);
    for (unsigned i = 0; i < ARRAY_LENGTH(attribute_mode3); i++) {
        outb(VGA_ATTRIBUTE_PORT, (uint8_t)i);
        outb(VGA_ATTRIBUTE_PORT, attribute_mode3[i]);
    }
    outb(VGA_ATTRIBUTE_PORT, VGA_ATTRIBUTE_SHOW_PALETTE);
    outb(VGA_DAC_WRITE_INDEX, 0);
    for (unsigned i = 0; i < VGA_DAC_ENTRIES; i++) {
        outb(VGA_DAC_DATA, ega_channel(i, 2, 5));
        outb(VGA_DAC_DATA, ega_channel(i, 1, 4));
        outb(VGA_DAC_DATA, ega_channel(i, 0, 3));
    }
}

/* Grey on blue: the retro console look. */
#define VGA_ATTRIBUTE ((uint16_t)((VGA_COLOR_BLUE << 4) | VGA_COLOR_LIGHT_GREY) << 8)

static volatile uint16_t *const screen = (volatile uint16_t *)VGA_TEXT_BUFFER;
static unsigned row, column;

static void vga_update_cursor(void) {
    uint16_t position = (uint16_t)(row * VGA_COLUMNS + column);
    outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_HIGH);
    outb(VGA_CRTC_DATA, (uint8_t)(position >> 8));
    outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_LOW);
    outb(VGA_CRTC_DATA, (uint8_t)(position & 0xFF));
}

static void vga_scroll(void) {
    for (unsigned i = 0; i < (VGA_ROWS - 1) * VGA_COLUMNS; i++) screen[i] = screen[i + VGA_COLUMNS];
    for (unsigned i = (VGA_ROWS - 1) * VGA_COLUMNS; i < VGA_ROWS * VGA_COLUMNS; i++) screen[i] = VGA_ATTRIBUTE | ' ';
    row = VGA_ROWS - 1;
}

void vga_clear(void) {
    uint32_t flags = irq_save();
    for (unsigned i = 0; i < VGA_ROWS * VGA_COLUMNS; i++) screen[i] = VGA_ATTRIBUTE | ' ';
    row = column = 0;
    vga_update_cursor();
    irq_restore(flags);
}

void vga_init(void) {
    vga_set_mode3();
    vga_clear();
}

static void vga_newline(void) {
    column = 0;
    if (++row >= VGA_ROWS) vga_scroll();
}

static void vga_put_raw(char c) {
    switch (c) {
    case '\n': vga_newline(); return;
    case '\r': column = 0; return;
    case '\b': if (column > 0) column--; return;
    case '\t':
        do vga_put_raw(' ');
        while (column % VGA_TAB_WIDTH != 0);
        return;
    default: break;
    }
    if ((unsigned char)c < ' ') return; /* other control characters (escapes) are not drawn */
    if (row >= VGA_ROWS) vga_scroll();   /* never write past the last row, whatever happened before */
    screen[row * VGA_COLUMNS + column] = VGA_ATTRIBUTE | (uint8_t)c;
    if (++column >= VGA_COLUMNS) vga_newline();
}

/* The shell on the keyboard, a panic and the COM2 echo may all print: with interrupts off a
 * preempted writer cannot leave row/column half-updated for the next one. */
void vga_putc(char c) {
    uint32_t flags = irq_save();
    vga_put_raw(c);
    vga_update_cursor();
    irq_restore(flags);
}

void vga_write(const char *text, size_t length) {
    uint32_t flags = irq_save();
    for (size_t i = 0; i < length; i++) vga_put_raw(text[i]);
    vga_update_cursor();
    irq_restore(flags);
}
