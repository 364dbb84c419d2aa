/* Reads `machine=N` from the multiboot command line (see bootargs.h). The line lives in memory
 * the loader owns, so it is read once at boot, before the page allocator hands memory out. */
#include "kernel/bootargs.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/version.h"
#include "lib/format.h"

#define CMDLINE_SCAN_MAX 256u
#define MACHINE_KEY "machine="
#define MACHINE_NAME_MAX 16u

static unsigned machine = BOOT_MACHINE_MIN;
static bool named;
static char machine_name[MACHINE_NAME_MAX] = XP10_NAME;

static bool starts_with(const char *text, const char *prefix) {
    while (*prefix)
        if (*text++ != *prefix++) return false;
    return true;
}

void bootargs_init(const struct multiboot_info *info) {
    if (!(info->flags & MULTIBOOT_INFO_CMDLINE) || !info->cmdline) return;
    const char *line = (const char *)(uintptr_t)info->cmdline;
    for (unsigned i = 0; i < CMDLINE_SCAN_MAX && line[i]; i++) {
        if ((i > 0 && line[i - 1] != ' ') || !starts_with(line + i, MACHINE_KEY)) continue;
        const char *digit = line + i + sizeof(MACHINE_KEY) - 1;
        unsigned n = (unsigned)(*digit - '0');
        bool alone = digit[1] == '\0' || digit[1] == ' ';
        if (*digit >= '0' && *digit <= '9' && alone && n >= BOOT_MACHINE_MIN && n <= BOOT_MACHINE_MAX) machine = n, named = true;
    }
    if (machine != BOOT_MACHINE_MIN) format_to_buffer(machine_name, sizeof(machine_name), "%s-%u", XP10_NAME, machine);
}

bool boot_machine_named(void) { return named; }

unsigned boot_machine_number(void) { return machine; }

const char *boot_machine_name(void) { return machine_name; }
