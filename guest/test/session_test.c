/* Session behaviour: two C sessions joined by in-memory queues, driven by a manual clock. */
#include <stdlib.h>
#include <string.h>

#include "proto/frame.h"
#include "proto/payload.h"
#include "proto/session.h"
#include "test/check.h"

#define PIPE_MAX (512u * 1024u)

struct pipe {
    uint8_t *data;
    size_t length;
    bool drop_next_write;  /* simulate a lost frame */
    bool corrupt_next_write;
};

struct endpoint {
    struct proto_session *session;
    struct pipe *out;
    int handler_runs;
    int replies;
    int failures;
    int last_failure;
    uint32_t last_tag;
    uint8_t last_reply[PROTO_REASSEMBLY_MAX];
    uint32_t last_reply_length;
    bool defer;  /* keep the request unanswered */
};

static void pipe_write(void *context, const uint8_t *data, size_t length) {
    struct endpoint *e = context;
    struct pipe *p = e->out;
    if (p->drop_next_write) {
        p->drop_next_write = false;
        return;
    }
    if (p->length + length > PIPE_MAX) return;
    memcpy(p->data + p->length, data, length);
    if (p->corrupt_next_write && length > 4) {
        p->data[p->length + length / 2] ^= 0x01;
        p->corrupt_next_write = false;
    }
    p->length += length;
}

static void on_request(void *context, struct proto_session *s, const struct proto_message *request) {
    struct endpoint *e = context;
    e->handler_runs++;
    if (e->defer) return;
    if (request->opcode == PROTO_OP_PING)
        proto_session_reply(s, request, request->payload, request->length);
    else
        proto_session_reply_error(s, request, PROTO_ERR_UNSUPPORTED, "no");
}

static void on_reply(void *context, uint32_t tag, const struct proto_message *reply) {
    struct endpoint *e = context;
    e->replies++;
    e->last_tag = tag;
    e->last_reply_length = reply->length;
    memcpy(e->last_reply, reply->payload, reply->length);
}

static void on_failure(void *context, uint32_t tag, int code) {
    struct endpoint *e = context;
    e->failures++;
    e->last_tag = tag;
    e->last_failure = code;
}

struct pair {
    struct endpoint a, b;
    struct pipe a_to_b, b_to_a;
    uint32_t now;
};

static struct pair *pair_new(void) {
    struct pair *p = calloc(1, sizeof(*p));
    p->a_to_b.data = malloc(PIPE_MAX);
    p->b_to_a.data = malloc(PIPE_MAX);
    struct proto_session_config config;
    proto_session_default_config(&config);
    struct endpoint *ends[2] = { &p->a, &p->b };
    struct pipe *outs[2] = { &p->a_to_b, &p->b_to_a };
    for (int i = 0; i < 2; i++) {
        ends[i]->session = malloc(sizeof(struct proto_session));
        ends[i]->out = outs[i];
        struct proto_session_ops ops = { ends[i], pipe_write, on_request, on_reply, on_failure };
        proto_session_init(ends[i]->session, &config, &ops);
    }
    return p;
}

static void pair_free(struct pair *p) {
    free(p->a.session);
    free(p->b.session);
    free(p->a_to_b.data);
    free(p->b_to_a.data);
    free(p);
}

/* Delivers everything in flight, both ways, until quiet. */
static void pair_flush(struct pair *p) {
    for (int round = 0; round < 16 && (p->a_to_b.length || p->b_to_a.length); round++) {
        static uint8_t chunk[PIPE_MAX];
        size_t n = p->a_to_b.length;
        memcpy(chunk, p->a_to_b.data, n);
        p->a_to_b.length = 0;
        proto_session_input(p->b.session, chunk, n, p->now);
        n = p->b_to_a.length;
        memcpy(chunk, p->b_to_a.data, n);
        p->b_to_a.length = 0;
        proto_session_input(p->a.session, chunk, n, p->now);
    }
}

