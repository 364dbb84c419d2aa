/* BASIC agents (see basic_agents.h): each is one task running one interpreter whose host
 * (struct basic_host) is this file instead of a console. */
#include "agents/basic_agents.h"

#include "agents/agents.h"
#include "agents/link.h"
#include "arch/io.h"
#include "basic/basic.h"
#include "drivers/pit.h"
#include "kernel/task.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proto/payload.h"
#include "proto/proto.h"

#define SLEEP_SLICE_MS 50u
#define STOP_POLL_MS 10u
/* The step hook runs every statement: the statement count is exact and a stop is seen at once. */
#define AGENT_STEP_INTERVAL 1u
#define COMMAND_MAX (BASIC_AGENT_NAME_MAX + 16u)
#define INBOX_MAX 16u          /* messages waiting for a hosting agent; more are BUSY */
#define REPLY_KAPPA 0.5        /* what a BASIC vertex reports as its kappa */
#define FROM_MAX 24u

struct basic_agent {
    struct basic_agent_info info;
    int task_id;
    char *text; /* the listing RUN & handed over, until loaded; NULL: LOAD info.name */
    uint32_t text_length;
    volatile bool stop;
    struct basic *basic;
    /* recent output, a ring */
    char log[BASIC_AGENT_LOG];
    uint32_t log_head, log_count;
    /* the output line being written, to spot error reports ("?...") */
    char line[BASIC_AGENT_ERROR_MAX];
    uint32_t line_length;
    uint32_t serial; /* start order, so the oldest finished slot is reused first */
    /* HOST: CUBE_MSGs for the vertex wait here until the program's ON MESSAGE handler takes one */
    struct link_incoming *inbox;
    uint32_t inbox_count;
    struct link_incoming *current; /* the message MSG$ holds, until REPLY answers it */
    char from[FROM_MAX];
};

static struct basic_agent agents[BASIC_AGENT_MAX];
static uint32_t next_serial = 1;

const char *basic_agent_state_name(enum basic_agent_state state) {
    switch (state) {
    case AGENT_FREE: return "free";
    case AGENT_STARTING: return "starting";
    case AGENT_RUNNING: return "running";
    case AGENT_ENDED: return "ended";
    case AGENT_FAILED: return "failed";
    case AGENT_STOPPED: return "stopped";
    }
    return "?";
}

static bool finished(enum basic_agent_state state) {
    return state == AGENT_ENDED || state == AGENT_FAILED || state == AGENT_STOPPED;
}

static void log_put(struct basic_agent *a, char c) {
    a->log[(a->log_head + a->log_count) % BASIC_AGENT_LOG] = c;
    if (a->log_count < BASIC_AGENT_LOG) a->log_count++;
    else a->log_head = (a->log_head + 1) % BASIC_AGENT_LOG;
}

/* ---- the interpreter's host -------------------------------------------------------- */

static void agent_write(void *context, const char *text, size_t length) {
    struct basic_agent *a = context;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        log_put(a, c);
        if (c == '\n') {
            /* "?SYNTAX ERROR IN 20", "?OUT OF MEMORY": the interpreter's error reports */
            if (a->line_length > 0 && a->line[0] == '?') {
                memcpy(a->info.error, a->line, a->line_length);
                a->info.error[a->line_length] = '\0';
            }
            a->line_length = 0;
        } else if (a->line_length + 1 < sizeof(a->line)) {
            a->line[a->line_length++] = c;
        }
    }
}

/* An agent has no console: INPUT ends it as a hang-up ends a program on the line. */
static int agent_read_line(void *context, char *buffer, size_t capacity) {
    (void)context, (void)buffer, (void)capacity;
    return BASIC_READ_HANGUP;
}

static bool agent_step(void *context) {
    struct basic_agent *a = context;
    a->info.statements++;
    return a->stop;
}

static uint32_t agent_millis(void *context) { return pit_millis(); }

