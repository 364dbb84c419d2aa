#include "mm/pmm.h"

#include <stdbool.h>

#include "arch/io.h"
#include "lib/string.h"

#define ADDRESS_SPACE_PAGES (1u << 20)   /* 4 GiB / 4 KiB */
#define BITS_PER_WORD 32u
#define LOW_MEMORY_LIMIT 0x100000u       /* BIOS data, multiboot info, VGA, ROMs: never handed out */
#define ADDRESS_SPACE_END 0x100000000ull

extern uint8_t kernel_image_end[];

static uint32_t used_bitmap[ADDRESS_SPACE_PAGES / BITS_PER_WORD];
static struct pmm_info info_state;
static uint32_t search_hint;

static bool page_used(uint32_t page) { return used_bitmap[page / BITS_PER_WORD] & (1u << (page % BITS_PER_WORD)); }
static void page_mark_used(uint32_t page) { used_bitmap[page / BITS_PER_WORD] |= 1u << (page % BITS_PER_WORD); }
static void page_mark_free(uint32_t page) { used_bitmap[page / BITS_PER_WORD] &= ~(1u << (page % BITS_PER_WORD)); }

static void pmm_add_region(uint64_t base, uint64_t length, uint32_t first_free_page) {
    if (info_state.region_count < PMM_MAX_REGIONS) {
        info_state.regions[info_state.region_count].base = base;
        info_state.regions[info_state.region_count].length = length;
        info_state.region_count++;
    }
    info_state.total_bytes += length;
    uint64_t end = base + length;
    if (end > ADDRESS_SPACE_END) end = ADDRESS_SPACE_END;
    uint64_t first = (base + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t last = end / PAGE_SIZE;
    for (uint64_t page = first; page < last; page++) {
        info_state.total_pages++;
        if (page < first_free_page) continue;
        page_mark_free((uint32_t)page);
        info_state.free_pages++;
    }
}

int pmm_init(const struct multiboot_info *info) {
    memset(used_bitmap, 0xFF, sizeof(used_bitmap));
    if (!(info->flags & MULTIBOOT_INFO_MEM_MAP) || info->mmap_length == 0) return -1;
    uint32_t image_end = (uint32_t)(uintptr_t)kernel_image_end;
    uint32_t first_free_page = (image_end + PAGE_SIZE - 1) / PAGE_SIZE;
    if (first_free_page < LOW_MEMORY_LIMIT / PAGE_SIZE) first_free_page = LOW_MEMORY_LIMIT / PAGE_SIZE;
    uint32_t offset = 0;
    while (offset + sizeof(uint32_t) <= info->mmap_length) {
        const struct multiboot_mmap_entry *entry =
            (const struct multiboot_mmap_entry *)(uintptr_t)(info->mmap_addr + offset);
        if (entry->type == MULTIBOOT_MEMORY_AVAILABLE && entry->length > 0)
            pmm_add_region(entry->base, entry->length, first_free_page);
        offset += entry->size + sizeof(entry->size);
    }
    search_hint = first_free_page;
    return info_state.free_pages > 0 ? 0 : -1;
}

void *pmm_alloc_pages(uint32_t count) {
    if (count == 0) return 0;
    uint32_t flags = irq_save();
    uint32_t run = 0;
    for (uint32_t page = search_hint; page < ADDRESS_SPACE_PAGES; page++) {
        run = page_used(page) ? 0 : run + 1;
        if (run == count) {
            uint32_t first = page + 1 - count;
            for (uint32_t p = first; p <= page; p++) page_mark_used(p);
            info_state.free_pages -= count;
            irq_restore(flags);
            return (void *)(uintptr_t)(first * PAGE_SIZE);
        }
    }
    irq_restore(flags);
    return 0;
}

void pmm_free_pages(void *address, uint32_t count) {
    uint32_t flags = irq_save();
    uint32_t first = (uint32_t)(uintptr_t)address / PAGE_SIZE;
    for (uint32_t p = first; p < first + count && p < ADDRESS_SPACE_PAGES; p++) {
        if (!page_used(p)) continue;
        page_mark_free(p);
        info_state.free_pages++;
    }
    irq_restore(flags);
}

const struct pmm_info *pmm_info(void) { return &info_state; }