static void pair_advance(struct pair *p, uint32_t ms) {
    for (uint32_t t = 0; t < ms; t += 10) {
        p->now += 10;
        proto_session_poll(p->a.session, p->now);
        proto_session_poll(p->b.session, p->now);
        pair_flush(p);
    }
}

static void test_ping_round_trip(void) {
    struct pair *p = pair_new();
    CHECK(proto_session_request(p->a.session, PROTO_OP_PING, 3, 0, (const uint8_t *)"hi", 2, 42, p->now) == 0,
          "request accepted");
    pair_flush(p);
    CHECK(p->a.replies == 1 && p->a.last_tag == 42 && p->a.last_reply_length == 2 &&
              memcmp(p->a.last_reply, "hi", 2) == 0,
          "ping echoed");
    CHECK(proto_session_outstanding(p->a.session) == 0, "slot freed after the reply");
    pair_free(p);
}

static void test_retransmit_after_loss(void) {
    struct pair *p = pair_new();
    p->a_to_b.drop_next_write = true;
    proto_session_request(p->a.session, PROTO_OP_PING, 0, 0, (const uint8_t *)"x", 1, 1, p->now);
    pair_flush(p);
    CHECK(p->a.replies == 0, "lost request not answered yet");
    pair_advance(p, 1500);
    CHECK(p->a.replies == 1 && p->a.session->stats.retransmits == 1, "retransmitted after the RTO and answered");
    CHECK(p->b.handler_runs == 1, "handler ran once");
    pair_free(p);
}

static void test_duplicate_answered_from_cache(void) {
    struct pair *p = pair_new();
    p->b_to_a.drop_next_write = true; /* the reply is lost: A retransmits, B must not re-run */
    proto_session_request(p->a.session, PROTO_OP_PING, 0, 0, (const uint8_t *)"dup", 3, 7, p->now);
    pair_flush(p);
    pair_advance(p, 1500);
    CHECK(p->a.replies == 1, "answered after the retransmission");
    CHECK(p->b.handler_runs == 1 && p->b.session->stats.duplicates == 1, "duplicate served from the cache");
    pair_free(p);
}

static void test_nak_triggers_retransmit(void) {
    struct pair *p = pair_new();
    p->a_to_b.corrupt_next_write = true;
    proto_session_request(p->a.session, PROTO_OP_PING, 0, 0, (const uint8_t *)"corrupt me", 10, 9, p->now);
    pair_flush(p);
    CHECK(p->b.session->stats.crc_errors == 1 && p->b.session->stats.naks_sent == 1, "bad CRC counted and NAKed");
    CHECK(p->a.session->stats.naks_received == 1 && p->a.session->stats.retransmits == 1, "NAK retransmits at once");
    CHECK(p->a.replies == 1 && p->now == 0, "answered without waiting for the timer");
    pair_free(p);
}

static void test_timeout_after_retries(void) {
    struct pair *p = pair_new();
    p->b.defer = true;
    proto_session_request(p->a.session, PROTO_OP_PING, 0, 0, (const uint8_t *)"?", 1, 5, p->now);
    pair_advance(p, 60000);
    CHECK(p->a.failures == 1 && p->a.last_failure == PROTO_ERR_TIMEOUT && p->a.last_tag == 5, "TIMEOUT reported");
    CHECK(p->a.session->stats.retransmits == p->a.session->config.max_retries, "retried the configured times");
    CHECK(p->b.handler_runs == 1, "duplicates of an unanswered request are not re-run");
    pair_free(p);
}

static void test_window_and_error_reply(void) {
    struct pair *p = pair_new();
    for (uint32_t i = 0; i < PROTO_SESSION_MAX_WINDOW; i++)
        CHECK(proto_session_request(p->a.session, PROTO_OP_BLOCK_GET, 0, 0, 0, 0, i, p->now) == 0, "in window %u", i);
    CHECK(proto_session_request(p->a.session, PROTO_OP_PING, 0, 0, 0, 0, 99, p->now) == PROTO_ERR_BUSY,
          "window full gives BUSY");
    pair_flush(p);
    CHECK(p->a.replies == (int)PROTO_SESSION_MAX_WINDOW, "all answered");
    struct proto_error_payload e;
    CHECK(proto_error_decode(p->a.last_reply, p->a.last_reply_length, &e) == 0 && e.code == PROTO_ERR_UNSUPPORTED,
          "error reply carries the code");
    pair_free(p);
}