/* SLEEP ends early when a message for the hosted vertex arrives, so ON MESSAGE runs at once. */
static bool agent_sleep(void *context, uint32_t ms) {
    struct basic_agent *a = context;
    uint32_t start = pit_millis();
    for (;;) {
        if (a->stop) return false;
        if (a->info.hosting && a->inbox) return true;
        uint32_t elapsed = pit_millis() - start;
        if (elapsed >= ms) return true;
        uint32_t left = ms - elapsed;
        uint32_t flags = irq_save();
        if (!a->inbox) sched_block_on(a, left < SLEEP_SLICE_MS ? left : SLEEP_SLICE_MS);
        irq_restore(flags);
    }
}

/* Runs in the link task: queues a CUBE_MSG for the hosting agent and wakes it. */
static int agent_deliver(void *owner, struct link_incoming *incoming) {
    struct basic_agent *a = owner;
    if (a->stop || a->info.state != AGENT_RUNNING) return PROTO_ERR_UNAVAILABLE;
    uint32_t flags = irq_save();
    if (a->inbox_count >= INBOX_MAX) {
        irq_restore(flags);
        return PROTO_ERR_BUSY;
    }
    struct link_incoming **tail = &a->inbox;
    while (*tail) tail = &(*tail)->next;
    incoming->next = 0;
    *tail = incoming;
    a->inbox_count++;
    irq_restore(flags);
    sched_wake(a);
    return 0;
}

static void drop_incoming(struct link_incoming *incoming, const char *why) {
    link_post_error(incoming, PROTO_ERR_UNAVAILABLE, why);
}

static int agent_host_vertex(void *context, uint32_t cube, uint8_t vertex) {
    struct basic_agent *a = context;
    if (a->info.hosting && a->info.cube == cube && a->info.vertex == vertex) return 0;
    if (a->info.hosting) agents_release_vertices(a);
    a->info.hosting = false;
    int code = agents_claim_vertex((uint16_t)cube, vertex, agent_deliver, a);
    if (code != 0) return code;
    a->info.hosting = true;
    a->info.cube = (uint16_t)cube;
    a->info.vertex = vertex;
    code = link_announce();
    if (code != 0) {
        agents_release_vertices(a);
        a->info.hosting = false;
    }
    return code;
}

static bool agent_next_message(void *context, const char **text, uint32_t *length, const char **from) {
    struct basic_agent *a = context;
    uint32_t flags = irq_save();
    struct link_incoming *incoming = a->inbox;
    if (incoming) a->inbox = incoming->next, a->inbox_count--;
    irq_restore(flags);
    if (!incoming) return false;
    /* The previous message was never answered: the core times it out and counts a fault. */
    if (a->current) drop_incoming(a->current, "the agent took the next message without a REPLY");
    a->current = incoming;
    struct proto_cube_request request;
    if (proto_cube_request_decode(incoming->header.payload, incoming->header.length, &request) != 0) {
        request.text.bytes = 0;
        request.text.length = 0;
    }
    *text = (const char *)request.text.bytes;
    *length = request.text.length;
    format_to_buffer(a->from, sizeof(a->from), "BRIDGE %u", incoming->header.channel);
    *from = a->from;
    return true;
}

static int agent_reply(void *context, const char *text, uint32_t length) {
    struct basic_agent *a = context;
    if (!a->current) return PROTO_ERR_NOT_FOUND;
    uint32_t capacity = length + 16u;
    uint8_t *payload = kmalloc(capacity);
    if (!payload) return PROTO_ERR_BUSY;
    uint32_t keep = (uint32_t)proto_utf8_prefix((const uint8_t *)text, length, length);
    struct proto_cube_reply reply = { a->info.vertex, REPLY_KAPPA, { (const uint8_t *)text, keep } };
    size_t n = proto_cube_reply_encode(&reply, payload, capacity);
    link_post_reply(a->current, payload, (uint32_t)n);
    kfree(payload);
    a->current = 0;
    a->info.answered++;
    return 0;
}

