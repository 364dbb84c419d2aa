#include "kernel/console.h"

#include <stdarg.h>

#include "drivers/keyboard.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "lib/format.h"
#include "lib/string.h"

/* Terminals want CR LF; the kernel writes LF. */
static void com2_write(const char *text, size_t length) {
    static const uint8_t crlf[2] = { '\r', '\n' };
    size_t start = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] != '\n') continue;
        serial_write(&com2, (const uint8_t *)text + start, i - start);
        serial_write(&com2, crlf, sizeof(crlf));
        start = i + 1;
    }
    serial_write(&com2, (const uint8_t *)text + start, length - start);
}

static void com2_write_bytes(const uint8_t *data, size_t length) { serial_write(&com2, data, length); }
static int com2_read_char(void) { return serial_read_byte(&com2); }
static void com2_wait_input(uint32_t timeout_ms) { serial_wait_readable(&com2, timeout_ms); }
static bool com2_carrier(void) { return com2.carrier; }
static uint32_t com2_carrier_generation(void) { return com2.carrier_generation; }

struct console console_com2 = {
    .name = "COM2",
    .write = com2_write,
    .write_bytes = com2_write_bytes,
    .read_char = com2_read_char,
    .wait_input = com2_wait_input,
    .carrier = com2_carrier,
    .carrier_generation = com2_carrier_generation,
    .local = false,
};

struct console console_vga = {
    .name = "VGA",
    .write = vga_write,
    .write_bytes = 0,
    .read_char = keyboard_read_char,
    .wait_input = keyboard_wait_readable,
    .carrier = 0,
    .carrier_generation = 0,
    .local = true,
};

void console_write(struct console *console, const char *text) { console->write(text, strlen(text)); }

static void console_sink(void *context, const char *text, size_t length) {
    struct console *console = context;
    console->write(text, length);
}

void console_printf(struct console *console, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    format_v(console_sink, console, fmt, args);
    va_end(args);
}

static void klog_sink(void *context, const char *text, size_t length) {
    (void)context;
    console_vga.write(text, length);
    console_com2.write(text, length);
}

void klog(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    format_v(klog_sink, 0, fmt, args);
    va_end(args);
}
