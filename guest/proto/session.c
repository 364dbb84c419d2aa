#include "proto/session.h"

#include "lib/string.h"
#include "proto/frame.h"
#include "proto/payload.h"

#define RTO_CLOCK_GRANULARITY_MS 10u
#define RTTVAR_FACTOR 4u
#define ERROR_PAYLOAD_MAX 256u

static bool time_reached(uint32_t now, uint32_t deadline) { return (int32_t)(now - deadline) >= 0; }

void proto_session_default_config(struct proto_session_config *c) {
    c->window = PROTO_SESSION_MAX_WINDOW;
    c->max_content = PROTO_MAX_CONTENT;
    c->rto_initial_ms = 1000;
    c->rto_min_ms = 200;
    c->rto_max_ms = 8000;
    c->max_retries = 5;
    c->nak_interval_ms = 100;
    c->reassembly_timeout_ms = 10000;
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
    return (uint32_t)s->config.max_content - PROTO_HEADER_SIZE - PROTO_CRC_SIZE;
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

static void outstanding_retransmit(struct proto_session *s, struct proto_outstanding *o) {
    o->retries++;
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

static void session_handle_reply(struct proto_session *s, const struct proto_message *m) {
    for (unsigned i = 0; i < PROTO_SESSION_MAX_WINDOW; i++) {
        struct proto_outstanding *o = &s->outstanding[i];
        if (!o->in_use || o->seq != m->seq || o->opcode != m->opcode) continue;
        if (!o->retransmitted) session_sample_rtt(s, s->now_ms - o->sent_ms); /* Karn's rule */
        o->in_use = false;
        if (s->ops.on_reply) s->ops.on_reply(s->ops.context, o->tag, m);
        return;
    }
    s->stats.duplicates++; /* a reply to something already answered, timed out or cancelled */
}

static struct proto_dup_entry *dup_find(struct proto_session *s, const struct proto_message *m) {
    for (unsigned i = 0; i < PROTO_DUP_CACHE_SIZE; i++) {
        struct proto_dup_entry *e = &s->dup[i];
        if (e->in_use && e->seq == m->seq && e->channel == m->channel && e->opcode == m->opcode) return e;
    }
    return 0;
}

static struct proto_dup_entry *dup_insert(struct proto_session *s, const struct proto_message *m) {
    struct proto_dup_entry *victim = &s->dup[0];
    for (unsigned i = 0; i < PROTO_DUP_CACHE_SIZE; i++) {
        struct proto_dup_entry *e = &s->dup[i];
        if (!e->in_use) {
            victim = e;
            break;
        }
        if ((int32_t)(e->stamp - victim->stamp) < 0) victim = e;
    }
    victim->in_use = true;
    victim->answered = victim->cached = false;
    victim->seq = m->seq;
    victim->channel = m->channel;
    victim->opcode = m->opcode;
    victim->stamp = ++s->dup_stamp;
    return victim;
}

static void dup_resend(struct proto_session *s, const struct proto_dup_entry *e) {
    if (!e->answered || !e->cached) return; /* still running, or a reply too big to keep */
    struct proto_message m = { e->reply_flags, e->opcode, e->seq, e->channel, e->reply, e->reply_length };
    session_send_message(s, &m);
}

static void session_handle_request(struct proto_session *s, const struct proto_message *m) {
    struct proto_dup_entry *e = dup_find(s, m);
    if (e) {
        s->stats.duplicates++;
        dup_resend(s, e);
        return;
    }
    e = dup_insert(s, m);
    if (m->flags & PROTO_FLAG_NOREPLY) e->answered = true;
    if (s->ops.on_request) s->ops.on_request(s->ops.context, s, m);
}

static void session_on_frame(void *context, const struct proto_frame *frame) {
    struct proto_session *s = context;
    s->stats.frames_in++;
    if (frame->opcode == PROTO_OP_NAK) {
        s->stats.naks_received++;
        struct proto_outstanding *oldest = outstanding_oldest(s);
        if (oldest) outstanding_retransmit(s, oldest);
        return;
    }
    struct proto_message m;
    if (proto_reassembler_push(&s->reassembler, frame, s->now_ms, &m) != PROTO_REASSEMBLY_COMPLETE) return;
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
    proto_decoder_init(&s->decoder, session_on_frame, session_on_error, s);
    proto_reassembler_init(&s->reassembler, s->config.max_message, s->config.reassembly_timeout_ms);
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

void proto_session_reply(struct proto_session *s, const struct proto_message *request, const uint8_t *payload,
                         uint32_t length) {
    uint8_t flags = PROTO_FLAG_REPLY;
    struct proto_message m = { flags, request->opcode, request->seq, request->channel, payload, length };
    struct proto_dup_entry *e = dup_find(s, request);
    if (e && !e->answered) {
        e->answered = true;
        e->reply_flags = flags;
        e->cached = length <= PROTO_DUP_REPLY_MAX;
        if (e->cached) {
            e->reply_length = length;
            if (length) memcpy(e->reply, payload, length);
        }
    }
    if (request->flags & PROTO_FLAG_NOREPLY) return;
    session_send_message(s, &m);
}

void proto_session_reply_error(struct proto_session *s, const struct proto_message *request, uint8_t code,
                               const char *message) {
    uint8_t payload[ERROR_PAYLOAD_MAX];
    size_t length = proto_error_encode(code, message, payload, sizeof(payload));
    if (length == 0) length = proto_error_encode(code, "", payload, sizeof(payload));
    struct proto_message m = { PROTO_FLAG_REPLY | PROTO_FLAG_ERROR, request->opcode, request->seq, request->channel,
                               payload, (uint32_t)length };
    struct proto_dup_entry *e = dup_find(s, request);
    if (e && !e->answered) {
        e->answered = e->cached = true;
        e->reply_flags = m.flags;
        e->reply_length = (uint32_t)length;
        memcpy(e->reply, payload, length);
    }
    if (request->flags & PROTO_FLAG_NOREPLY) return;
    session_send_message(s, &m);
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
            outstanding_retransmit(s, o);
        }
        uint32_t wait = o->deadline_ms - now_ms;
        if (wait < next) next = wait;
    }
    proto_reassembler_expire(&s->reassembler, now_ms);
    return next;
}
