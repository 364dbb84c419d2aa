/* Bounded big-endian readers and writers for payload fields. A writer that runs out of
 * room, or a reader that runs past the end, sets its error flag and stops moving. */
#ifndef XP10_PROTO_WIRE_H
#define XP10_PROTO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wire_writer {
    uint8_t *data;
    size_t capacity;
    size_t length;
    bool overflow;
};

struct wire_reader {
    const uint8_t *data;
    size_t length;
    size_t offset;
    bool error;
};

void wire_writer_init(struct wire_writer *w, uint8_t *data, size_t capacity);
void wire_put_u8(struct wire_writer *w, uint8_t value);
void wire_put_u16(struct wire_writer *w, uint16_t value);
void wire_put_u32(struct wire_writer *w, uint32_t value);
void wire_put_u64(struct wire_writer *w, uint64_t value);
void wire_put_f32(struct wire_writer *w, float value);
void wire_put_f64(struct wire_writer *w, double value);
void wire_put_bytes(struct wire_writer *w, const void *bytes, size_t length);

void wire_reader_init(struct wire_reader *r, const uint8_t *data, size_t length);
uint8_t wire_get_u8(struct wire_reader *r);
uint16_t wire_get_u16(struct wire_reader *r);
uint32_t wire_get_u32(struct wire_reader *r);
uint64_t wire_get_u64(struct wire_reader *r);
float wire_get_f32(struct wire_reader *r);
double wire_get_f64(struct wire_reader *r);
/* Returns a view of the next `length` bytes, or NULL (and sets error) past the end. */
const uint8_t *wire_get_bytes(struct wire_reader *r, size_t length);
size_t wire_remaining(const struct wire_reader *r);

#endif
