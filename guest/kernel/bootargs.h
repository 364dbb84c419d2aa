/* The kernel command line the loader passes (multiboot `cmdline`): which machine of a cube of
 * XP10s this is. `konomi start --guests N` boots machine i with "machine=i"; machine i answers
 * `ATDT i` on the bridge and hosts vertex i-1 of cube 1 (machine 1 hosts NEU, as a lone XP10
 * always did). */
#ifndef XP10_KERNEL_BOOTARGS_H
#define XP10_KERNEL_BOOTARGS_H

#include <stdbool.h>

#include "mm/multiboot.h"

#define BOOT_MACHINE_MIN 1u
#define BOOT_MACHINE_MAX 9u

void bootargs_init(const struct multiboot_info *info);
/* True when the command line named the machine (it is one of a cube of XP10s). */
bool boot_machine_named(void);
/* 1..9; 1 when the command line names no machine (or a bad one). */
unsigned boot_machine_number(void);
/* "XP10" for machine 1, "XP10-N" for the others: the name XP10 gives in HELLO. */
const char *boot_machine_name(void);

#endif
