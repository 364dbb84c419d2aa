#include "agents/agents.h"

#include "agents/basic_agents.h"
#include "kernel/bootargs.h"

#include "arch/io.h"
#include "kernel/task.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"

#define SHELL_AGENT_COUNT 2
#define RESIDENT_REPLY_MAX 512
#define RESIDENT_QUOTE_MAX 200
#define RESIDENT_KAPPA 0.5
#define RESIDENT_CHANNEL 1u
#define VERTEX_CLAIM_MAX 8u /* vertices BASIC agents may host at once */

/* Vertex names in CUBE_MSG order (docs/PROTOCOL.md). */

struct shell_agent {
    int task_id;
    struct agent_job *volatile job;
};

struct resident_agent {
    int task_id;
    struct proto_hosted_vertex vertex;
    struct link_incoming *inbox;
    uint32_t answered;
};

static struct shell_agent shell_agents[SHELL_AGENT_COUNT];
static struct agent_job *job_queue;
static uint8_t job_queue_channel;
static int link_task;

/* XP10 hosts vertex NEU of cube 1; the core reaches it on channel 1. */
static struct resident_agent resident = { .vertex = { .cube = 1, .vertex = 0, .channel = RESIDENT_CHANNEL } };

static struct agent_job *job_take(void) {
    uint32_t flags = irq_save();
    struct agent_job *job = job_queue;
    while (!job) {
        sched_block_on(&job_queue_channel, 0);
        job = job_queue;
    }
    job_queue = job->next;
    irq_restore(flags);
    return job;
}

static void shell_agent_main(void *arg) {
    struct shell_agent *self = arg;
    for (;;) {
        struct agent_job *job = job_take();
        self->job = job;
        job->call.opcode = job->opcode;
        job->call.channel = LINK_CHANNEL_SHELL;
        job->call.payload = job->large_payload ? job->large_payload : job->payload;
        job->call.length = job->length;
        job->call.cancel_requested = job->cancel;
        link_call(&job->call);
        self->job = 0;
        job->done = true;
        sched_wake(job);
    }
}

void agents_submit(struct agent_job *job) {
    job->done = false;
    job->cancel = false;
    job->call.cancel_requested = false;
    job->call.reply = 0;
    job->next = 0;
    uint32_t flags = irq_save();
    struct agent_job **tail = &job_queue;
    while (*tail) tail = &(*tail)->next;
    *tail = job;
    irq_restore(flags);
    sched_wake(&job_queue_channel);
}

void agents_cancel(struct agent_job *job) {
    job->cancel = true;
    uint32_t flags = irq_save();
    for (struct agent_job **link = &job_queue; *link; link = &(*link)->next) {
        if (*link == job) { /* never picked up: finish it here */
            *link = job->next;
            job->call.error = PROTO_ERR_CANCELLED;
            job->done = true;
            break;
        }
    }
    irq_restore(flags);
    if (!job->done) link_cancel(&job->call);
}

struct vertex_claim {
    bool used;
    struct proto_hosted_vertex vertex;
    agents_deliver_fn deliver;
    void *owner;
};

static struct vertex_claim claims[VERTEX_CLAIM_MAX];

static bool hosted_here(uint16_t cube, uint8_t vertex) {
    if (cube == resident.vertex.cube && vertex == resident.vertex.vertex) return true;
    for (unsigned i = 0; i < VERTEX_CLAIM_MAX; i++)
        if (claims[i].used && claims[i].vertex.cube == cube && claims[i].vertex.vertex == vertex) return true;
    return false;
}

int agents_claim_vertex(uint16_t cube, uint8_t vertex, agents_deliver_fn deliver, void *owner) {
    uint32_t flags = irq_save();
    int result = PROTO_ERR_BUSY;
    if (!hosted_here(cube, vertex)) {
        for (unsigned i = 0; i < VERTEX_CLAIM_MAX; i++) {
            if (claims[i].used) continue;
            claims[i] = (struct vertex_claim){ true, { cube, vertex, RESIDENT_CHANNEL }, deliver, owner };
            result = 0;
            break;
        }
    }
    irq_restore(flags);
    return result;
}

bool agents_release_vertices(void *owner) {
    bool any = false;
    uint32_t flags = irq_save();
    for (unsigned i = 0; i < VERTEX_CLAIM_MAX; i++) {
        if (claims[i].used && claims[i].owner == owner) claims[i].used = false, any = true;
    }
    irq_restore(flags);
    return any;
}

unsigned agents_hosted_vertices(struct proto_hosted_vertex *out, unsigned capacity) {
    if (capacity < 1) return 0;
    unsigned n = 0;
    out[n++] = resident.vertex;
    uint32_t flags = irq_save();
    for (unsigned i = 0; i < VERTEX_CLAIM_MAX && n < capacity; i++)
        if (claims[i].used) out[n++] = claims[i].vertex;
    irq_restore(flags);
    return n;
}