static void test_fragmented_round_trip_and_seq_wrap(void) {
    struct pair *p = pair_new();
    p->a.session->next_seq = 0xFFFF;
    static uint8_t big[3 * PROTO_MAX_PAYLOAD / 2];
    for (size_t i = 0; i < sizeof(big); i++) big[i] = (uint8_t)(i * 7);
    CHECK(proto_session_request(p->a.session, PROTO_OP_PING, 1, 0, big, sizeof(big), 1, p->now) == 0, "big request");
    pair_flush(p);
    CHECK(p->a.replies == 1 && p->a.last_reply_length == sizeof(big) && memcmp(p->a.last_reply, big, sizeof(big)) == 0,
          "fragmented echo");
    proto_session_request(p->a.session, PROTO_OP_PING, 1, 0, (const uint8_t *)"w", 1, 2, p->now);
    pair_flush(p);
    CHECK(p->a.replies == 2 && p->a.session->next_seq == 1, "seq wraps past 65535");
    pair_free(p);
}

static void test_noreply(void) {
    struct pair *p = pair_new();
    proto_session_request(p->a.session, PROTO_OP_PING, 0, PROTO_FLAG_NOREPLY, (const uint8_t *)"n", 1, 1, p->now);
    pair_flush(p);
    CHECK(p->b.handler_runs == 1 && p->a.replies == 0 && p->b.session->stats.frames_out == 0, "NOREPLY gets no reply");
    pair_free(p);
}

/* Sends a raw request frame from A's side without A's session (to replay old seqs). */
static void inject_request(struct pair *p, uint8_t opcode, uint16_t seq, const char *text) {
    struct proto_frame f = { 0, opcode, seq, 0, 0, (const uint8_t *)text, (uint16_t)strlen(text) };
    static uint8_t wire[PROTO_MAX_WIRE];
    size_t n = proto_frame_encode(&f, wire, sizeof(wire));
    proto_session_input(p->b.session, wire, n, p->now);
}

static void test_duplicate_cache_spans_1024_requests(void) {
    struct pair *p = pair_new();
    inject_request(p, PROTO_OP_PING, 1, "first");
    for (uint16_t seq = 2; seq <= PROTO_MAX_SEQ_SPAN; seq++) inject_request(p, PROTO_OP_PING, seq, "filler");
    int runs = p->b.handler_runs;
    size_t before = p->b_to_a.length;
    inject_request(p, PROTO_OP_PING, 1, "first");
    CHECK(p->b.handler_runs == runs, "a retransmission 1023 requests later is not run again");
    CHECK(p->b_to_a.length > before, "and is answered from the cache");
    inject_request(p, PROTO_OP_PING, 1, "other payload");
    CHECK(p->b.handler_runs == runs + 1, "same (channel, seq) with another fingerprint is a new request");
    pair_free(p);
}

/* Sends a raw HELLO from A's side; boot_id 0 leaves the trailing field out. */
static void inject_hello(struct pair *p, uint16_t seq, uint32_t boot_id) {
    static uint8_t hello[64];
    struct proto_hello h = { .version = 1, .max_content = 1024, .window = 2, .name = { (const uint8_t *)"n", 1 },
                             .boot_id = boot_id };
    size_t n = proto_hello_encode(&h, hello, sizeof(hello));
    struct proto_frame f = { 0, PROTO_OP_HELLO, seq, 0, 0, hello, (uint16_t)n };
    static uint8_t wire[PROTO_MAX_WIRE];
    size_t w = proto_frame_encode(&f, wire, sizeof(wire));
    proto_session_input(p->b.session, wire, w, p->now);
}

