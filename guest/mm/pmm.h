/* Physical page allocator: one bit per 4 KiB page over the whole 32-bit address space,
 * seeded from the multiboot memory map. Without paging, physical = virtual. */
#ifndef XP10_MM_PMM_H
#define XP10_MM_PMM_H

#include <stddef.h>
#include <stdint.h>

#include "mm/multiboot.h"

#define PAGE_SIZE 4096u
#define PMM_MAX_REGIONS 16

struct pmm_region {
    uint64_t base;
    uint64_t length;
};

struct pmm_info {
    uint64_t total_bytes;       /* usable RAM reported by the memory map */
    uint32_t total_pages;       /* pages managed (usable, below 4 GiB) */
    uint32_t free_pages;
    uint32_t region_count;
    struct pmm_region regions[PMM_MAX_REGIONS];
};

/* Returns 0, or a negative value when there is no usable memory map. */
int pmm_init(const struct multiboot_info *info);
/* `count` physically contiguous pages, or NULL. */
void *pmm_alloc_pages(uint32_t count);
void pmm_free_pages(void *address, uint32_t count);
const struct pmm_info *pmm_info(void);

#endif
