#include "mm/heap.h"

#include <stdbool.h>

#include "arch/io.h"
#include "lib/string.h"
#include "mm/pmm.h"

#define HEAP_ALIGN 16u
#define HEAP_ARENA_PAGES 256u      /* 1 MiB per arena */
#define HEAP_MAGIC_USED 0x55534544u
#define HEAP_MAGIC_FREE 0x46524545u

/* Every block starts with this header; free blocks are also on the free list. */
struct block {
    uint32_t magic;
    uint32_t size;          /* payload bytes */
    struct block *next_free;
    struct block *next;     /* physical neighbour in the same arena, for coalescing */
};

static struct block *free_list;
static struct heap_stats stats;

static size_t round_up(size_t value, size_t align) { return (value + align - 1) & ~(align - 1); }

static bool heap_grow(size_t at_least) {
    size_t bytes = round_up(at_least + sizeof(struct block), PAGE_SIZE);
    uint32_t pages = (uint32_t)(bytes / PAGE_SIZE);
    if (pages < HEAP_ARENA_PAGES) pages = HEAP_ARENA_PAGES;
    struct block *arena = pmm_alloc_pages(pages);
    if (!arena) return false;
    arena->magic = HEAP_MAGIC_FREE;
    arena->size = pages * PAGE_SIZE - sizeof(struct block);
    arena->next = 0;
    arena->next_free = free_list;
    free_list = arena;
    stats.arena_bytes += pages * PAGE_SIZE;
    return true;
}

void heap_init(void) { heap_grow(0); }

static void *heap_take(struct block **link, struct block *block, size_t size) {
    size_t remainder = block->size - size;
    if (remainder > sizeof(struct block) + HEAP_ALIGN) {
        struct block *rest = (struct block *)((uint8_t *)(block + 1) + size);
        rest->magic = HEAP_MAGIC_FREE;
        rest->size = (uint32_t)(remainder - sizeof(struct block));
        rest->next = block->next;
        rest->next_free = block->next_free;
        block->next = rest;
        block->size = (uint32_t)size;
        *link = rest;
    } else {
        *link = block->next_free;
    }
    block->magic = HEAP_MAGIC_USED;
    block->next_free = 0;
    stats.used_bytes += block->size;
    stats.allocations++;
    return block + 1;
}

void *kmalloc(size_t size) {
    if (size == 0 || size > 0x40000000u) return 0;
    size = round_up(size, HEAP_ALIGN);
    uint32_t flags = irq_save();
    void *result = 0;
    for (int attempt = 0; attempt < 2 && !result; attempt++) {
        for (struct block **link = &free_list; *link; link = &(*link)->next_free) {
            if ((*link)->size >= size) {
                result = heap_take(link, *link, size);
                break;
            }
        }
        if (!result && !heap_grow(size)) break;
    }
    irq_restore(flags);
    return result;
}

void *kzalloc(size_t size) {
    void *p = kmalloc(size);
    if (p) memset(p, 0, size);
    return p;
}

/* Merges `block` with following free neighbours, unlinking them from the free list. */
static void heap_coalesce(struct block *block) {
    while (block->next && block->next->magic == HEAP_MAGIC_FREE) {
        struct block *neighbour = block->next;
        for (struct block **link = &free_list; *link; link = &(*link)->next_free) {
            if (*link == neighbour) {
                *link = neighbour->next_free;
                break;
            }
        }
        block->size += (uint32_t)sizeof(struct block) + neighbour->size;
        block->next = neighbour->next;
    }
}

void kfree(void *pointer) {
    if (!pointer) return;
    struct block *block = (struct block *)pointer - 1;
    if (block->magic != HEAP_MAGIC_USED) return; /* double free or wild pointer: ignore, never corrupt */
    uint32_t flags = irq_save();
    stats.used_bytes -= block->size;
    stats.allocations--;
    block->magic = HEAP_MAGIC_FREE;
    heap_coalesce(block);
    block->next_free = free_list;
    free_list = block;
    irq_restore(flags);
}

struct heap_stats heap_stats(void) { return stats; }
