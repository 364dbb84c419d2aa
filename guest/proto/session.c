#include "proto/session.h"

#include "lib/string.h"
#include "proto/crc16.h"
#include "proto/frame.h"
#include "proto/payload.h"

#define RTO_CLOCK_GRANULARITY_MS 10u
#define RTTVAR_FACTOR 4u
#define ERROR_PAYLOAD_MAX (1u + PROTO_ERROR_MESSAGE_MAX)

static bool time_reached(uint32_t now, uint32_t deadline) { return (int32_t)(now - deadline) >= 0; }

void proto_session_default_config(struct proto_session_config *c) {
    c->window = PROTO_SESSION_MAX_WINDOW;
    c->max_content = PROTO_MAX_CONTENT;
    c->rto_initial_ms = 1000;
    c->rto_min_ms = 200;
    c->rto_max_ms = 8000;  /* the reference allows 30 s; a shell user waits at most ~40 s for TIMEOUT */
    c->max_retries = 6;
    c->nak_interval_ms = 250;
    c->reassembly_timeout_ms = 60000;
    c->max_message = PROTO_REASSEMBLY_MAX;
}

static void session_send_frame(void *context, const struct proto_frame *frame) {
    struct proto_session *s = context;
    size_t n = proto_frame_encode(frame, s->wire, sizeof(s->wire));
    if (n == 0) return;
    s->stats.frames_out++;
    s->stats.bytes_out += (uint32_t)n;
    s->ops.write(s->ops.context, s->wire, n);
}

static uint32_t session_max_payload(const struct proto_session *s) {
    return (uint32_t)s->peer_max_content - PROTO_HEADER_SIZE - PROTO_CRC_SIZE;
}

static void session_send_message(struct proto_session *s, const struct proto_message *m) {
    proto_fragment(m, session_max_payload(s), session_send_frame, s);
}

static void session_send_nak(struct proto_session *s) {
    if (s->nak_sent_once && s->now_ms - s->last_nak_ms < s->config.nak_interval_ms) return;
    s->nak_sent_once = true;
    s->last_nak_ms = s->now_ms;
    s->stats.naks_sent++;
    struct proto_frame nak = { PROTO_FLAG_NOREPLY, PROTO_OP_NAK, 0, 0, 0, 0, 0 };
    session_send_frame(s, &nak);
}

static void outstanding_send(struct proto_session *s, struct proto_outstanding *o) {
    struct proto_message m = { o->flags, o->opcode, o->seq, o->channel, o->payload, o->length };
    session_send_message(s, &m);
}

/* A NAK-driven resend counts for Karn's rule but not toward the retry limit. */
static void outstanding_retransmit(struct proto_session *s, struct proto_outstanding *o, bool counts_as_retry) {
    if (counts_as_retry) o->retries++;
    o->retransmitted = true;
    s->stats.retransmits++;
    uint32_t backoff = s->rto_ms;
    for (unsigned i = 0; i < o->retries && backoff < s->config.rto_max_ms; i++) backoff *= 2;
    if (backoff > s->config.rto_max_ms) backoff = s->config.rto_max_ms;
    o->deadline_ms = s->now_ms + backoff;
    outstanding_send(s, o);
}

static struct proto_outstanding *outstanding_oldest(struct proto_session *s) {
    struct proto_outstanding *oldest = 0;
    for (unsigned i = 0; i < PROTO_SESSION_MAX_WINDOW; i++) {
        struct proto_outstanding *o = &s->outstanding[i];
        if (o->in_use && (!oldest || (int16_t)(o->seq - oldest->seq) < 0)) oldest = o;
    }
    return oldest;
}