static void test_hello_boot_id_rule(void) {
    struct pair *p = pair_new();
    inject_hello(p, 1, 7);
    inject_request(p, PROTO_OP_PING, 5, "x");
    int runs = p->b.handler_runs;
    inject_hello(p, 2, 7); /* mid-conversation, same boot */
    inject_hello(p, 3, 0); /* no boot id: never clears */
    runs = p->b.handler_runs;
    inject_request(p, PROTO_OP_PING, 5, "x");
    CHECK(p->b.handler_runs == runs, "a HELLO with the same boot id keeps the cache: no second run");
    CHECK(p->b.session->peer_boot_id == 7, "peer boot id recorded");

    p->b.defer = true; /* a request still being handled (like a CUBE_MSG at the resident agent) */
    inject_request(p, PROTO_OP_PING, 6, "y");
    p->b.defer = false;
    inject_hello(p, 1, 8); /* the peer restarted */
    runs = p->b.handler_runs;
    inject_request(p, PROTO_OP_PING, 5, "x");
    CHECK(p->b.handler_runs == runs + 1, "after a new boot id an old seq is a new request");
    inject_request(p, PROTO_OP_PING, 6, "y");
    CHECK(p->b.handler_runs == runs + 1, "an entry still running survives the new boot id");
    struct proto_message running = { 0, PROTO_OP_PING, 6, 0, (const uint8_t *)"y", 1 };
    proto_session_reply(p->b.session, &running, (const uint8_t *)"late", 4);
    size_t before = p->b_to_a.length;
    inject_request(p, PROTO_OP_PING, 6, "y");
    CHECK(p->b.handler_runs == runs + 1 && p->b_to_a.length > before, "its late reply is cached and resent");

    struct proto_message other = { 0, PROTO_OP_PING, 9, 0, (const uint8_t *)"a", 1 };
    p->b.defer = true;
    inject_request(p, PROTO_OP_PING, 9, "b");
    p->b.defer = false;
    proto_session_reply(p->b.session, &other, (const uint8_t *)"wrong", 5);
    before = p->b_to_a.length;
    runs = p->b.handler_runs;
    inject_request(p, PROTO_OP_PING, 9, "b");
    CHECK(p->b.handler_runs == runs && p->b_to_a.length == before,
          "a reply for another request with the same seq is not cached for the running one");

    struct proto_hello h = { .version = 1, .max_content = 1024, .window = 2 };
    proto_session_apply_peer_hello(p->a.session, h.window, h.max_content);
    CHECK(p->a.session->config.window == 2 && p->a.session->peer_max_content == 1024, "HELLO limits applied");
    pair_free(p);
}

static void test_hello_reply_carries_boot_id(void) {
    uint8_t buffer[64];
    struct proto_hello h = { .version = 1, .max_content = 4096, .window = 8, .boot_id = 0xDEADBEEFu }, back;
    size_t n = proto_hello_encode(&h, buffer, sizeof(buffer));
    CHECK(n == 11 && proto_hello_decode(buffer, n, &back) == 0 && back.boot_id == 0xDEADBEEFu, "boot id round trip");
    CHECK(proto_hello_decode(buffer, n - 4, &back) == 0 && back.boot_id == 0, "absent boot id reads as 0");
    h.max_content = 10;
    n = proto_hello_encode(&h, buffer, sizeof(buffer));
    CHECK(proto_hello_decode(buffer, n, &back) == PROTO_ERR_BAD_PAYLOAD, "max content below 11 is BAD_PAYLOAD");
}

static void test_span_rule(void) {
    struct pair *p = pair_new();
    p->b.defer = true;
    CHECK(proto_session_request(p->a.session, PROTO_OP_PING, 0, 0, (const uint8_t *)"old", 3, 1, p->now) == 0,
          "oldest request sent");
    pair_flush(p);
    p->a.session->next_seq = (uint16_t)(1 + PROTO_MAX_SEQ_SPAN);
    CHECK(proto_session_request(p->a.session, PROTO_OP_PING, 0, 0, (const uint8_t *)"new", 3, 2, p->now) ==
              PROTO_ERR_BUSY,
          "a request 1024 seqs past the oldest unanswered one waits");
    pair_free(p);
}

