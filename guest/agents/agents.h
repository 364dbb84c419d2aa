/* Agents: kernel tasks that talk to the Konomi core over the COM1 link.
 *
 * - Shell agents run the shell's remote commands: the shell hands over a job and keeps
 *   reading its console (so Ctrl-C or a dropped carrier can cancel), while the agent
 *   blocks on the link until the reply arrives.
 * - Resident agents host cube vertices inside XP10: CUBE_MSG requests from the core for
 *   a hosted vertex are delivered to them and they reply over COM1. */
#ifndef XP10_AGENTS_AGENTS_H
#define XP10_AGENTS_AGENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "agents/link.h"
#include "proto/payload.h"

#define AGENT_JOB_PAYLOAD_MAX 4096u

struct agent_job {
    uint8_t opcode;
    uint8_t payload[AGENT_JOB_PAYLOAD_MAX];
    /* A longer request (a BASIC SAVE, up to 64 KiB) is sent from the caller's buffer instead,
     * which the caller keeps until `done`; NULL: `payload` above. */
    const uint8_t *large_payload;
    uint32_t length;
    volatile bool done;
    volatile bool cancel;
    struct link_call call;     /* outcome: error, error_message, reply, reply_length */
    struct agent_job *next;
};

void agents_init(void);
/* Queues a job for the next free shell agent. */
void agents_submit(struct agent_job *job);
void agents_cancel(struct agent_job *job);
/* A vertex hosted by a BASIC agent (HOST): CUBE_MSGs for it go to `deliver` (0, or a wire
 * error code; it takes the message). 0, or BUSY when someone in XP10 hosts it already. */
typedef int (*agents_deliver_fn)(void *owner, struct link_incoming *incoming);
int agents_claim_vertex(uint16_t cube, uint8_t vertex, agents_deliver_fn deliver, void *owner);
/* Gives up every vertex `owner` claimed; true when there was one. */
bool agents_release_vertices(void *owner);
/* Hosted vertices for HELLO; returns how many were written. */
unsigned agents_hosted_vertices(struct proto_hosted_vertex *out, unsigned capacity);
/* Hands a CUBE_MSG to the resident agent hosting its vertex: 0, or a wire error code. */
int agents_deliver(struct link_incoming *incoming);
/* What a task does, for `ps`: writes into `out`; returns false when it is not an agent. */
bool agents_describe(int task_id, char *out, size_t capacity);

#endif
