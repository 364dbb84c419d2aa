/* A text console: where a shell reads keys and writes text. XP10 has two, the COM2
 * line (a terminal dialled in through the modem) and the VGA screen with the keyboard. */
#ifndef XP10_KERNEL_CONSOLE_H
#define XP10_KERNEL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console {
    const char *name;
    void (*write)(const char *text, size_t length);
    /* Bytes exactly as given (file transfers); NULL on a console that is no line (VGA). */
    void (*write_bytes)(const uint8_t *data, size_t length);
    int (*read_char)(void);                   /* -1 when nothing is buffered */
    void (*wait_input)(uint32_t timeout_ms);  /* blocks until input, a modem change or timeout */
    bool (*carrier)(void);                    /* NULL when the console has no modem line */
    uint32_t (*carrier_generation)(void);     /* bumped on every carrier edge */
    bool local;                               /* at the machine itself, not a dial-in line */
};

extern struct console console_com2;
extern struct console console_vga;

void console_write(struct console *console, const char *text);
void console_printf(struct console *console, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Kernel log: boot messages and panics go to both the VGA screen and COM2. */
void klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