static void test_reassembly_any_order_and_limits(void) {
    static struct proto_reassembler r;
    static uint8_t payload[3 * PROTO_MAX_PAYLOAD];
    for (size_t i = 0; i < sizeof(payload); i++) payload[i] = (uint8_t)(i * 13 + 1);
    proto_reassembler_init(&r, PROTO_REASSEMBLY_MAX, 1000);
    struct proto_frame frames[3];
    for (unsigned i = 0; i < 3; i++)
        frames[i] = (struct proto_frame){ (uint8_t)(i < 2 ? PROTO_FLAG_MORE : 0), PROTO_OP_PING, 9, 0, (uint8_t)i,
                                          payload + i * PROTO_MAX_PAYLOAD, (uint16_t)(i < 2 ? PROTO_MAX_PAYLOAD : 100) };
    const unsigned order[] = { 2, 0, 0, 1 };
    struct proto_message m;
    int error = 0;
    enum proto_reassembly_result result = PROTO_REASSEMBLY_PENDING;
    for (unsigned k = 0; k < 4; k++) {
        result = proto_reassembler_push(&r, &frames[order[k]], 0, &m, &error);
        if (k < 3) CHECK(result == PROTO_REASSEMBLY_PENDING, "pending after fragment %u", order[k]);
    }
    CHECK(result == PROTO_REASSEMBLY_COMPLETE && m.length == 2 * PROTO_MAX_PAYLOAD + 100 &&
              memcmp(m.payload, payload, m.length) == 0,
          "fragments in any order, repeated ones ignored");
    proto_reassembler_init(&r, PROTO_MAX_PAYLOAD + 50, 1000);
    proto_reassembler_push(&r, &frames[0], 0, &m, &error);
    CHECK(proto_reassembler_push(&r, &frames[1], 0, &m, &error) == PROTO_REASSEMBLY_DROPPED &&
              error == PROTO_ERR_TOO_LARGE,
          "over the size limit: TOO_LARGE");
    struct proto_frame odd = frames[0];
    odd.length = 10;
    CHECK(proto_reassembler_push(&r, &odd, 0, &m, &error) == PROTO_REASSEMBLY_DROPPED && error == PROTO_ERR_BAD_PAYLOAD,
          "a short fragment with MORE disagrees: BAD_PAYLOAD");
    proto_reassembler_init(&r, PROTO_REASSEMBLY_MAX, 1000);
    for (uint16_t seq = 0; seq < PROTO_REASSEMBLY_SLOTS; seq++) {
        struct proto_frame f = frames[0];
        f.seq = seq;
        proto_reassembler_push(&r, &f, 0, &m, &error);
    }
    struct proto_frame extra = frames[0];
    extra.seq = 77;
    CHECK(proto_reassembler_push(&r, &extra, 0, &m, &error) == PROTO_REASSEMBLY_DROPPED && error == PROTO_ERR_BUSY,
          "no free slot: BUSY");
    CHECK(proto_reassembler_expire(&r, 5000) == PROTO_REASSEMBLY_SLOTS, "stale partial messages expire");
}

static void test_oversized_request_gets_too_large(void) {
    struct pair *p = pair_new();
    p->b.session->reassembler.max_message = PROTO_MAX_PAYLOAD + 10;
    static uint8_t big[2 * PROTO_MAX_PAYLOAD];
    proto_session_request(p->a.session, PROTO_OP_PING, 0, 0, big, sizeof(big), 3, p->now);
    pair_flush(p);
    struct proto_error_payload e;
    CHECK(p->a.replies == 1 && proto_error_decode(p->a.last_reply, p->a.last_reply_length, &e) == 0 &&
              e.code == PROTO_ERR_TOO_LARGE && p->b.handler_runs == 0,
          "a request over the receiver's limit is answered TOO_LARGE, not run");
    pair_free(p);
}

