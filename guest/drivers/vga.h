/* VGA text mode console, 80x25 at 0xB8000, with hardware cursor and scrolling. */
#ifndef XP10_DRIVERS_VGA_H
#define XP10_DRIVERS_VGA_H

#include <stddef.h>

void vga_init(void);
void vga_clear(void);
void vga_putc(char c);
void vga_write(const char *text, size_t length);

#endif
