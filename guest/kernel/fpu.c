#include "kernel/fpu.h"

#include <stdint.h>

enum {
    CR0_MONITOR_COPROCESSOR = 1u << 1,
    CR0_EMULATION = 1u << 2,
    CR0_TASK_SWITCHED = 1u << 3,
    CR0_NUMERIC_ERROR = 1u << 5,
};

/* A voluntary switch (yield, block) happens at a call boundary, where the calling convention
 * leaves the x87 register stack empty, so it saves nothing. A preemption can interrupt x87
 * arithmetic: sched_preempt_if_due() saves and restores the FPU state around it. */
void fpu_init(void) {
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 &= ~(uint32_t)(CR0_EMULATION | CR0_TASK_SWITCHED);
    cr0 |= CR0_MONITOR_COPROCESSOR | CR0_NUMERIC_ERROR;
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    __asm__ volatile("fninit");
}
