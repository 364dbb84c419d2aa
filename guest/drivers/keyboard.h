/* PS/2 keyboard on IRQ 1: scancode set 1 translated to ASCII into a ring buffer. */
#ifndef XP10_DRIVERS_KEYBOARD_H
#define XP10_DRIVERS_KEYBOARD_H

#include <stdint.h>

/* The wait channel tasks block on for keyboard input. */
extern uint8_t keyboard_channel;

void keyboard_init(void);
/* Next typed character, or -1 when none is buffered. Never blocks. */
int keyboard_read_char(void);
void keyboard_wait_readable(uint32_t timeout_ms);

#endif
