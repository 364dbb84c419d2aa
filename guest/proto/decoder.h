/* Push-style frame decoder: feed it any chunks of the byte stream; it calls back once per
 * valid frame and once per rejected one. Never fails on input, uses one fixed buffer,
 * and resynchronises at the next flag byte. */
#ifndef XP10_PROTO_DECODER_H
#define XP10_PROTO_DECODER_H

#include <stdbool.h>

#include "proto/proto.h"

enum proto_decode_error {
    PROTO_DECODE_BAD_CRC,
    PROTO_DECODE_TOO_SHORT,
    PROTO_DECODE_TOO_LONG,
    PROTO_DECODE_BAD_ESCAPE,
    PROTO_DECODE_BAD_VERSION,
    PROTO_DECODE_LENGTH_MISMATCH,
    PROTO_DECODE_ERROR_COUNT,
};

struct proto_decoder_stats {
    uint32_t bytes;
    uint32_t frames;
    uint32_t bytes_discarded; /* wire bytes that did not end up in a valid frame, flags excluded */
    uint32_t errors[PROTO_DECODE_ERROR_COUNT];
};

typedef void (*proto_frame_cb)(void *context, const struct proto_frame *frame);
typedef void (*proto_error_cb)(void *context, enum proto_decode_error error);

struct proto_decoder {
    enum { DECODER_HUNT, DECODER_FRAME, DECODER_ESCAPE, DECODER_DISCARD } state;
    uint32_t length;
    uint32_t wire_bytes; /* wire bytes of the frame in progress, for bytes_discarded */
    uint8_t buffer[PROTO_MAX_CONTENT];
    proto_frame_cb on_frame;
    proto_error_cb on_error;
    void *context;
    struct proto_decoder_stats stats;
};

void proto_decoder_init(struct proto_decoder *decoder, proto_frame_cb on_frame, proto_error_cb on_error,
                        void *context);
void proto_decoder_push(struct proto_decoder *decoder, const uint8_t *data, size_t length);
const char *proto_decode_error_name(enum proto_decode_error error);

#endif
