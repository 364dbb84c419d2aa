#include "proto/fragment.h"

#include "lib/string.h"

uint32_t proto_fragment_count(uint32_t length, uint32_t max_payload) {
    if (max_payload == 0) return 0;
    uint32_t count = length == 0 ? 1 : (length + max_payload - 1) / max_payload;
    return count > PROTO_MAX_FRAGMENTS ? 0 : count;
}

uint32_t proto_fragment(const struct proto_message *message, uint32_t max_payload, proto_emit_cb emit, void *context) {
    if (max_payload > PROTO_MAX_PAYLOAD) max_payload = PROTO_MAX_PAYLOAD;
    uint32_t count = proto_fragment_count(message->length, max_payload);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t offset = i * max_payload;
        uint32_t size = message->length - offset < max_payload ? message->length - offset : max_payload;
        struct proto_frame frame = {
            .flags = (uint8_t)((message->flags & ~PROTO_FLAG_MORE) | (i + 1 < count ? PROTO_FLAG_MORE : 0)),
            .opcode = message->opcode,
            .seq = message->seq,
            .channel = message->channel,
            .fragment = (uint8_t)i,
            .payload = message->payload + offset,
            .length = (uint16_t)size,
        };
        emit(context, &frame);
    }
    return count;
}

void proto_reassembler_init(struct proto_reassembler *r, uint32_t max_message, uint32_t timeout_ms) {
    for (unsigned i = 0; i < PROTO_REASSEMBLY_SLOTS; i++) r->slots[i].in_use = false;
    r->max_message = max_message > PROTO_REASSEMBLY_MAX ? PROTO_REASSEMBLY_MAX : max_message;
    r->timeout_ms = timeout_ms;
    r->fragment_size = PROTO_MAX_PAYLOAD;
}

/* Requests and replies share seq numbers from different spaces, so REPLY is part of the key. */
static bool slot_matches(const struct proto_reassembly *s, const struct proto_frame *f) {
    return s->in_use && s->seq == f->seq && s->channel == f->channel && ((s->flags ^ f->flags) & PROTO_FLAG_REPLY) == 0;
}

static struct proto_reassembly *slot_find(struct proto_reassembler *r, const struct proto_frame *f) {
    for (unsigned i = 0; i < PROTO_REASSEMBLY_SLOTS; i++)
        if (slot_matches(&r->slots[i], f)) return &r->slots[i];
    return 0;
}

static struct proto_reassembly *slot_claim(struct proto_reassembler *r, const struct proto_frame *f, uint32_t now) {
    struct proto_reassembly *s = 0;
    for (unsigned i = 0; !s && i < PROTO_REASSEMBLY_SLOTS; i++)
        if (!r->slots[i].in_use) s = &r->slots[i];
    if (!s) return 0;
    memset(s->received, 0, sizeof(s->received));
    s->in_use = true;
    s->flags = f->flags & (uint8_t)~PROTO_FLAG_MORE;
    s->opcode = f->opcode;
    s->channel = f->channel;
    s->seq = f->seq;
    s->last_index = -1;
    s->received_count = 0;
    s->fragment_size = r->fragment_size;
    s->length = 0;
    s->touched_ms = now;
    return s;
}

static enum proto_reassembly_result drop(struct proto_reassembly *s, int *error, int code) {
    if (s) s->in_use = false;
    *error = code;
    return PROTO_REASSEMBLY_DROPPED;
}

static bool fragment_seen(const struct proto_reassembly *s, unsigned index) {
    return s->received[index / 32] & (1u << (index % 32));
}

enum proto_reassembly_result proto_reassembler_push(struct proto_reassembler *r, const struct proto_frame *f,
                                                    uint32_t now_ms, struct proto_message *out, int *error) {
    bool more = (f->flags & PROTO_FLAG_MORE) != 0;
    unsigned index = f->fragment;
    struct proto_reassembly *s = slot_find(r, f);
    if (index == 0 && !more && !s) {
        *out = (struct proto_message){ f->flags, f->opcode, f->seq, f->channel, f->payload, f->length };
        return PROTO_REASSEMBLY_COMPLETE;
    }
    if (!s) s = slot_claim(r, f, now_ms);
    if (!s) return drop(0, error, PROTO_ERR_BUSY);
    if (s->opcode != f->opcode) return drop(s, error, PROTO_ERR_BAD_PAYLOAD);
    if (more && f->length != s->fragment_size) return drop(s, error, PROTO_ERR_BAD_PAYLOAD);
    if (!more && (f->length > s->fragment_size || (s->last_index >= 0 && s->last_index != (int)index)))
        return drop(s, error, PROTO_ERR_BAD_PAYLOAD);
    if (s->last_index >= 0 && (int)index > s->last_index) return drop(s, error, PROTO_ERR_BAD_PAYLOAD);
    uint64_t end = (uint64_t)index * s->fragment_size + f->length;
    if (end > r->max_message) return drop(s, error, PROTO_ERR_TOO_LARGE);
    s->touched_ms = now_ms;
    if (!fragment_seen(s, index)) { /* a repeated fragment changes nothing */
        memcpy(s->buffer + (size_t)index * s->fragment_size, f->payload, f->length);
        s->received[index / 32] |= 1u << (index % 32);
        s->received_count++;
        if (!more) {
            s->last_index = (int16_t)index;
            s->length = (uint32_t)end;
        }
    }
    if (s->last_index < 0 || s->received_count != (unsigned)s->last_index + 1) return PROTO_REASSEMBLY_PENDING;
    s->in_use = false; /* the buffer stays readable until the slot is claimed again */
    *out = (struct proto_message){ s->flags, s->opcode, s->seq, s->channel, s->buffer, s->length };
    return PROTO_REASSEMBLY_COMPLETE;
}

void proto_reassembler_discard(struct proto_reassembler *r, const struct proto_frame *frame) {
    struct proto_reassembly *s = slot_find(r, frame);
    if (s) s->in_use = false;
}

uint32_t proto_reassembler_expire(struct proto_reassembler *r, uint32_t now_ms) {
    uint32_t dropped = 0;
    for (unsigned i = 0; i < PROTO_REASSEMBLY_SLOTS; i++) {
        struct proto_reassembly *s = &r->slots[i];
        if (s->in_use && now_ms - s->touched_ms > r->timeout_ms) {
            s->in_use = false;
            dropped++;
        }
    }
    return dropped;
}