/* RFC 6298: SRTT/RTTVAR smoothing, RTO = SRTT + max(G, 4 * RTTVAR), clamped. */
static void session_sample_rtt(struct proto_session *s, uint32_t rtt) {
    if (!s->have_rtt) {
        s->srtt_ms = rtt;
        s->rttvar_ms = rtt / 2;
        s->have_rtt = true;
    } else {
        uint32_t delta = s->srtt_ms > rtt ? s->srtt_ms - rtt : rtt - s->srtt_ms;
        s->rttvar_ms = (3 * s->rttvar_ms + delta) / 4;
        s->srtt_ms = (7 * s->srtt_ms + rtt) / 8;
    }
    uint32_t variance = RTTVAR_FACTOR * s->rttvar_ms;
    uint32_t rto = s->srtt_ms + (variance > RTO_CLOCK_GRANULARITY_MS ? variance : RTO_CLOCK_GRANULARITY_MS);
    if (rto < s->config.rto_min_ms) rto = s->config.rto_min_ms;
    if (rto > s->config.rto_max_ms) rto = s->config.rto_max_ms;
    s->rto_ms = rto;
}

static void session_note_peer_hello(struct proto_session *s, const struct proto_message *m);

static void session_handle_reply(struct proto_session *s, const struct proto_message *m) {
    for (unsigned i = 0; i < PROTO_SESSION_MAX_WINDOW; i++) {
        struct proto_outstanding *o = &s->outstanding[i];
        if (!o->in_use || o->seq != m->seq || o->channel != m->channel) continue;
        if (!o->retransmitted) session_sample_rtt(s, s->now_ms - o->sent_ms); /* Karn's rule */
        o->in_use = false;
        if (m->opcode == PROTO_OP_HELLO && !(m->flags & PROTO_FLAG_ERROR)) session_note_peer_hello(s, m);
        if (s->ops.on_reply) s->ops.on_reply(s->ops.context, o->tag, m);
        return;
    }
    s->stats.duplicates++; /* a reply to something already answered, timed out or cancelled */
}

static bool dup_fingerprint_matches(const struct proto_dup_entry *e, const struct proto_message *m) {
    return e->opcode == m->opcode && e->payload_length == m->length &&
           e->payload_crc == proto_crc16(m->payload, m->length);
}

static struct proto_dup_entry *dup_find(struct proto_session *s, uint8_t channel, uint16_t seq) {
    for (unsigned i = 0; i < PROTO_DUP_CACHE_SIZE; i++) {
        struct proto_dup_entry *e = &s->dup[i];
        if (e->state != PROTO_DUP_FREE && e->seq == seq && e->channel == channel) return e;
    }
    return 0;
}

/* Entries still running stay: their reply has not been stored yet (a resident agent may be
 * thinking about a CUBE_MSG), and dropping them would let a duplicate run the request again. */
static void dup_forget_answered(struct proto_session *s) {
    for (unsigned i = 0; i < PROTO_DUP_CACHE_SIZE; i++)
        if (s->dup[i].state == PROTO_DUP_ANSWERED) s->dup[i].state = PROTO_DUP_FREE;
}

/* Only a peer that restarted (a new boot id in its HELLO) may reuse old seqs, so only then are
 * answered requests forgotten; a HELLO in mid-conversation or without a boot id keeps them. */
static void session_note_peer_hello(struct proto_session *s, const struct proto_message *m) {
    struct proto_hello hello;
    if (proto_hello_decode(m->payload, m->length, &hello) != 0 || hello.version != PROTO_VERSION || !hello.boot_id)
        return;
    if (s->peer_boot_id && s->peer_boot_id != hello.boot_id) dup_forget_answered(s);
    s->peer_boot_id = hello.boot_id;
}

/* Reuses the entry for the same key, else a free one, else the least recently used. */
static struct proto_dup_entry *dup_insert(struct proto_session *s, const struct proto_message *m) {
    struct proto_dup_entry *victim = dup_find(s, m->channel, m->seq);
    for (unsigned i = 0; !victim && i < PROTO_DUP_CACHE_SIZE; i++)
        if (s->dup[i].state == PROTO_DUP_FREE) victim = &s->dup[i];
    for (unsigned i = 0; !victim && i < PROTO_DUP_CACHE_SIZE; i++) {
        struct proto_dup_entry *e = &s->dup[i];
        if (e->state == PROTO_DUP_ANSWERED && (!victim || (int32_t)(e->stamp - victim->stamp) < 0)) victim = e;
    }
    if (!victim) victim = &s->dup[0];
    *victim = (struct proto_dup_entry){
        .state = PROTO_DUP_RUNNING, .channel = m->channel, .opcode = m->opcode, .seq = m->seq,
        .payload_crc = proto_crc16(m->payload, m->length), .payload_length = m->length, .stamp = ++s->dup_stamp,
    };
    return victim;
}

