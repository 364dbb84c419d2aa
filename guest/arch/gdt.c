#include "arch/gdt.h"

#include <stdint.h>

struct gdt_entry {
    uint16_t limit_low;
    uint16_t base_low;
    uint8_t base_mid;
    uint8_t access;
    uint8_t flags_limit_high;
    uint8_t base_high;
} __attribute__((packed));

struct gdt_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

enum {
    ACCESS_PRESENT = 0x80,
    ACCESS_RING0 = 0x00,
    ACCESS_CODE_DATA = 0x10,
    ACCESS_EXECUTABLE = 0x08,
    ACCESS_READ_WRITE = 0x02,
    FLAGS_4K_GRANULARITY = 0x80,
    FLAGS_32BIT = 0x40,
    LIMIT_HIGH_MAX = 0x0F,
};

#define GDT_ENTRIES 3

static struct gdt_entry gdt[GDT_ENTRIES];
static struct gdt_pointer gdt_ptr;

static void gdt_set_flat(int index, uint8_t access) {
    gdt[index].limit_low = 0xFFFF;
    gdt[index].base_low = 0;
    gdt[index].base_mid = 0;
    gdt[index].access = access;
    gdt[index].flags_limit_high = FLAGS_4K_GRANULARITY | FLAGS_32BIT | LIMIT_HIGH_MAX;
    gdt[index].base_high = 0;
}

void gdt_init(void) {
    gdt_set_flat(GDT_KERNEL_CODE / 8, ACCESS_PRESENT | ACCESS_RING0 | ACCESS_CODE_DATA | ACCESS_EXECUTABLE | ACCESS_READ_WRITE);
    gdt_set_flat(GDT_KERNEL_DATA / 8, ACCESS_PRESENT | ACCESS_RING0 | ACCESS_CODE_DATA | ACCESS_READ_WRITE);
    gdt_ptr.limit = sizeof(gdt) - 1;
    gdt_ptr.base = (uint32_t)(uintptr_t)gdt;
    __asm__ volatile(
        "lgdt %0\n\t"
        "ljmp %1, $1f\n"
        "1:\n\t"
        "movw %2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%fs\n\t"
        "movw %%ax, %%gs\n\t"
        "movw %%ax, %%ss\n\t"
        :
        : "m"(gdt_ptr), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA)
        : "eax", "memory");
}
