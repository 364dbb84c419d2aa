#include "drivers/pic.h"

#include <stdint.h>

#include "arch/io.h"

enum {
    PIC_MASTER_COMMAND = 0x20,
    PIC_MASTER_DATA = 0x21,
    PIC_SLAVE_COMMAND = 0xA0,
    PIC_SLAVE_DATA = 0xA1,

    ICW1_ICW4_NEEDED = 0x01,
    ICW1_INIT = 0x10,
    ICW4_8086_MODE = 0x01,
    ICW3_MASTER_HAS_SLAVE_ON_IRQ2 = 0x04,
    ICW3_SLAVE_CASCADE_IDENTITY = 0x02,

    OCW2_END_OF_INTERRUPT = 0x20,
    OCW3_READ_ISR = 0x0B,

    PIC_IRQS_PER_CHIP = 8,
    PIC_CASCADE_IRQ = 2,
    PIC_SPURIOUS_LINE = 7,
    PIC_ALL_MASKED = 0xFF,
};

void pic_init(unsigned master_vector, unsigned slave_vector) {
    outb(PIC_MASTER_COMMAND, ICW1_INIT | ICW1_ICW4_NEEDED);
    io_wait();
    outb(PIC_SLAVE_COMMAND, ICW1_INIT | ICW1_ICW4_NEEDED);
    io_wait();
    outb(PIC_MASTER_DATA, (uint8_t)master_vector);
    io_wait();
    outb(PIC_SLAVE_DATA, (uint8_t)slave_vector);
    io_wait();
    outb(PIC_MASTER_DATA, ICW3_MASTER_HAS_SLAVE_ON_IRQ2);
    io_wait();
    outb(PIC_SLAVE_DATA, ICW3_SLAVE_CASCADE_IDENTITY);
    io_wait();
    outb(PIC_MASTER_DATA, ICW4_8086_MODE);
    io_wait();
    outb(PIC_SLAVE_DATA, ICW4_8086_MODE);
    io_wait();
    outb(PIC_MASTER_DATA, PIC_ALL_MASKED);
    outb(PIC_SLAVE_DATA, PIC_ALL_MASKED);
    pic_unmask(PIC_CASCADE_IRQ);
}

static uint16_t pic_data_port(unsigned irq) {
    return irq < PIC_IRQS_PER_CHIP ? PIC_MASTER_DATA : PIC_SLAVE_DATA;
}

void pic_unmask(unsigned irq) {
    uint16_t port = pic_data_port(irq);
    outb(port, inb(port) & (uint8_t)~(1u << (irq % PIC_IRQS_PER_CHIP)));
}

void pic_mask(unsigned irq) {
    uint16_t port = pic_data_port(irq);
    outb(port, inb(port) | (uint8_t)(1u << (irq % PIC_IRQS_PER_CHIP)));
}

void pic_send_eoi(unsigned irq) {
    if (irq >= PIC_IRQS_PER_CHIP) outb(PIC_SLAVE_COMMAND, OCW2_END_OF_INTERRUPT);
    outb(PIC_MASTER_COMMAND, OCW2_END_OF_INTERRUPT);
}

/* IRQ 7/15 may fire without a real request; the in-service register tells. */
bool pic_is_spurious(unsigned irq) {
    if (irq % PIC_IRQS_PER_CHIP != PIC_SPURIOUS_LINE) return false;
    uint16_t command = irq < PIC_IRQS_PER_CHIP ? PIC_MASTER_COMMAND : PIC_SLAVE_COMMAND;
    outb(command, OCW3_READ_ISR);
    if (inb(command) & (1u << PIC_SPURIOUS_LINE)) return false;
    if (irq >= PIC_IRQS_PER_CHIP) outb(PIC_MASTER_COMMAND, OCW2_END_OF_INTERRUPT);
    return true;
}
