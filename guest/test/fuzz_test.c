/* Decoder fuzz: random garbage (flags and escapes included) between valid frames; every
 * intact frame must come out, in order, whatever the chunking, and nothing may crash. */
#include <stdlib.h>
#include <string.h>

#include "proto/decoder.h"
#include "proto/frame.h"
#include "test/check.h"

#define FUZZ_FRAMES 2000u
#define FUZZ_GARBAGE_MAX 1000u
#define FUZZ_STREAM_MAX (FUZZ_FRAMES * (FUZZ_GARBAGE_MAX + 2u * 300u + 16u))

static uint32_t rng_state = 0x12345678u;

static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

struct fuzz_sink {
    uint32_t next_expected; /* frames carry their index in seq */
    uint32_t in_order;
    uint32_t out_of_order;
};

static void fuzz_frame(void *context, const struct proto_frame *frame) {
    struct fuzz_sink *sink = context;
    if (frame->opcode != PROTO_OP_PING) return; /* a garbage run may, rarely, form a valid frame */
    if (frame->seq == (uint16_t)sink->next_expected) {
        sink->in_order++;
        sink->next_expected++;
    } else {
        sink->out_of_order++;
    }
}

int run_fuzz_tests(void) {
    int before = check_failures;
    uint8_t *stream = malloc(FUZZ_STREAM_MAX);
    size_t length = 0, garbage = 0;
    uint8_t payload[300];
    for (uint32_t i = 0; i < FUZZ_FRAMES; i++) {
        uint32_t junk = rng() % FUZZ_GARBAGE_MAX;
        for (uint32_t k = 0; k < junk; k++) stream[length++] = (uint8_t)rng();
        garbage += junk;
        uint16_t n = (uint16_t)(rng() % sizeof(payload));
        for (uint16_t k = 0; k < n; k++) payload[k] = (uint8_t)rng();
        struct proto_frame f = { 0, PROTO_OP_PING, (uint16_t)i, 0, 0, payload, n };
        length += proto_frame_encode(&f, stream + length, FUZZ_STREAM_MAX - length);
    }
    struct proto_decoder *d = malloc(sizeof(*d));
    struct fuzz_sink sink = { 0, 0, 0 };
    proto_decoder_init(d, fuzz_frame, NULL, &sink);
    for (size_t at = 0; at < length;) {
        size_t chunk = 1 + rng() % 700;
        if (chunk > length - at) chunk = length - at;
        proto_decoder_push(d, stream + at, chunk);
        at += chunk;
    }
    CHECK(sink.in_order == FUZZ_FRAMES && sink.out_of_order == 0, "fuzz: %u of %u frames through %zu garbage bytes",
          sink.in_order, FUZZ_FRAMES, garbage);
    CHECK(d->stats.bytes == length, "fuzz: every byte counted");
    printf("fuzz      %zu bytes (%zu garbage), %u frames, %s\n", length, garbage, sink.in_order,
           check_failures == before ? "ok" : "FAILED");
    free(d);
    free(stream);
    return check_failures - before;
}
