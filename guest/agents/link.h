/* The COM1 packet link: one task owns the protocol session on serial0. Agents hand it
 * calls (requests to the Konomi core) and block; requests arriving from the core are
 * answered here (PING, HELLO) or routed to the resident agent hosting the vertex. */
#ifndef XP10_AGENTS_LINK_H
#define XP10_AGENTS_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/fragment.h"
#include "proto/session.h"

#define LINK_CHANNEL_SHELL 0u
#define LINK_ERROR_MESSAGE_MAX 120

enum link_call_state { LINK_CALL_QUEUED, LINK_CALL_SENT, LINK_CALL_DONE };

struct link_call {
    /* request, filled by the caller */
    uint8_t opcode;
    uint8_t channel;
    const uint8_t *payload;
    uint32_t length;
    /* outcome */
    volatile enum link_call_state state;
    volatile bool cancel_requested;
    int error;                      /* 0, a wire error code, or PROTO_ERR_TIMEOUT/CANCELLED/BUSY */
    char error_message[LINK_ERROR_MESSAGE_MAX];
    uint8_t *reply;                 /* kmalloc'd; the caller frees it */
    uint32_t reply_length;
    struct link_call *next;
};

/* A request from the core that an agent answers later (CUBE_MSG for a hosted vertex). */
struct link_incoming {
    struct proto_message header;    /* payload points at `data` */
    uint8_t *data;
    struct link_incoming *next;
};

void link_init(void);
/* Sends `call` and blocks the calling task until its reply, an error, or cancellation. */
void link_call(struct link_call *call);
/* Asks the link to give up on `call` (from any task). */
void link_cancel(struct link_call *call);
/* A finished call's outcome into a caller's buffers (the reply cut to `capacity`, or the error
 * message), freeing the reply: what every core_call of a BASIC host does. Returns the error. */
int link_call_result(struct link_call *call, uint8_t *reply, uint32_t capacity, uint32_t *reply_length,
                     char *error_message, size_t message_capacity);
/* Answers an incoming request later, from an agent task; takes ownership of `incoming`. */
void link_post_reply(struct link_incoming *incoming, const uint8_t *payload, uint32_t length);
void link_post_error(struct link_incoming *incoming, uint8_t code, const char *message);
const struct proto_stats *link_stats(void);
/* Sends a fresh HELLO with the vertices hosted now (after an agent HOSTs or stops), so the
 * core routes their CUBE_MSGs here; blocks the calling task until the core answers. */
int link_announce(void);
int link_task_id(void);

#endif
