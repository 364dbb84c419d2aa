#include "drivers/pit.h"

#include "arch/idt.h"
#include "arch/io.h"
#include "drivers/pic.h"
#include "kernel/task.h"

enum {
    PIT_CHANNEL0_DATA = 0x40,
    PIT_COMMAND = 0x43,
    PIT_SELECT_CHANNEL0 = 0x00,
    PIT_ACCESS_LOHI = 0x30,
    PIT_MODE_RATE_GENERATOR = 0x04,
    PIT_IRQ = 0,
};

#define PIT_INPUT_HZ 1193182u

static volatile uint32_t ticks;

static void pit_irq(struct regs *frame) {
    (void)frame;
    ticks++;
    sched_timer_tick(ticks);
}

void pit_init(void) {
    uint32_t divisor = PIT_INPUT_HZ / PIT_HZ;
    outb(PIT_COMMAND, PIT_SELECT_CHANNEL0 | PIT_ACCESS_LOHI | PIT_MODE_RATE_GENERATOR);
    outb(PIT_CHANNEL0_DATA, (uint8_t)(divisor & 0xFF));
    outb(PIT_CHANNEL0_DATA, (uint8_t)(divisor >> 8));
    irq_register(PIT_IRQ, pit_irq);
    pic_unmask(PIT_IRQ);
}

uint32_t pit_ticks(void) { return ticks; }

uint32_t pit_millis(void) { return ticks * PIT_MS_PER_TICK; }
