#include "kernel/fpu.h"

#include <stdint.h>

enum {
    CR0_MONITOR_COPROCESSOR = 1u << 1,
    CR0_EMULATION = 1u << 2,
    CR0_TASK_SWITCHED = 1u << 3,
    CR0_NUMERIC_ERROR = 1u << 5,
};

/* Tasks switch cooperatively at call boundaries, where the x87 register stack is empty
 * by the calling convention, so no FPU state needs saving per task. */
void fpu_init(void) {
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 &= ~(uint32_t)(CR0_EMULATION | CR0_TASK_SWITCHED);
    cr0 |= CR0_MONITOR_COPROCESSOR | CR0_NUMERIC_ERROR;
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    __asm__ volatile("fninit");
}