static void test_last_fragment_answers_a_fragmented_duplicate(void) {
    struct pair *p = pair_new();
    static uint8_t big[PROTO_MAX_PAYLOAD + 100];
    memset(big, 0x5A, sizeof(big));
    p->b_to_a.drop_next_write = true; /* the first reply is lost */
    proto_session_request(p->a.session, PROTO_OP_PING, 2, 0, big, sizeof(big), 11, p->now);
    pair_flush(p);
    CHECK(p->b.handler_runs == 1 && p->a.replies == 0, "reply lost");
    struct proto_frame last = { 0, PROTO_OP_PING, p->a.session->outstanding[0].seq, 2, 1, big + PROTO_MAX_PAYLOAD, 100 };
    static uint8_t wire[PROTO_MAX_WIRE];
    size_t n = proto_frame_encode(&last, wire, sizeof(wire));
    proto_session_input(p->b.session, wire, n, p->now);
    pair_flush(p);
    CHECK(p->a.replies == 1 && p->a.last_reply_length == sizeof(big) && p->b.handler_runs == 1,
          "the last fragment alone gets the cached reply, the handler does not run again");
    pair_free(p);
}

static void test_error_message_cut_at_character_boundary(void) {
    static char message[1200];
    size_t n = 0;
    while (n + 3 < sizeof(message)) { /* "€" is E2 82 AC: 1024 is not a multiple of 3 */
        message[n++] = (char)0xE2;
        message[n++] = (char)0x82;
        message[n++] = (char)0xAC;
    }
    message[n] = '\0';
    static uint8_t payload[2048];
    size_t length = proto_error_encode(PROTO_ERR_INTERNAL, message, payload, sizeof(payload));
    CHECK(length == 1 + 1023 && payload[length - 1] == 0xAC, "cut to 1024 bytes at a character boundary (%u)",
          (unsigned)length);
    length = proto_error_encode(PROTO_ERR_INTERNAL, message, payload, 6);
    CHECK(length == 4, "cut to the capacity at a character boundary too");
    CHECK(proto_utf8_prefix((const uint8_t *)"ab", 2, 5) == 2, "a short text is whole");

    struct pair *p = pair_new();
    p->b.defer = true;
    CHECK(proto_session_request(p->a.session, PROTO_OP_PING, 0, 0, (const uint8_t *)"q", 1, 1, p->now) == 0, "sent");
    pair_flush(p);
    struct proto_message request = { 0, PROTO_OP_PING, p->a.session->outstanding[0].seq, 0, (const uint8_t *)"q", 1 };
    proto_session_reply_error(p->b.session, &request, PROTO_ERR_UNAVAILABLE, message);
    pair_flush(p);
    struct proto_error_payload decoded;
    CHECK(p->a.replies == 1 && proto_error_decode(p->a.last_reply, p->a.last_reply_length, &decoded) == 0 &&
              decoded.code == PROTO_ERR_UNAVAILABLE && decoded.message.length == 1023,
          "an ERROR reply carries the message up to the documented 1024 bytes");
    pair_free(p);
}

int run_session_tests(void) {
    int before = check_failures;
    test_ping_round_trip();
    test_retransmit_after_loss();
    test_duplicate_answered_from_cache();
    test_nak_triggers_retransmit();
    test_timeout_after_retries();
    test_window_and_error_reply();
    test_fragmented_round_trip_and_seq_wrap();
    test_noreply();
    test_duplicate_cache_spans_1024_requests();
    test_hello_boot_id_rule();
    test_hello_reply_carries_boot_id();
    test_span_rule();
    test_error_message_cut_at_character_boundary();
    test_reassembly_any_order_and_limits();
    test_oversized_request_gets_too_large();
    test_last_fragment_answers_a_fragmented_duplicate();
    printf("session   %s\n", check_failures == before ? "ok" : "FAILED");
    return check_failures - before;
}
