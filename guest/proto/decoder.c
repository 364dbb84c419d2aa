#include "proto/decoder.h"

#include "lib/string.h"
#include "proto/crc16.h"

#define VERSION_SHIFT 4u
#define FLAGS_MASK 0x0Fu

void proto_decoder_init(struct proto_decoder *decoder, proto_frame_cb on_frame, proto_error_cb on_error,
                        void *context) {
    memset(decoder, 0, sizeof(*decoder));
    decoder->state = DECODER_HUNT;
    decoder->on_frame = on_frame;
    decoder->on_error = on_error;
    decoder->context = context;
}

const char *proto_decode_error_name(enum proto_decode_error error) {
    static const char *const names[PROTO_DECODE_ERROR_COUNT] = {
        "BAD_CRC", "TOO_SHORT", "TOO_LONG", "BAD_ESCAPE", "BAD_VERSION", "LENGTH_MISMATCH",
    };
    return error < PROTO_DECODE_ERROR_COUNT ? names[error] : "UNKNOWN";
}

static void decoder_fail(struct proto_decoder *d, enum proto_decode_error error) {
    d->stats.errors[error]++;
    d->stats.bytes_discarded += d->wire_bytes;
    d->wire_bytes = 0;
    if (d->on_error) d->on_error(d->context, error);
}

static void decoder_finish(struct proto_decoder *d) {
    uint32_t n = d->length;
    const uint8_t *c = d->buffer;
    if (n == 0) return; /* back-to-back flags: idle fill, not an error */
    if (n < PROTO_MIN_CONTENT) {
        decoder_fail(d, PROTO_DECODE_TOO_SHORT);
        return;
    }
    uint16_t crc = (uint16_t)((c[n - 2] << 8) | c[n - 1]);
    if (proto_crc16(c, n - PROTO_CRC_SIZE) != crc) {
        decoder_fail(d, PROTO_DECODE_BAD_CRC);
        return;
    }
    if ((c[0] >> VERSION_SHIFT) != PROTO_VERSION) {
        decoder_fail(d, PROTO_DECODE_BAD_VERSION);
        return;
    }
    uint16_t length = (uint16_t)((c[6] << 8) | c[7]);
    if ((uint32_t)length + PROTO_MIN_CONTENT != n) {
        decoder_fail(d, PROTO_DECODE_LENGTH_MISMATCH);
        return;
    }
    struct proto_frame frame = {
        .flags = c[0] & FLAGS_MASK,
        .opcode = c[1],
        .seq = (uint16_t)((c[2] << 8) | c[3]),
        .channel = c[4],
        .fragment = c[5],
        .payload = c + PROTO_HEADER_SIZE,
        .length = length,
    };
    d->stats.frames++;
    if (d->on_frame) d->on_frame(d->context, &frame);
}

static void decoder_store(struct proto_decoder *d, uint8_t byte) {
    if (d->length >= PROTO_MAX_CONTENT) {
        decoder_fail(d, PROTO_DECODE_TOO_LONG);
        d->state = DECODER_DISCARD;
        return;
    }
    d->buffer[d->length++] = byte;
}

void proto_decoder_push(struct proto_decoder *d, const uint8_t *data, size_t length) {
    d->stats.bytes += (uint32_t)length;
    for (size_t i = 0; i < length; i++) {
        uint8_t byte = data[i];
        if (byte == PROTO_FLAG_BYTE) {
            if (d->state == DECODER_FRAME) decoder_finish(d);
            else if (d->state == DECODER_ESCAPE) decoder_fail(d, PROTO_DECODE_BAD_ESCAPE);
            d->state = DECODER_FRAME;
            d->length = 0;
            d->wire_bytes = 0;
            continue;
        }
        switch (d->state) {
        case DECODER_HUNT:
        case DECODER_DISCARD: d->stats.bytes_discarded++; break;
        case DECODER_FRAME:
            d->wire_bytes++;
            if (byte == PROTO_ESCAPE_BYTE) d->state = DECODER_ESCAPE;
            else decoder_store(d, byte);
            break;
        case DECODER_ESCAPE: {
            d->wire_bytes++;
            uint8_t original = (uint8_t)(byte ^ PROTO_ESCAPE_XOR);
            if (original != PROTO_FLAG_BYTE && original != PROTO_ESCAPE_BYTE) {
                decoder_fail(d, PROTO_DECODE_BAD_ESCAPE);
                d->state = DECODER_DISCARD;
                break;
            }
            d->state = DECODER_FRAME;
            decoder_store(d, original);
            break;
        }
        }
    }
}
