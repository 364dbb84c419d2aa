/* One end of a 56k protocol line: sends requests with a window, retransmits them on a
 * timer (adaptive RTO, Karn's rule, exponential back-off) and on NAK, matches replies,
 * reassembles fragments, answers duplicate requests from a cache, NAKs bad frames.
 * Time comes in as milliseconds from the caller; bytes go out through ops.write. */
#ifndef XP10_PROTO_SESSION_H
#define XP10_PROTO_SESSION_H

#include <stdbool.h>

#include "proto/decoder.h"
#include "proto/fragment.h"
#include "proto/proto.h"

#define PROTO_SESSION_MAX_WINDOW 8u
/* Requests are kept whole for retransmission: a BASIC SAVE of 64 KiB of program text and
 * its header fits (the window of 8 holds 8 of them, 513 KiB). */
#define PROTO_SESSION_MAX_REQUEST (64u * 1024u + 64u)
/* The span rule: no request starts 1024 or more seqs past the oldest unanswered one, so a
 * receiver that remembers the last 1024 requests recognises every possible retransmission. */
#define PROTO_MAX_SEQ_SPAN 1024u
#define PROTO_DUP_CACHE_SIZE PROTO_MAX_SEQ_SPAN
/* Reply bytes of remembered requests live in a ring; an entry whose bytes were overwritten
 * stays known (its duplicates are ignored, never run again) but can no longer be answered. */
#define PROTO_DUP_ARENA_SIZE (64u * 1024u)
#define PROTO_DUP_REPLY_MAX (16u * 1024u)

struct proto_stats {
    uint32_t frames_in, frames_out;
    uint32_t bytes_in, bytes_out;
    uint32_t crc_errors, malformed;
    uint32_t naks_sent, naks_received;
    uint32_t retransmits, duplicates, timeouts;
};

struct proto_session_config {
    uint8_t window;
    uint16_t max_content; /* announced in HELLO; the peer's fragments are this size minus 10 */
    uint32_t rto_initial_ms, rto_min_ms, rto_max_ms;
    uint8_t max_retries;
    uint32_t nak_interval_ms;
    uint32_t reassembly_timeout_ms;
    uint32_t max_message;
};

struct proto_session;

struct proto_session_ops {
    void *context;
    void (*write)(void *context, const uint8_t *data, size_t length);
    /* A new (not duplicate) request; answer it now or later with proto_session_reply*. */
    void (*on_request)(void *context, struct proto_session *session, const struct proto_message *request);
    /* The reply to the request sent with `tag` (ERROR flag set for an error reply). */
    void (*on_reply)(void *context, uint32_t tag, const struct proto_message *reply);
    /* The request sent with `tag` failed locally (PROTO_ERR_TIMEOUT). */
    void (*on_failure)(void *context, uint32_t tag, int code);
};

struct proto_outstanding {
    bool in_use;
    bool retransmitted;
    uint8_t opcode, channel, flags;
    uint8_t retries;
    uint16_t seq;
    uint32_t tag;
    uint32_t sent_ms, deadline_ms;
    uint32_t length;
    uint8_t payload[PROTO_SESSION_MAX_REQUEST];
};

enum proto_dup_state { PROTO_DUP_FREE, PROTO_DUP_RUNNING, PROTO_DUP_ANSWERED };

/* A request this side received, identified by (channel, seq) and fingerprinted by opcode,
 * payload length and payload CRC: the same key with another fingerprint is a new request. */
struct proto_dup_entry {
    uint8_t state;
    uint8_t channel, opcode, reply_flags;
    uint16_t seq;
    uint16_t payload_crc;
    uint32_t payload_length;
    uint32_t stamp;
    bool has_reply;          /* false for NOREPLY requests */
    uint32_t reply_position; /* absolute position in the reply arena */
    uint32_t reply_length;
};

struct proto_session {
    struct proto_session_config config;
    struct proto_session_ops ops;
    struct proto_decoder decoder;
    struct proto_reassembler reassembler;
    struct proto_outstanding outstanding[PROTO_SESSION_MAX_WINDOW];
    struct proto_dup_entry dup[PROTO_DUP_CACHE_SIZE];
    uint32_t dup_stamp;
    uint8_t dup_arena[PROTO_DUP_ARENA_SIZE];
    uint32_t dup_arena_head;
    uint8_t dup_scratch[PROTO_DUP_REPLY_MAX];
    uint16_t peer_max_content; /* frames sent to the peer are at most this (from its HELLO) */
    uint32_t peer_boot_id;     /* from the peer's latest HELLO carrying one; 0 = none seen */
    uint16_t next_seq;
    uint32_t srtt_ms, rttvar_ms, rto_ms;
    bool have_rtt;
    bool nak_sent_once;
    uint32_t last_nak_ms;
    uint32_t now_ms;
    struct proto_stats stats;
    uint8_t wire[PROTO_MAX_WIRE];
};

void proto_session_default_config(struct proto_session_config *config);
void proto_session_init(struct proto_session *s, const struct proto_session_config *config,
                        const struct proto_session_ops *ops);
/* Applies the peer's HELLO: window = min(ours, theirs); frames to the peer fit its max content. */
void proto_session_apply_peer_hello(struct proto_session *s, uint8_t peer_window, uint16_t peer_max_content);
/* Feeds received bytes. */
void proto_session_input(struct proto_session *s, const uint8_t *data, size_t length, uint32_t now_ms);
/* Sends a request; returns 0, PROTO_ERR_BUSY (window full) or PROTO_ERR_TOO_LARGE.
 * With PROTO_FLAG_NOREPLY nothing is kept and no callback follows. */
int proto_session_request(struct proto_session *s, uint8_t opcode, uint8_t channel, uint8_t flags,
                          const uint8_t *payload, uint32_t length, uint32_t tag, uint32_t now_ms);
/* Forgets the request sent with `tag`; a late reply is then ignored. */
void proto_session_cancel(struct proto_session *s, uint32_t tag);
uint32_t proto_session_outstanding(const struct proto_session *s);
void proto_session_reply(struct proto_session *s, const struct proto_message *request, const uint8_t *payload,
                         uint32_t length);
void proto_session_reply_error(struct proto_session *s, const struct proto_message *request, uint8_t code,
                               const char *message);
/* Runs timers; returns milliseconds until the next deadline (UINT32_MAX when idle). */
uint32_t proto_session_poll(struct proto_session *s, uint32_t now_ms);

#endif