/* The agent is ending: its vertex goes back to the core, waiting messages get an answer. */
static void agent_unhost(struct basic_agent *a) {
    bool hosted = agents_release_vertices(a);
    a->info.hosting = false;
    if (a->current) drop_incoming(a->current, "the agent ended before it replied");
    a->current = 0;
    for (;;) {
        uint32_t flags = irq_save();
        struct link_incoming *incoming = a->inbox;
        if (incoming) a->inbox = incoming->next, a->inbox_count--;
        irq_restore(flags);
        if (!incoming) break;
        drop_incoming(incoming, "the agent hosting this vertex ended");
    }
    if (hosted) link_announce();
}

/* The agent's own task waits on the link: no shell agent is taken from the people typing. */
static int agent_core_call(void *context, uint8_t opcode, const uint8_t *payload, uint32_t length, uint8_t *reply,
                           uint32_t reply_capacity, uint32_t *reply_length, char *error_message,
                           size_t message_capacity) {
    struct basic_agent *a = context;
    if (a->stop) return PROTO_ERR_CANCELLED;
    struct link_call call;
    memset(&call, 0, sizeof(call));
    call.opcode = opcode;
    call.channel = LINK_CHANNEL_SHELL;
    call.payload = payload;
    call.length = length;
    link_call(&call);
    return link_call_result(&call, reply, reply_capacity, reply_length, error_message, message_capacity);
}

static const struct basic_host agent_host_template = {
    .context = 0,
    .write = agent_write,
    .read_line = agent_read_line,
    .step = agent_step,
    .step_interval = AGENT_STEP_INTERVAL,
    .no_prompt = true,
    .millis = agent_millis,
    .sleep = agent_sleep,
    .core_call = agent_core_call,
    .start_agent = 0,
    .host_vertex = agent_host_vertex,
    .next_message = agent_next_message,
    .reply = agent_reply,
};

static void agent_main(void *arg) {
    struct basic_agent *a = arg;
    struct basic_host host = agent_host_template;
    host.context = a;
    struct basic *b = basic_new(&host, a->info.budget);
    if (!b) {
        format_to_buffer(a->info.error, sizeof(a->info.error), "?OUT OF MEMORY");
        kfree(a->text);
        a->text = 0;
        a->info.state = AGENT_FAILED;
        return;
    }
    a->basic = b;
    a->info.state = AGENT_RUNNING;
    if (a->text) {
        basic_enter_program(b, a->text, a->text_length);
        kfree(a->text);
        a->text = 0;
    } else {
        char command[COMMAND_MAX];
        format_to_buffer(command, sizeof(command), "LOAD \"%s\"", a->info.name);
        basic_enter_line(b, command);
    }
    if (!a->info.error[0] && !a->stop) basic_enter_line(b, "RUN");
    a->info.memory_used = basic_memory(b).peak;
    uint32_t flags = irq_save();
    a->basic = 0;
    irq_restore(flags);
    basic_free(b);
    enum basic_agent_state end = a->stop ? AGENT_STOPPED : a->info.error[0] ? AGENT_FAILED : AGENT_ENDED;
    a->info.state = end; /* before unhosting: agent_deliver refuses from now on */
    agent_unhost(a);
}

/* ---- the table ----------------------------------------------------------------------- */

static struct basic_agent *slot_for_start(void) {
    struct basic_agent *oldest = 0;
    for (int i = 0; i < BASIC_AGENT_MAX; i++) {
        struct basic_agent *a = &agents[i];
        if (a->info.state == AGENT_FREE) return a;
        if (finished(a->info.state) && (!oldest || a->serial < oldest->serial)) oldest = a;
    }
    return oldest;
}