static void dup_store_reply(struct proto_session *s, struct proto_dup_entry *e, uint8_t flags, const uint8_t *payload,
                            uint32_t length) {
    e->state = PROTO_DUP_ANSWERED;
    e->reply_flags = flags;
    e->has_reply = length <= PROTO_DUP_REPLY_MAX;
    e->reply_length = length;
    e->reply_position = s->dup_arena_head;
    if (!e->has_reply) return;
    for (uint32_t i = 0; i < length; i++) s->dup_arena[(s->dup_arena_head + i) % PROTO_DUP_ARENA_SIZE] = payload[i];
    s->dup_arena_head += length;
}

static bool dup_reply_available(const struct proto_session *s, const struct proto_dup_entry *e) {
    return e->has_reply && s->dup_arena_head - e->reply_position <= PROTO_DUP_ARENA_SIZE;
}

static void dup_resend(struct proto_session *s, const struct proto_dup_entry *e) {
    if (e->state != PROTO_DUP_ANSWERED || !dup_reply_available(s, e)) return; /* running, NOREPLY or dropped */
    for (uint32_t i = 0; i < e->reply_length; i++)
        s->dup_scratch[i] = s->dup_arena[(e->reply_position + i) % PROTO_DUP_ARENA_SIZE];
    struct proto_message m = { e->reply_flags, e->opcode, e->seq, e->channel, s->dup_scratch, e->reply_length };
    session_send_message(s, &m);
}

static void session_handle_request(struct proto_session *s, const struct proto_message *m) {
    struct proto_dup_entry *e = dup_find(s, m->channel, m->seq);
    if (e && dup_fingerprint_matches(e, m)) {
        s->stats.duplicates++;
        dup_resend(s, e);
        return;
    }
    if (m->opcode == PROTO_OP_HELLO) session_note_peer_hello(s, m);
    e = dup_insert(s, m);
    if (m->flags & PROTO_FLAG_NOREPLY) dup_store_reply(s, e, 0, 0, 0), e->has_reply = false;
    if (s->ops.on_request) s->ops.on_request(s->ops.context, s, m);
}

/* A request that cannot be reassembled gets an ERROR reply; a reply that cannot fails its request. */
static void session_reassembly_failed(struct proto_session *s, const struct proto_frame *frame, int error) {
    if (frame->flags & PROTO_FLAG_REPLY) {
        for (unsigned i = 0; i < PROTO_SESSION_MAX_WINDOW; i++) {
            struct proto_outstanding *o = &s->outstanding[i];
            if (!o->in_use || o->seq != frame->seq || o->channel != frame->channel) continue;
            o->in_use = false;
            if (s->ops.on_failure) s->ops.on_failure(s->ops.context, o->tag, error);
        }
        return;
    }
    if (frame->flags & PROTO_FLAG_NOREPLY) return;
    struct proto_message request = { frame->flags, frame->opcode, frame->seq, frame->channel, 0, 0 };
    proto_session_reply_error(s, &request, (uint8_t)error,
                              error == PROTO_ERR_TOO_LARGE ? "message too large for XP10"
                              : error == PROTO_ERR_BUSY    ? "too many partial messages"
                                                           : "fragments disagree");
}

/* The last fragment of a fragmented request already answered is enough to answer it again,
 * without reassembling the whole retransmission. */
