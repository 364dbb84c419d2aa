/* Fatal errors: print what the CPU knew (a register dump) on the screen and COM2, then halt. */
#ifndef XP10_KERNEL_PANIC_H
#define XP10_KERNEL_PANIC_H

#include "arch/idt.h"

void panic(const char *message) __attribute__((noreturn));
void panic_exception(const struct regs *frame) __attribute__((noreturn));

#endif
