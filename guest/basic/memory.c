/* The one allocator of an interpreter instance, after Lua's per-state allocator hook:
 * every byte a BASIC program makes the interpreter hold is counted against its budget
 * here, so ?OUT OF MEMORY is one program's problem, never the kernel's. Blocks come from
 * the kernel heap (or the C library in the host build) with a small header that records
 * their size, which is what makes the accounting exact. Strings live here too: immutable,
 * reference-counted, so PRINT A$ or B$ = A$ copy no characters. */
#include "basic/internal.h"

#include "lib/string.h"

#ifdef XP10_HOSTED
#include <stdlib.h>
#define raw_alloc malloc
#define raw_free free
#else
#include "mm/heap.h"
#define raw_alloc kmalloc
#define raw_free kfree
#endif

struct block_header {
    uint32_t size;
    uint32_t magic;
    uint64_t align; /* keeps the payload 16-byte aligned for doubles */
};

#define BLOCK_MAGIC 0xBA51C0DEu

static uint32_t live_blocks;

uint32_t basic_live_blocks(void) { return live_blocks; }

void *bas_alloc(struct basic *b, size_t size) {
    size_t total = size + sizeof(struct block_header);
    if (size == 0 || size > b->memory.budget || b->memory.used + total > b->memory.budget) {
        bas_fail(b, BAS_ERR_OUT_OF_MEMORY);
        return 0;
    }
    struct block_header *h = raw_alloc(total);
    if (!h) {
        bas_fail(b, BAS_ERR_OUT_OF_MEMORY);
        return 0;
    }
    h->size = (uint32_t)size;
    h->magic = BLOCK_MAGIC;
    b->memory.used += (uint32_t)total;
    b->memory.blocks++;
    if (b->memory.used > b->memory.peak) b->memory.peak = b->memory.used;
    live_blocks++;
    return h + 1;
}

void *bas_zalloc(struct basic *b, size_t size) {
    void *p = bas_alloc(b, size);
    if (p) memset(p, 0, size);
    return p;
}

void bas_free(struct basic *b, void *pointer) {
    if (!pointer) return;
    struct block_header *h = (struct block_header *)pointer - 1;
    if (h->magic != BLOCK_MAGIC) return;
    h->magic = 0;
    b->memory.used -= h->size + (uint32_t)sizeof(struct block_header);
    b->memory.blocks--;
    live_blocks--;
    raw_free(h);
}

void *bas_realloc(struct basic *b, void *pointer, size_t old_size, size_t new_size) {
    void *p = bas_alloc(b, new_size);
    if (!p) return 0;
    if (pointer) memcpy(p, pointer, old_size < new_size ? old_size : new_size);
    bas_free(b, pointer);
    return p;
}

struct bas_string *bas_string_new(struct basic *b, const char *chars, size_t length) {
    if (length == 0) return 0;
    if (length > BAS_STRING_MAX) {
        bas_fail(b, BAS_ERR_STRING_TOO_LONG);
        return 0;
    }
    struct bas_string *s = bas_alloc(b, sizeof(*s) + length + 1);
    if (!s) return 0;
    s->refs = 1;
    s->length = (uint32_t)length;
    if (chars) memcpy(s->chars, chars, length);
    s->chars[length] = '\0';
    return s;
}

void bas_string_release(struct basic *b, struct bas_string *s) {
    if (s && --s->refs == 0) bas_free(b, s);
}

void bas_value_release(struct basic *b, struct bas_value *v) {
    if (v->type == BAS_STRING) bas_string_release(b, v->string);
    v->type = BAS_NUMBER;
    v->number = 0;
}

/* The instance is the first block of its own budget, and the last one given back. */
struct basic *bas_instance_new(uint32_t budget) {
    size_t total = sizeof(struct basic) + sizeof(struct block_header);
    if (total > budget) return 0;
    struct block_header *h = raw_alloc(total);
    if (!h) return 0;
    h->size = sizeof(struct basic);
    h->magic = BLOCK_MAGIC;
    live_blocks++;
    struct basic *b = (struct basic *)(h + 1);
    memset(b, 0, sizeof(*b));
    b->memory.budget = budget;
    b->memory.used = b->memory.peak = (uint32_t)total;
    b->memory.blocks = 1;
    return b;
}

void bas_instance_free(struct basic *b) {
    struct block_header *h = (struct block_header *)b - 1;
    h->magic = 0;
    live_blocks--;
    raw_free(h);
}