int basic_agent_start(const char *name, const char *text, uint32_t length, uint32_t budget, const char **why) {
    uint32_t flags = irq_save();
    struct basic_agent *a = slot_for_start();
    if (a) a->info.state = AGENT_STARTING; /* claimed before another caller looks */
    irq_restore(flags);
    if (!a) {
        *why = "all agent slots are running: stop one first";
        return -1;
    }
    int id = (int)(a - agents) + 1;
    char *copy = 0;
    if (text) {
        copy = kmalloc(length ? length : 1u);
        if (!copy) {
            a->info.state = AGENT_FREE;
            *why = "not enough memory for the program";
            return -1;
        }
        memcpy(copy, text, length);
    }
    memset(&a->info, 0, sizeof(a->info));
    a->info.id = id;
    a->info.state = AGENT_STARTING;
    a->info.budget = budget;
    format_to_buffer(a->info.name, sizeof(a->info.name), "%s", name);
    a->text = copy;
    a->text_length = length;
    a->stop = false;
    a->log_head = a->log_count = 0;
    a->line_length = 0;
    a->inbox = a->current = 0;
    a->inbox_count = 0;
    a->serial = next_serial++;
    char task_name[TASK_NAME_MAX];
    format_to_buffer(task_name, sizeof(task_name), "basic-%d", id);
    a->task_id = task_spawn(task_name, agent_main, a);
    if (a->task_id < 0) {
        kfree(copy);
        a->text = 0;
        a->info.state = AGENT_FREE;
        *why = "no free task";
        return -1;
    }
    return id;
}

static struct basic_agent *agent_by_id(int id) {
    if (id < 1 || id > BASIC_AGENT_MAX || agents[id - 1].info.state == AGENT_FREE) return 0;
    return &agents[id - 1];
}

bool basic_agent_stop(int id, uint32_t wait_ms) {
    struct basic_agent *a = agent_by_id(id);
    if (!a || finished(a->info.state)) return false;
    a->stop = true;
    uint32_t start = pit_millis();
    while (!finished(a->info.state) && pit_millis() - start < wait_ms) sched_sleep_ms(STOP_POLL_MS);
    return true;
}

/* With interrupts off, so the agent cannot free its interpreter in between. */
static void snapshot(const struct basic_agent *a, struct basic_agent_info *out) {
    uint32_t flags = irq_save();
    *out = a->info;
    struct basic *b = a->basic;
    if (b) out->memory_used = basic_memory(b).used;
    irq_restore(flags);
}

bool basic_agent_info(int id, struct basic_agent_info *out) {
    struct basic_agent *a = agent_by_id(id);
    if (!a) return false;
    snapshot(a, out);
    return true;
}

bool basic_agent_info_at(unsigned index, struct basic_agent_info *out) {
    for (int i = 0; i < BASIC_AGENT_MAX; i++) {
        if (agents[i].info.state == AGENT_FREE) continue;
        if (index-- == 0) {
            snapshot(&agents[i], out);
            return true;
        }
    }
    return false;
}

int basic_agent_log(int id, char *out, size_t capacity) {
    struct basic_agent *a = agent_by_id(id);
    if (!a || capacity == 0) return -1;
    uint32_t flags = irq_save();
    uint32_t n = a->log_count < capacity - 1 ? a->log_count : (uint32_t)(capacity - 1);
    uint32_t skip = a->log_count - n;
    for (uint32_t i = 0; i < n; i++) out[i] = a->log[(a->log_head + skip + i) % BASIC_AGENT_LOG];
    irq_restore(flags);
    out[n] = '\0';
    return (int)n;
}

bool basic_agents_describe(int task_id, char *out, size_t capacity) {
    for (int i = 0; i < BASIC_AGENT_MAX; i++) {
        const struct basic_agent *a = &agents[i];
        if (a->info.state != AGENT_RUNNING && a->info.state != AGENT_STARTING) continue;
        if (a->task_id != task_id) continue;
        format_to_buffer(out, capacity, "BASIC agent %d %s, %u statements", a->info.id, a->info.name,
                         a->info.statements);
        return true;
    }
    return false;
}

/* ---- autorun ------------------------------------------------------------------------- */

