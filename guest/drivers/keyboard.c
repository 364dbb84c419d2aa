#include "drivers/keyboard.h"

#include <stdbool.h>

#include "arch/idt.h"
#include "arch/io.h"
#include "drivers/pic.h"
#include "kernel/task.h"
#include "lib/ringbuf.h"

enum {
    PS2_DATA = 0x60,
    PS2_STATUS = 0x64,                /* read */
    PS2_COMMAND = 0x64,               /* write: commands to the 8042 controller */
    PS2_STATUS_OUTPUT_FULL = 0x01,
    PS2_STATUS_INPUT_FULL = 0x02,
    PS2_READ_CONFIG = 0x20,
    PS2_WRITE_CONFIG = 0x60,
    PS2_CONFIG_KEYBOARD_IRQ = 0x01,
    PS2_CONFIG_TRANSLATION = 0x40,    /* the controller hands us scancode set 1 */
    KEYBOARD_ENABLE_SCANNING = 0xF4,  /* a BIOS sends this at power-on; XP10 has no BIOS */
    PS2_POLL_LIMIT = 100000,
    KEYBOARD_IRQ = 1,

    SCANCODE_RELEASE = 0x80,
    SCANCODE_EXTENDED = 0xE0,
    SCANCODE_LEFT_SHIFT = 0x2A,
    SCANCODE_RIGHT_SHIFT = 0x36,
    SCANCODE_CTRL = 0x1D,
    SCANCODE_TABLE_SIZE = 0x3A,
    /* after SCANCODE_EXTENDED */
    SCANCODE_HOME = 0x47,
    SCANCODE_UP = 0x48,
    SCANCODE_LEFT = 0x4B,
    SCANCODE_RIGHT = 0x4D,
    SCANCODE_END = 0x4F,
    SCANCODE_DOWN = 0x50,
    SCANCODE_DELETE = 0x53,

    ASCII_CONTROL_MASK = 0x1F,
};

#define KEYBOARD_RING_SIZE 256

uint8_t keyboard_channel;

static uint8_t ring_storage[KEYBOARD_RING_SIZE];
static struct ringbuf ring;
static bool shift_down, ctrl_down, extended;

/* US layout, scancode set 1, index = make code. */
static const char keymap[SCANCODE_TABLE_SIZE] = {
    0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b',
    '\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n',
    0, 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
    0, '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0,
    '*', 0, ' ',
};

static const char keymap_shift[SCANCODE_TABLE_SIZE] = {
    0, 27, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b',
    '\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n',
    0, 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
    0, '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0,
    '*', 0, ' ',
};

/* The cursor keys (E0-prefixed in set 1) become the VT100/ANSI sequences a terminal sends,
 * so the shell's line editor reads the keyboard and COM2 the same way. */
static void keyboard_put_key_sequence(uint8_t code) {
    static const struct {
        uint8_t code;
        const char *sequence;
    } keys[] = {
        { SCANCODE_UP, "\x1b[A" },   { SCANCODE_DOWN, "\x1b[B" }, { SCANCODE_RIGHT, "\x1b[C" },
        { SCANCODE_LEFT, "\x1b[D" }, { SCANCODE_HOME, "\x1b[H" }, { SCANCODE_END, "\x1b[F" },
        { SCANCODE_DELETE, "\x1b[3~" },
    };
    for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (keys[i].code != code) continue;
        for (const char *p = keys[i].sequence; *p; p++) ringbuf_put(&ring, (uint8_t)*p);
        sched_wake(&keyboard_channel);
        return;
    }
}

static void keyboard_handle_scancode(uint8_t scancode) {
    if (scancode == SCANCODE_EXTENDED) {
        extended = true;
        return;
    }
    bool released = (scancode & SCANCODE_RELEASE) != 0;
    uint8_t code = scancode & (uint8_t)~SCANCODE_RELEASE;
    bool was_extended = extended;
    extended = false;
    if (code == SCANCODE_LEFT_SHIFT || code == SCANCODE_RIGHT_SHIFT) {
        shift_down = !released;
        return;
    }
    if (code == SCANCODE_CTRL) {
        ctrl_down = !released;
        return;
    }
    if (released) return;
    if (was_extended) {
        keyboard_put_key_sequence(code);
        return;
    }
    if (code >= SCANCODE_TABLE_SIZE) return;
    char c = shift_down ? keymap_shift[code] : keymap[code];
    if (c == 0) return;
    if (ctrl_down && c >= 'a' && c <= 'z') c = (char)(c & ASCII_CONTROL_MASK);
    ringbuf_put(&ring, (uint8_t)c);
    sched_wake(&keyboard_channel);
}

static void keyboard_irq(struct regs *frame) {
    (void)frame;
    while (inb(PS2_STATUS) & PS2_STATUS_OUTPUT_FULL) keyboard_handle_scancode(inb(PS2_DATA));
}

/* Bounded waits: a missing controller must not hang the boot. */
static bool ps2_wait_writable(void) {
    for (int i = 0; i < PS2_POLL_LIMIT; i++)
        if (!(inb(PS2_STATUS) & PS2_STATUS_INPUT_FULL)) return true;
    return false;
}

static bool ps2_wait_readable(void) {
    for (int i = 0; i < PS2_POLL_LIMIT; i++)
        if (inb(PS2_STATUS) & PS2_STATUS_OUTPUT_FULL) return true;
    return false;
}

static void ps2_flush(void) {
    while (inb(PS2_STATUS) & PS2_STATUS_OUTPUT_FULL) (void)inb(PS2_DATA);
}

static void ps2_enable_keyboard(void) {
    ps2_flush();
    if (!ps2_wait_writable()) return;
    outb(PS2_COMMAND, PS2_READ_CONFIG);
    uint8_t config = ps2_wait_readable() ? inb(PS2_DATA) : 0;
    config |= PS2_CONFIG_KEYBOARD_IRQ | PS2_CONFIG_TRANSLATION;
    if (!ps2_wait_writable()) return;
    outb(PS2_COMMAND, PS2_WRITE_CONFIG);
    if (!ps2_wait_writable()) return;
    outb(PS2_DATA, config);
    if (!ps2_wait_writable()) return;
    outb(PS2_DATA, KEYBOARD_ENABLE_SCANNING);
    if (ps2_wait_readable()) (void)inb(PS2_DATA); /* the keyboard's ACK */
    ps2_flush();
}

void keyboard_init(void) {
    ringbuf_init(&ring, ring_storage, KEYBOARD_RING_SIZE);
    ps2_enable_keyboard();
    irq_register(KEYBOARD_IRQ, keyboard_irq);
    pic_unmask(KEYBOARD_IRQ);
}

int keyboard_read_char(void) {
    uint32_t flags = irq_save();
    int c = ringbuf_get(&ring);
    irq_restore(flags);
    return c;
}

void keyboard_wait_readable(uint32_t timeout_ms) {
    uint32_t flags = irq_save();
    if (ringbuf_empty(&ring)) sched_block_on(&keyboard_channel, timeout_ms);
    irq_restore(flags);
}
