#include "proto/wire.h"

#include "lib/string.h"

#define BYTE_BITS 8u

void wire_writer_init(struct wire_writer *w, uint8_t *data, size_t capacity) {
    w->data = data;
    w->capacity = capacity;
    w->length = 0;
    w->overflow = false;
}

static void wire_put_be(struct wire_writer *w, uint64_t value, unsigned bytes) {
    if (w->overflow || w->capacity - w->length < bytes) {
        w->overflow = true;
        return;
    }
    for (unsigned i = 0; i < bytes; i++) w->data[w->length + i] = (uint8_t)(value >> (BYTE_BITS * (bytes - 1 - i)));
    w->length += bytes;
}

void wire_put_u8(struct wire_writer *w, uint8_t value) { wire_put_be(w, value, 1); }
void wire_put_u16(struct wire_writer *w, uint16_t value) { wire_put_be(w, value, 2); }
void wire_put_u32(struct wire_writer *w, uint32_t value) { wire_put_be(w, value, 4); }
void wire_put_u64(struct wire_writer *w, uint64_t value) { wire_put_be(w, value, 8); }

void wire_put_f32(struct wire_writer *w, float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof(bits));
    wire_put_u32(w, bits);
}

void wire_put_f64(struct wire_writer *w, double value) {
    uint64_t bits;
    memcpy(&bits, &value, sizeof(bits));
    wire_put_u64(w, bits);
}

void wire_put_bytes(struct wire_writer *w, const void *bytes, size_t length) {
    if (w->overflow || w->capacity - w->length < length) {
        w->overflow = true;
        return;
    }
    if (length) memcpy(w->data + w->length, bytes, length);
    w->length += length;
}

void wire_reader_init(struct wire_reader *r, const uint8_t *data, size_t length) {
    r->data = data;
    r->length = length;
    r->offset = 0;
    r->error = false;
}

size_t wire_remaining(const struct wire_reader *r) { return r->error ? 0 : r->length - r->offset; }

static uint64_t wire_get_be(struct wire_reader *r, unsigned bytes) {
    if (r->error || r->length - r->offset < bytes) {
        r->error = true;
        return 0;
    }
    uint64_t value = 0;
    for (unsigned i = 0; i < bytes; i++) value = (value << BYTE_BITS) | r->data[r->offset + i];
    r->offset += bytes;
    return value;
}

uint8_t wire_get_u8(struct wire_reader *r) { return (uint8_t)wire_get_be(r, 1); }
uint16_t wire_get_u16(struct wire_reader *r) { return (uint16_t)wire_get_be(r, 2); }
uint32_t wire_get_u32(struct wire_reader *r) { return (uint32_t)wire_get_be(r, 4); }
uint64_t wire_get_u64(struct wire_reader *r) { return wire_get_be(r, 8); }

float wire_get_f32(struct wire_reader *r) {
    uint32_t bits = wire_get_u32(r);
    float value;
    memcpy(&value, &bits, sizeof(value));
    return value;
}

double wire_get_f64(struct wire_reader *r) {
    uint64_t bits = wire_get_u64(r);
    double value;
    memcpy(&value, &bits, sizeof(value));
    return value;
}

const uint8_t *wire_get_bytes(struct wire_reader *r, size_t length) {
    if (r->error || r->length - r->offset < length) {
        r->error = true;
        return 0;
    }
    const uint8_t *view = r->data + r->offset;
    r->offset += length;
    return view;
}