static bool session_last_fragment_of_answered(struct proto_session *s, const struct proto_frame *frame) {
    if ((frame->flags & (PROTO_FLAG_REPLY | PROTO_FLAG_MORE)) || frame->fragment == 0) return false;
    struct proto_dup_entry *e = dup_find(s, frame->channel, frame->seq);
    if (!e || e->state != PROTO_DUP_ANSWERED || e->opcode != frame->opcode) return false;
    if (proto_fragment_count(e->payload_length, s->reassembler.fragment_size) != (uint32_t)frame->fragment + 1) return false;
    proto_reassembler_discard(&s->reassembler, frame);
    s->stats.duplicates++;
    dup_resend(s, e);
    return true;
}

static void session_on_frame(void *context, const struct proto_frame *frame) {
    struct proto_session *s = context;
    s->stats.frames_in++;
    if (frame->opcode == PROTO_OP_NAK) {
        s->stats.naks_received++;
        struct proto_outstanding *oldest = outstanding_oldest(s);
        if (oldest) outstanding_retransmit(s, oldest, false);
        return;
    }
    if (session_last_fragment_of_answered(s, frame)) return;
    struct proto_message m;
    int error = 0;
    enum proto_reassembly_result result = proto_reassembler_push(&s->reassembler, frame, s->now_ms, &m, &error);
    if (result == PROTO_REASSEMBLY_DROPPED) {
        session_reassembly_failed(s, frame, error);
        return;
    }
    if (result != PROTO_REASSEMBLY_COMPLETE) return;
    if (m.flags & PROTO_FLAG_REPLY)
        session_handle_reply(s, &m);
    else
        session_handle_request(s, &m);
}

static void session_on_error(void *context, enum proto_decode_error error) {
    struct proto_session *s = context;
    if (error == PROTO_DECODE_BAD_CRC)
        s->stats.crc_errors++;
    else
        s->stats.malformed++;
    session_send_nak(s);
}

void proto_session_init(struct proto_session *s, const struct proto_session_config *config,
                        const struct proto_session_ops *ops) {
    memset(s, 0, sizeof(*s));
    s->config = *config;
    if (s->config.window < 1) s->config.window = 1;
    if (s->config.window > PROTO_SESSION_MAX_WINDOW) s->config.window = PROTO_SESSION_MAX_WINDOW;
    if (s->config.max_content > PROTO_MAX_CONTENT || s->config.max_content <= PROTO_MIN_CONTENT)
        s->config.max_content = PROTO_MAX_CONTENT;
    s->ops = *ops;
    s->rto_ms = s->config.rto_initial_ms;
    s->next_seq = 1;
    s->peer_max_content = PROTO_MAX_CONTENT;
    proto_decoder_init(&s->decoder, session_on_frame, session_on_error, s);
    proto_reassembler_init(&s->reassembler, s->config.max_message, s->config.reassembly_timeout_ms);
    /* The peer fragments what it sends us at the max content we announce. */
    s->reassembler.fragment_size = (uint32_t)s->config.max_content - PROTO_HEADER_SIZE - PROTO_CRC_SIZE;
}

void proto_session_input(struct proto_session *s, const uint8_t *data, size_t length, uint32_t now_ms) {
    s->now_ms = now_ms;
    s->stats.bytes_in += (uint32_t)length;
    proto_decoder_push(&s->decoder, data, length);
}

uint32_t proto_session_outstanding(const struct proto_session *s) {
    uint32_t count = 0;
    for (unsigned i = 0; i < PROTO_SESSION_MAX_WINDOW; i++) count += s->outstanding[i].in_use ? 1 : 0;
    return count;
}