static void autorun_main(void *arg) {
    (void)arg;
    static const char name[] = BASIC_AGENT_AUTORUN;
    uint8_t request_bytes[2u + PROTO_PROGRAM_NAME_MAX];
    struct proto_program_request request = {
        PROTO_PROGRAM_LOAD, { (const uint8_t *)name, sizeof(name) - 1u }, { 0, 0 }, 0
    };
    struct link_call call;
    memset(&call, 0, sizeof(call));
    call.opcode = PROTO_OP_PROGRAM;
    call.channel = LINK_CHANNEL_SHELL;
    call.payload = request_bytes;
    call.length = (uint32_t)proto_program_request_encode(&request, request_bytes, sizeof(request_bytes));
    link_call(&call); /* NOT_FOUND (no AUTORUN) or no core at all: nothing to start */
    const char *text = (const char *)call.reply;
    uint32_t at = 0;
    while (call.error == 0 && text && at < call.reply_length) {
        uint32_t end = at;
        while (end < call.reply_length && text[end] != '\n') end++;
        uint32_t start = at, stop = end;
        while (start < stop && (text[start] == ' ' || text[start] == '\t')) start++;
        while (stop > start && (text[stop - 1] == ' ' || text[stop - 1] == '\t' || text[stop - 1] == '\r')) stop--;
        char program[BASIC_AGENT_NAME_MAX + 1];
        uint32_t n = stop - start;
        if (n > 0 && n <= BASIC_AGENT_NAME_MAX && proto_program_name_valid((const uint8_t *)text + start, n)) {
            memcpy(program, text + start, n);
            program[n] = '\0';
            const char *why = "";
            basic_agent_start(program, 0, 0, BASIC_DEFAULT_BUDGET, &why);
        }
        at = end + 1;
    }
    kfree(call.reply);
}

void basic_agents_autorun(void) { task_spawn("autorun", autorun_main, 0); }

/* ---- the AGENTS report ---------------------------------------------------------------- */

/* The last non-empty line of the agent's log, TABs as spaces (the reply splits fields by TAB). */
static uint32_t last_line(const struct basic_agent *a, char *out, uint32_t capacity) {
    uint32_t end = a->log_count;
    while (end > 0 && a->log[(a->log_head + end - 1) % BASIC_AGENT_LOG] == '\n') end--;
    uint32_t start = end;
    while (start > 0 && a->log[(a->log_head + start - 1) % BASIC_AGENT_LOG] != '\n') start--;
    uint32_t n = 0;
    for (uint32_t i = start; i < end && n + 1 < capacity; i++) {
        char c = a->log[(a->log_head + i) % BASIC_AGENT_LOG];
        out[n++] = c == '\t' || c == '\r' ? ' ' : c;
    }
    return n;
}

size_t basic_agents_report(uint8_t *out, size_t capacity) {
    static struct proto_agent_status status[BASIC_AGENT_MAX];
    static char lines[BASIC_AGENT_MAX][PROTO_AGENT_LINE_MAX + 4];
    unsigned count = 0;
    uint32_t flags = irq_save(); /* a consistent picture: no agent writes its log meanwhile */
    for (int i = 0; i < BASIC_AGENT_MAX; i++) {
        const struct basic_agent *a = &agents[i];
        if (a->info.state == AGENT_FREE) continue;
        struct basic_agent_info info;
        info = a->info;
        if (a->basic) info.memory_used = basic_memory(a->basic).used;
        uint32_t n = last_line(a, lines[count], sizeof(lines[count]));
        const char *state = basic_agent_state_name(info.state);
        status[count] = (struct proto_agent_status){
            (uint8_t)info.id,
            { (const uint8_t *)a->info.name, (uint32_t)strlen(a->info.name) },
            { (const uint8_t *)state, (uint32_t)strlen(state) },
            info.hosting,
            info.cube,
            info.vertex,
            info.statements,
            info.memory_used,
            { (const uint8_t *)lines[count], n },
        };
        count++;
    }
    size_t length = proto_agents_reply_encode(status, count, out, capacity);
    irq_restore(flags);
    return length;
}