int agents_deliver(struct link_incoming *incoming) {
    struct proto_cube_request request;
    if (proto_cube_request_decode(incoming->header.payload, incoming->header.length, &request) != 0)
        return PROTO_ERR_BAD_PAYLOAD;
    uint32_t flags = irq_save();
    for (unsigned i = 0; i < VERTEX_CLAIM_MAX; i++) {
        struct vertex_claim claim = claims[i];
        if (!claim.used || claim.vertex.cube != request.cube || claim.vertex.vertex != request.vertex) continue;
        irq_restore(flags);
        return claim.deliver(claim.owner, incoming);
    }
    irq_restore(flags);
    if (request.cube != resident.vertex.cube || request.vertex != resident.vertex.vertex) return PROTO_ERR_NOT_FOUND;
    if (resident.task_id <= 0) return PROTO_ERR_UNAVAILABLE;
    flags = irq_save();
    struct link_incoming **tail = &resident.inbox;
    while (*tail) tail = &(*tail)->next;
    incoming->next = 0;
    *tail = incoming;
    irq_restore(flags);
    sched_wake(&resident);
    return 0;
}

/* The resident agent's "thought": it acknowledges the message and echoes it back, so
 * the core and the tests can see the round trip through a vertex living in XP10. */
static void resident_answer(struct link_incoming *incoming) {
    struct proto_cube_request request;
    if (proto_cube_request_decode(incoming->header.payload, incoming->header.length, &request) != 0) {
        link_post_error(incoming, PROTO_ERR_BAD_PAYLOAD, "CUBE_MSG does not parse");
        return;
    }
    char text[RESIDENT_REPLY_MAX];
    /* Whole characters only: the reply must stay valid UTF-8. */
    uint32_t quoted = (uint32_t)proto_utf8_prefix(request.text.bytes, request.text.length, RESIDENT_QUOTE_MAX);
    char quote[RESIDENT_QUOTE_MAX + 1];
    memcpy(quote, request.text.bytes, quoted);
    quote[quoted] = '\0';
    resident.answered++;
    size_t n = format_to_buffer(text, sizeof(text), "%s of cube %u in XP10 (message %u, %u bytes) heard: %s",
                                proto_vertex_name(resident.vertex.vertex), resident.vertex.cube, resident.answered,
                                request.text.length, quote);
    struct proto_cube_reply reply = {
        .vertex = resident.vertex.vertex,
        .kappa = RESIDENT_KAPPA,
        .text = { (const uint8_t *)text, (uint32_t)n },
    };
    uint8_t payload[RESIDENT_REPLY_MAX + 16];
    size_t length = proto_cube_reply_encode(&reply, payload, sizeof(payload));
    link_post_reply(incoming, payload, (uint32_t)length);
}

static void resident_main(void *arg) {
    (void)arg;
    for (;;) {
        uint32_t flags = irq_save();
        while (!resident.inbox) sched_block_on(&resident, 0);
        struct link_incoming *incoming = resident.inbox;
        resident.inbox = incoming->next;
        irq_restore(flags);
        resident_answer(incoming);
    }
}

bool agents_describe(int task_id, char *out, size_t capacity) {
    if (task_id == link_task) {
        format_to_buffer(out, capacity, "COM1 packet link");
        return true;
    }
    if (task_id == resident.task_id) {
        format_to_buffer(out, capacity, "resident %s cube %u ch %u, %u answered", proto_vertex_name(resident.vertex.vertex),
                         resident.vertex.cube, resident.vertex.channel, resident.answered);
        return true;
    }
    for (int i = 0; i < SHELL_AGENT_COUNT; i++) {
        if (shell_agents[i].task_id != task_id) continue;
        struct agent_job *job = shell_agents[i].job;
        if (!job)
            format_to_buffer(out, capacity, "shell agent, idle");
        else
            format_to_buffer(out, capacity, "shell agent, waiting for %s", proto_opcode_name(job->opcode));
        return true;
    }
    return basic_agents_describe(task_id, out, capacity);
}

void agents_init(void) {
    /* Machine i of a cube of XP10s hosts vertex i-1 of cube 1 (docs/BRIDGE.md, --guests). */
    resident.vertex.vertex = (uint8_t)(boot_machine_number() - BOOT_MACHINE_MIN);
    link_init();
    link_task = link_task_id();
    for (int i = 0; i < SHELL_AGENT_COUNT; i++) {
        char name[TASK_NAME_MAX];
        format_to_buffer(name, sizeof(name), "agent-%d", i + 1);
        shell_agents[i].task_id = task_spawn(name, shell_agent_main, &shell_agents[i]);
    }
    char resident_name[TASK_NAME_MAX];
    format_to_buffer(resident_name, sizeof(resident_name), "agent-%s", proto_vertex_name(resident.vertex.vertex));
    resident.task_id = task_spawn(resident_name, resident_main, 0);
    basic_agents_autorun();
}