int proto_session_request(struct proto_session *s, uint8_t opcode, uint8_t channel, uint8_t flags,
                          const uint8_t *payload, uint32_t length, uint32_t tag, uint32_t now_ms) {
    s->now_ms = now_ms;
    if (length > PROTO_SESSION_MAX_REQUEST || proto_fragment_count(length, session_max_payload(s)) == 0)
        return PROTO_ERR_TOO_LARGE;
    flags &= PROTO_FLAG_NOREPLY;
    if (flags & PROTO_FLAG_NOREPLY) {
        struct proto_message m = { flags, opcode, s->next_seq++, channel, payload, length };
        session_send_message(s, &m);
        return 0;
    }
    struct proto_outstanding *slot = 0;
    for (unsigned i = 0; i < PROTO_SESSION_MAX_WINDOW && !slot; i++)
        if (!s->outstanding[i].in_use) slot = &s->outstanding[i];
    if (!slot || proto_session_outstanding(s) >= s->config.window) return PROTO_ERR_BUSY;
    const struct proto_outstanding *oldest = outstanding_oldest(s);
    if (oldest && (uint16_t)(s->next_seq - oldest->seq) >= PROTO_MAX_SEQ_SPAN) return PROTO_ERR_BUSY;
    *slot = (struct proto_outstanding){ .in_use = true, .opcode = opcode, .channel = channel, .flags = flags,
                                        .seq = s->next_seq++, .tag = tag, .sent_ms = now_ms,
                                        .deadline_ms = now_ms + s->rto_ms, .length = length };
    if (length) memcpy(slot->payload, payload, length);
    outstanding_send(s, slot);
    return 0;
}

void proto_session_cancel(struct proto_session *s, uint32_t tag) {
    for (unsigned i = 0; i < PROTO_SESSION_MAX_WINDOW; i++)
        if (s->outstanding[i].in_use && s->outstanding[i].tag == tag) s->outstanding[i].in_use = false;
}

static void session_answer(struct proto_session *s, const struct proto_message *request, uint8_t flags,
                           const uint8_t *payload, uint32_t length) {
    struct proto_dup_entry *e = dup_find(s, request->channel, request->seq);
    if (e && e->state == PROTO_DUP_RUNNING && dup_fingerprint_matches(e, request))
        dup_store_reply(s, e, flags, payload, length);
    if (request->flags & PROTO_FLAG_NOREPLY) return;
    struct proto_message m = { flags, request->opcode, request->seq, request->channel, payload, length };
    session_send_message(s, &m);
}

void proto_session_reply(struct proto_session *s, const struct proto_message *request, const uint8_t *payload,
                         uint32_t length) {
    session_answer(s, request, PROTO_FLAG_REPLY, payload, length);
}

void proto_session_reply_error(struct proto_session *s, const struct proto_message *request, uint8_t code,
                               const char *message) {
    uint8_t payload[ERROR_PAYLOAD_MAX];
    size_t length = proto_error_encode(code, message, payload, sizeof(payload));
    session_answer(s, request, PROTO_FLAG_REPLY | PROTO_FLAG_ERROR, payload, (uint32_t)length);
}

void proto_session_apply_peer_hello(struct proto_session *s, uint8_t peer_window, uint16_t peer_max_content) {
    if (peer_window >= 1 && peer_window < s->config.window) s->config.window = peer_window;
    if (peer_max_content > PROTO_MIN_CONTENT && peer_max_content <= PROTO_MAX_CONTENT)
        s->peer_max_content = peer_max_content;
}

uint32_t proto_session_poll(struct proto_session *s, uint32_t now_ms) {
    s->now_ms = now_ms;
    uint32_t next = UINT32_MAX;
    for (unsigned i = 0; i < PROTO_SESSION_MAX_WINDOW; i++) {
        struct proto_outstanding *o = &s->outstanding[i];
        if (!o->in_use) continue;
        if (time_reached(now_ms, o->deadline_ms)) {
            if (o->retries >= s->config.max_retries) {
                o->in_use = false;
                s->stats.timeouts++;
                if (s->ops.on_failure) s->ops.on_failure(s->ops.context, o->tag, PROTO_ERR_TIMEOUT);
                continue;
            }
            outstanding_retransmit(s, o, true);
        }
        uint32_t wait = o->deadline_ms - now_ms;
        if (wait < next) next = wait;
    }
    proto_reassembler_expire(&s->reassembler, now_ms);
    return next;
}
