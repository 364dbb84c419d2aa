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
    VGA_CRTC_INDEX = 0x3D4,
    VGA_CRTC_DATA = 0x3D5,
    VGA_CRTC_CURSOR_HIGH = 0x0E,
    VGA_CRTC_CURSOR_LOW = 0x0F,
};

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
    for (unsigned i = 0; i < VGA_ROWS * VGA_COLUMNS; i++) screen[i] = VGA_ATTRIBUTE | ' ';
    row = column = 0;
    vga_update_cursor();
}

void vga_init(void) { vga_clear(); }

static void vga_newline(void) {
    column = 0;
    if (++row == VGA_ROWS) vga_scroll();
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
    screen[row * VGA_COLUMNS + column] = VGA_ATTRIBUTE | (uint8_t)c;
    if (++column == VGA_COLUMNS) vga_newline();
}

void vga_putc(char c) {
    vga_put_raw(c);
    vga_update_cursor();
}

void vga_write(const char *text, size_t length) {
    for (size_t i = 0; i < length; i++) vga_put_raw(text[i]);
    vga_update_cursor();
}
