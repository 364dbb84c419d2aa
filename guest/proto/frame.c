#include "proto/frame.h"

#include <stdbool.h>

#include "lib/string.h"
#include "proto/crc16.h"

#define VERSION_SHIFT 4u
#define FLAGS_MASK 0x0Fu

size_t proto_frame_content(const struct proto_frame *frame, uint8_t *out, size_t capacity) {
    size_t total = PROTO_HEADER_SIZE + (size_t)frame->length + PROTO_CRC_SIZE;
    if (frame->length > PROTO_MAX_PAYLOAD || total > capacity) return 0;
    out[0] = (uint8_t)((PROTO_VERSION << VERSION_SHIFT) | (frame->flags & FLAGS_MASK));
    out[1] = frame->opcode;
    out[2] = (uint8_t)(frame->seq >> 8);
    out[3] = (uint8_t)(frame->seq & 0xFF);
    out[4] = frame->channel;
    out[5] = frame->fragment;
    out[6] = (uint8_t)(frame->length >> 8);
    out[7] = (uint8_t)(frame->length & 0xFF);
    if (frame->length) memcpy(out + PROTO_HEADER_SIZE, frame->payload, frame->length);
    uint16_t crc = proto_crc16(out, PROTO_HEADER_SIZE + frame->length);
    out[PROTO_HEADER_SIZE + frame->length] = (uint8_t)(crc >> 8);
    out[PROTO_HEADER_SIZE + frame->length + 1] = (uint8_t)(crc & 0xFF);
    return total;
}

size_t proto_frame_wrap(const uint8_t *content, size_t length, uint8_t *out, size_t capacity) {
    size_t n = 0;
    if (capacity < 2) return 0;
    out[n++] = PROTO_FLAG_BYTE;
    for (size_t i = 0; i < length; i++) {
        uint8_t byte = content[i];
        bool special = byte == PROTO_FLAG_BYTE || byte == PROTO_ESCAPE_BYTE;
        if (n + (special ? 2 : 1) + 1 > capacity) return 0;
        if (special) {
            out[n++] = PROTO_ESCAPE_BYTE;
            out[n++] = (uint8_t)(byte ^ PROTO_ESCAPE_XOR);
        } else {
            out[n++] = byte;
        }
    }
    out[n++] = PROTO_FLAG_BYTE;
    return n;
}

size_t proto_frame_encode(const struct proto_frame *frame, uint8_t *out, size_t capacity) {
    uint8_t content[PROTO_MAX_CONTENT];
    size_t length = proto_frame_content(frame, content, sizeof(content));
    if (length == 0) return 0;
    return proto_frame_wrap(content, length, out, capacity);
}
