/* 8259A programmable interrupt controller pair, remapped above the CPU exceptions. */
#ifndef XP10_DRIVERS_PIC_H
#define XP10_DRIVERS_PIC_H

#include <stdbool.h>

void pic_init(unsigned master_vector, unsigned slave_vector);
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
void pic_send_eoi(unsigned irq);
bool pic_is_spurious(unsigned irq);

#endif
