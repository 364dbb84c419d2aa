/* Single-producer single-consumer byte ring: an IRQ handler fills it, a task drains it
 * (or the reverse), so neither side needs a lock. Capacity must be a power of two. */
#ifndef XP10_LIB_RINGBUF_H
#define XP10_LIB_RINGBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ringbuf {
    uint8_t *data;
    uint32_t mask;
    volatile uint32_t head; /* next write */
    volatile uint32_t tail; /* next read */
    uint32_t dropped;       /* bytes lost because the ring was full */
};

static inline void ringbuf_init(struct ringbuf *rb, uint8_t *storage, uint32_t capacity) {
    rb->data = storage;
    rb->mask = capacity - 1;
    rb->head = rb->tail = 0;
    rb->dropped = 0;
}

static inline uint32_t ringbuf_used(const struct ringbuf *rb) { return rb->head - rb->tail; }
static inline bool ringbuf_empty(const struct ringbuf *rb) { return rb->head == rb->tail; }
static inline bool ringbuf_full(const struct ringbuf *rb) { return ringbuf_used(rb) > rb->mask; }

static inline bool ringbuf_put(struct ringbuf *rb, uint8_t byte) {
    if (ringbuf_full(rb)) {
        rb->dropped++;
        return false;
    }
    rb->data[rb->head & rb->mask] = byte;
    __asm__ volatile("" ::: "memory");
    rb->head++;
    return true;
}

static inline int ringbuf_get(struct ringbuf *rb) {
    if (ringbuf_empty(rb)) return -1;
    uint8_t byte = rb->data[rb->tail & rb->mask];
    __asm__ volatile("" ::: "memory");
    rb->tail++;
    return byte;
}

#endif
