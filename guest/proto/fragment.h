/* Fragmentation: a message longer than one frame's payload travels as up to 256 frames
 * with the same opcode, seq and channel, fragment index 0..n-1, MORE set on all but the last. */
#ifndef XP10_PROTO_FRAGMENT_H
#define XP10_PROTO_FRAGMENT_H

#include <stdbool.h>

#include "proto/proto.h"

/* A whole (reassembled) message. */
struct proto_message {
    uint8_t flags; /* MORE never set */
    uint8_t opcode;
    uint16_t seq;
    uint8_t channel;
    const uint8_t *payload;
    uint32_t length;
};

typedef void (*proto_emit_cb)(void *context, const struct proto_frame *frame);

/* Number of frames `length` payload bytes need, or 0 when above PROTO_MAX_FRAGMENTS. */
uint32_t proto_fragment_count(uint32_t length, uint32_t max_payload);
/* Emits every frame of `message`; returns the frame count, or 0 when it is too large. */
uint32_t proto_fragment(const struct proto_message *message, uint32_t max_payload, proto_emit_cb emit, void *context);

#define PROTO_REASSEMBLY_SLOTS 2u
#define PROTO_REASSEMBLY_MAX (64u * 1024u)
#define PROTO_FRAGMENT_BITMAP_WORDS (PROTO_MAX_FRAGMENTS / 32u)

enum proto_reassembly_result {
    PROTO_REASSEMBLY_PENDING,
    PROTO_REASSEMBLY_COMPLETE,
    PROTO_REASSEMBLY_DROPPED, /* the partial message is discarded; `error` says why */
};

/* One partial message. Fragments may arrive in any order and more than once: fragment i
 * lives at i * fragment_size (every fragment but the last is exactly that long). */
struct proto_reassembly {
    bool in_use;
    uint8_t flags, opcode, channel;
    uint16_t seq;
    int16_t last_index;            /* -1 until the fragment without MORE arrives */
    uint16_t received_count;
    uint32_t fragment_size;
    uint32_t length;               /* known once the last fragment arrived */
    uint32_t touched_ms;
    uint32_t received[PROTO_FRAGMENT_BITMAP_WORDS];
    uint8_t buffer[PROTO_REASSEMBLY_MAX];
};

struct proto_reassembler {
    uint32_t max_message;
    uint32_t timeout_ms;
    uint32_t fragment_size;        /* the max payload this side announced (content - 10) */
    struct proto_reassembly slots[PROTO_REASSEMBLY_SLOTS];
};

void proto_reassembler_init(struct proto_reassembler *r, uint32_t max_message, uint32_t timeout_ms);
/* Single-frame messages complete at once without copying. On COMPLETE, `out` views either
 * the frame or a slot buffer that stays valid until the next push. On DROPPED, `*error`
 * is PROTO_ERR_TOO_LARGE (over the size limit), PROTO_ERR_BUSY (no free slot) or
 * PROTO_ERR_BAD_PAYLOAD (fragments that disagree). */
enum proto_reassembly_result proto_reassembler_push(struct proto_reassembler *r, const struct proto_frame *frame,
                                                    uint32_t now_ms, struct proto_message *out, int *error);
/* Forgets the partial message this frame belongs to, if any. */
void proto_reassembler_discard(struct proto_reassembler *r, const struct proto_frame *frame);
/* Drops partial messages with no new fragment for the timeout; returns how many. */
uint32_t proto_reassembler_expire(struct proto_reassembler *r, uint32_t now_ms);

#endif
