/* x87 FPU setup: floats appear in protocol payloads (f32 tensors, f64 values and kappa). */
#ifndef XP10_KERNEL_FPU_H
#define XP10_KERNEL_FPU_H

void fpu_init(void);

#endif
