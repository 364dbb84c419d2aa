#include "arch/idt.h"

#include "arch/gdt.h"
#include "arch/io.h"
#include "drivers/pic.h"
#include "kernel/task.h"
#include "kernel/panic.h"

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type_attr;
    uint16_t offset_high;
} __attribute__((packed));

struct idt_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

enum { IDT_PRESENT = 0x80, IDT_RING0 = 0x00, IDT_GATE_INTERRUPT32 = 0x0E };

#define IDT_VECTORS 256
#define IDT_STUBS (IDT_EXCEPTION_COUNT + IDT_IRQ_COUNT)
#define IRQ_TIMER 0u

extern const uint32_t isr_stub_table[IDT_STUBS];

static struct idt_entry idt[IDT_VECTORS];
static struct idt_pointer idt_ptr;
static irq_handler_t irq_handlers[IDT_IRQ_COUNT];

static void idt_set_gate(unsigned vector, uint32_t handler) {
    idt[vector].offset_low = handler & 0xFFFF;
    idt[vector].selector = GDT_KERNEL_CODE;
    idt[vector].zero = 0;
    idt[vector].type_attr = IDT_PRESENT | IDT_RING0 | IDT_GATE_INTERRUPT32;
    idt[vector].offset_high = (handler >> 16) & 0xFFFF;
}

void idt_init(void) {
    for (unsigned v = 0; v < IDT_STUBS; v++) idt_set_gate(v, isr_stub_table[v]);
    idt_ptr.limit = sizeof(idt) - 1;
    idt_ptr.base = (uint32_t)(uintptr_t)idt;
    __asm__ volatile("lidt %0" : : "m"(idt_ptr));
}

void irq_register(unsigned irq, irq_handler_t handler) {
    if (irq < IDT_IRQ_COUNT) irq_handlers[irq] = handler;
}

void isr_dispatch(struct regs *frame);

void isr_dispatch(struct regs *frame) {
    if (frame->vector < IDT_EXCEPTION_COUNT) {
        panic_exception(frame);
        return;
    }
    unsigned irq = frame->vector - IDT_IRQ_BASE;
    if (irq >= IDT_IRQ_COUNT) return;
    if (pic_is_spurious(irq)) return;
    irq_handler_t handler = irq_handlers[irq];
    if (handler) handler(frame);
    pic_send_eoi(irq);
    if (irq == IRQ_TIMER) sched_preempt_if_due();
}
