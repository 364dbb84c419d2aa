/* Interrupt descriptor table, CPU exceptions and IRQ handler registration. */
#ifndef XP10_ARCH_IDT_H
#define XP10_ARCH_IDT_H

#include <stdint.h>

/* The frame isr_common builds on the stack, lowest address first. */
struct regs {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_at_pushal, ebx, edx, ecx, eax;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
};

#define IDT_EXCEPTION_COUNT 32
#define IDT_IRQ_BASE 32
#define IDT_IRQ_COUNT 16

typedef void (*irq_handler_t)(struct regs *frame);

void idt_init(void);
void irq_register(unsigned irq, irq_handler_t handler);

#endif
