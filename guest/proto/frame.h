/* Frame encoding: header + payload + CRC, escaped and wrapped in flag bytes. */
#ifndef XP10_PROTO_FRAME_H
#define XP10_PROTO_FRAME_H

#include "proto/proto.h"

/* Writes the unescaped content (header, payload, CRC) into `out`; returns its length,
 * or 0 when the payload is too large or `capacity` too small. */
size_t proto_frame_content(const struct proto_frame *frame, uint8_t *out, size_t capacity);
/* Writes the complete wire form (flag, escaped content, flag); returns its length or 0. */
size_t proto_frame_encode(const struct proto_frame *frame, uint8_t *out, size_t capacity);
/* Escapes `content` between flags; returns the wire length or 0 when `capacity` is too small. */
size_t proto_frame_wrap(const uint8_t *content, size_t length, uint8_t *out, size_t capacity);

#endif
