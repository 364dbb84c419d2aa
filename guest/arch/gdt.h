/* Flat 4 GiB code and data segments: v86 boots us with selectors but no GDT behind them. */
#ifndef XP10_ARCH_GDT_H
#define XP10_ARCH_GDT_H

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10

void gdt_init(void);

#endif
