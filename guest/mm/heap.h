/* Kernel heap: first-fit free list over arenas taken from the page allocator. */
#ifndef XP10_MM_HEAP_H
#define XP10_MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_stats {
    uint32_t arena_bytes;
    uint32_t used_bytes;
    uint32_t allocations;
};

void heap_init(void);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *pointer);
struct heap_stats heap_stats(void);

#endif
