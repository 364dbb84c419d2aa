/* 8253/8254 programmable interval timer, channel 0 on IRQ 0: the kernel's clock. */
#ifndef XP10_DRIVERS_PIT_H
#define XP10_DRIVERS_PIT_H

#include <stdint.h>

#define PIT_HZ 100u
#define PIT_MS_PER_TICK (1000u / PIT_HZ)

void pit_init(void);
uint32_t pit_ticks(void);
uint32_t pit_millis(void);

#endif
