#include "agents/link.h"

#include "agents/agents.h"
#include "agents/basic_agents.h"
#include "arch/io.h"
#include "drivers/pit.h"
#include "drivers/serial.h"
#include "kernel/bootargs.h"
#include "kernel/task.h"
#include "kernel/version.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proto/payload.h"

#define LINK_READ_CHUNK 512u
#define LINK_MAX_WAIT_MS 100u
#define LINK_CALL_POLL_MS 50u
#define LINK_HELLO_MAX 256u
/* The max content XP10 announces in HELLO. A peer can send at most 256 fragments of
 * (max content - 10) bytes, so announcing 266 makes the largest message it will try
 * 256 x 256 = 65,536 bytes, exactly what XP10 reassembles (PROTO_REASSEMBLY_MAX). Larger
 * requests are refused TOO_LARGE by the sender at once instead of being sent in vain. */
#define LINK_MAX_CONTENT (PROTO_REASSEMBLY_MAX / PROTO_MAX_FRAGMENTS + PROTO_HEADER_SIZE + PROTO_CRC_SIZE)

/* A reply an agent produced for an incoming request, waiting for the link task. */
struct posted_reply {
    struct link_incoming *incoming;
    bool is_error;
    uint8_t code;
    uint8_t *payload;
    uint32_t length;
    struct posted_reply *next;
};

static struct proto_session session;
static struct link_call *queued_calls, *sent_calls;
static struct posted_reply *posted_replies;
static int link_task;
static uint8_t hello_call_buffer[LINK_HELLO_MAX];
static struct link_call hello_call;

static void link_kick(void) { sched_wake(&com1); }

static void link_write(void *context, const uint8_t *data, size_t length) {
    (void)context;
    serial_write(&com1, data, length);
}

static void list_remove(struct link_call **list, struct link_call *call) {
    for (struct link_call **link = list; *link; link = &(*link)->next) {
        if (*link == call) {
            *link = call->next;
            return;
        }
    }
}

static bool list_contains(struct link_call *list, const struct link_call *call) {
    for (; list; list = list->next)
        if (list == call) return true;
    return false;
}

static void call_finish(struct link_call *call, int error, const char *message) {
    call->error = error;
    format_to_buffer(call->error_message, sizeof(call->error_message), "%s", message ? message : "");
    call->state = LINK_CALL_DONE;
    sched_wake(call);
}

static void link_on_reply(void *context, uint32_t tag, const struct proto_message *reply) {
    (void)context;
    struct link_call *call = (struct link_call *)(uintptr_t)tag;
    if (!list_contains(sent_calls, call)) return;
    list_remove(&sent_calls, call);
    if (call == &hello_call) {
        struct proto_hello peer;
        if (!(reply->flags & PROTO_FLAG_ERROR) && proto_hello_decode(reply->payload, reply->length, &peer) == 0)
            proto_session_apply_peer_hello(&session, peer.window, peer.max_content);
        call_finish(call, 0, 0);
        return;
    }
    if (reply->flags & PROTO_FLAG_ERROR) {
        struct proto_error_payload error;
        if (proto_error_decode(reply->payload, reply->length, &error) != 0 || error.code == 0) {
            call_finish(call, PROTO_ERR_BAD_PAYLOAD, "malformed error reply");
            return;
        }
        char text[LINK_ERROR_MESSAGE_MAX];
        uint32_t n = (uint32_t)proto_utf8_prefix(error.message.bytes, error.message.length, sizeof(text) - 1);
        memcpy(text, error.message.bytes, n);
        text[n] = '\0';
        call_finish(call, error.code, text);
        return;
    }
    call->reply = reply->length ? kmalloc(reply->length) : 0;
    if (reply->length && !call->reply) {
        call_finish(call, PROTO_ERR_INTERNAL, "out of memory for the reply");
        return;
    }
    if (reply->length) memcpy(call->reply, reply->payload, reply->length);
    call->reply_length = reply->length;
    call_finish(call, 0, 0);
}

static void link_on_failure(void *context, uint32_t tag, int code) {
    (void)context;
    struct link_call *call = (struct link_call *)(uintptr_t)tag;
    if (!list_contains(sent_calls, call)) return;
    list_remove(&sent_calls, call);
    call_finish(call, code, "no reply from the core (retries exhausted)");
}

/* Differs between boots so the core forgets our old requests only when we restarted: the TSC
 * (v86 derives it from the host clock) mixed with the uptime. Never 0, which means "none". */
static uint32_t link_boot_id(void) {
    static uint32_t boot_id;
    if (boot_id) return boot_id;
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    uint32_t mixed = (low ^ (high * 0x9E3779B9u) ^ pit_millis()) * 0x85EBCA6Bu;
    boot_id = mixed ^ (mixed >> 13);
    if (!boot_id) boot_id = 1;
    return boot_id;
}

static size_t link_encode_hello(uint8_t *out, size_t capacity) {
    struct proto_hello hello = {
        .version = PROTO_VERSION,
        .max_content = LINK_MAX_CONTENT,
        .window = PROTO_SESSION_MAX_WINDOW,
        .name = { (const uint8_t *)boot_machine_name(), (uint32_t)strlen(boot_machine_name()) },
        .token = { 0, 0 },
        .boot_id = link_boot_id(),
    };
    hello.vertex_count = (uint8_t)agents_hosted_vertices(hello.vertices, PROTO_HELLO_MAX_VERTICES);
    return proto_hello_encode(&hello, out, capacity);
}

static void link_answer_hello(struct proto_session *s, const struct proto_message *request) {
    struct proto_hello peer;
    if (proto_hello_decode(request->payload, request->length, &peer) != 0) {
        proto_session_reply_error(s, request, PROTO_ERR_BAD_PAYLOAD, "HELLO does not parse");
        return;
    }
    if (peer.version != PROTO_VERSION) {
        char message[LINK_ERROR_MESSAGE_MAX];
        format_to_buffer(message, sizeof(message), "peer speaks protocol version %u, XP10 speaks %u",
                         (unsigned)peer.version, (unsigned)PROTO_VERSION);
        proto_session_reply_error(s, request, PROTO_ERR_UNSUPPORTED, message);
        return;
    }
    proto_session_apply_peer_hello(s, peer.window, peer.max_content);
    uint8_t reply[LINK_HELLO_MAX];
    size_t length = link_encode_hello(reply, sizeof(reply));
    proto_session_reply(s, request, reply, (uint32_t)length);
}

static void link_route_to_agent(struct proto_session *s, const struct proto_message *request) {
    struct link_incoming *incoming = kzalloc(sizeof(*incoming));
    uint8_t *data = request->length ? kmalloc(request->length) : 0;
    if (!incoming || (request->length && !data)) {
        kfree(incoming);
        kfree(data);
        proto_session_reply_error(s, request, PROTO_ERR_BUSY, "XP10 is out of memory");
        return;
    }
    if (request->length) memcpy(data, request->payload, request->length);
    incoming->header = *request;
    incoming->header.payload = data;
    incoming->data = data;
    int result = agents_deliver(incoming);
    if (result == 0) return;
    proto_session_reply_error(s, request, (uint8_t)result,
                              result == PROTO_ERR_NOT_FOUND     ? "no such vertex in XP10"
                              : result == PROTO_ERR_BAD_PAYLOAD ? "CUBE_MSG does not parse"
                                                                : "agent unavailable");
    kfree(data);
    kfree(incoming);
}

static void link_on_request(void *context, struct proto_session *s, const struct proto_message *request) {
    (void)context;
    char message[LINK_ERROR_MESSAGE_MAX];
    switch (request->opcode) {
    case PROTO_OP_PING: proto_session_reply(s, request, request->payload, request->length); return;
    case PROTO_OP_HELLO: link_answer_hello(s, request); return;
    case PROTO_OP_CUBE_MSG: link_route_to_agent(s, request); return;
    case PROTO_OP_AGENTS: {
        static uint8_t report[PROTO_AGENTS_REPLY_MAX];
        proto_session_reply(s, request, report, (uint32_t)basic_agents_report(report, sizeof(report)));
        return;
    }
    default:
        format_to_buffer(message, sizeof(message), "XP10 does not serve %s (0x%02x)",
                         proto_opcode_name(request->opcode), request->opcode);
        proto_session_reply_error(s, request, PROTO_ERR_UNSUPPORTED, message);
        return;
    }
}

/* Agents append to queued_calls from other tasks, so it is only touched with IRQs off. */
static struct link_call *queue_pop_front(void) {
    uint32_t flags = irq_save();
    struct link_call *call = queued_calls;
    if (call) queued_calls = call->next;
    irq_restore(flags);
    return call;
}

static void queue_push_front(struct link_call *call) {
    uint32_t flags = irq_save();
    call->next = queued_calls;
    queued_calls = call;
    irq_restore(flags);
}

static void link_send_queued_calls(void) {
    struct link_call *call;
    while ((call = queue_pop_front()) != 0) {
        if (call->cancel_requested) {
            call_finish(call, PROTO_ERR_CANCELLED, "cancelled");
            continue;
        }
        int result = proto_session_request(&session, call->opcode, call->channel, 0, call->payload, call->length,
                                           (uint32_t)(uintptr_t)call, pit_millis());
        if (result == PROTO_ERR_BUSY) { /* window full: try again when a reply frees a slot */
            queue_push_front(call);
            return;
        }
        if (result != 0) {
            call_finish(call, result, "request too large for the link");
            continue;
        }
        call->state = LINK_CALL_SENT;
        call->next = sent_calls;
        sent_calls = call;
    }
}

static void link_cancel_requested(void) {
    struct link_call *call = sent_calls;
    while (call) {
        struct link_call *next = call->next;
        if (call->cancel_requested) {
            proto_session_cancel(&session, (uint32_t)(uintptr_t)call);
            list_remove(&sent_calls, call);
            call_finish(call, PROTO_ERR_CANCELLED, "cancelled");
        }
        call = next;
    }
}

static void link_send_posted_replies(void) {
    for (;;) {
        uint32_t flags = irq_save();
        struct posted_reply *posted = posted_replies;
        if (posted) posted_replies = posted->next;
        irq_restore(flags);
        if (!posted) return;
        if (posted->is_error)
            proto_session_reply_error(&session, &posted->incoming->header, posted->code,
                                      posted->payload ? (const char *)posted->payload : "");
        else
            proto_session_reply(&session, &posted->incoming->header, posted->payload, posted->length);
        kfree(posted->payload);
        kfree(posted->incoming->data);
        kfree(posted->incoming);
        kfree(posted);
    }
}

static void link_read_input(void) {
    uint8_t chunk[LINK_READ_CHUNK];
    for (;;) {
        size_t n = 0;
        int byte;
        while (n < sizeof(chunk) && (byte = serial_read_byte(&com1)) >= 0) chunk[n++] = (uint8_t)byte;
        if (n == 0) return;
        proto_session_input(&session, chunk, n, pit_millis());
    }
}

static void link_task_main(void *arg) {
    (void)arg;
    /* Announce ourselves and the vertices we host; the core may also HELLO first. */
    hello_call.opcode = PROTO_OP_HELLO;
    hello_call.payload = hello_call_buffer;
    hello_call.length = (uint32_t)link_encode_hello(hello_call_buffer, sizeof(hello_call_buffer));
    queue_push_front(&hello_call);
    for (;;) {
        link_read_input();
        link_cancel_requested();
        link_send_queued_calls();
        link_send_posted_replies();
        uint32_t wait = proto_session_poll(&session, pit_millis());
        uint32_t flags = irq_save();
        bool idle = ringbuf_empty(&com1.rx) && !posted_replies && !queued_calls;
        if (idle) sched_block_on(&com1, wait < LINK_MAX_WAIT_MS ? (wait ? wait : 1) : LINK_MAX_WAIT_MS);
        irq_restore(flags);
    }
}

void link_init(void) {
    struct proto_session_config config;
    proto_session_default_config(&config);
    config.max_content = LINK_MAX_CONTENT;
    struct proto_session_ops ops = {
        .context = 0,
        .write = link_write,
        .on_request = link_on_request,
        .on_reply = link_on_reply,
        .on_failure = link_on_failure,
    };
    proto_session_init(&session, &config, &ops);
    link_task = task_spawn("link-COM1", link_task_main, 0);
}

void link_call(struct link_call *call) {
    call->state = LINK_CALL_QUEUED;
    call->error = 0;
    call->error_message[0] = '\0';
    call->reply = 0;
    call->reply_length = 0;
    uint32_t flags = irq_save();
    call->next = 0;
    struct link_call **tail = &queued_calls;
    while (*tail) tail = &(*tail)->next;
    *tail = call;
    irq_restore(flags);
    link_kick();
    while (call->state != LINK_CALL_DONE) {
        flags = irq_save();
        if (call->state != LINK_CALL_DONE) sched_block_on(call, LINK_CALL_POLL_MS);
        irq_restore(flags);
    }
}

void link_cancel(struct link_call *call) {
    call->cancel_requested = true;
    link_kick();
}

static void link_post(struct posted_reply *posted) {
    uint32_t flags = irq_save();
    struct posted_reply **tail = &posted_replies;
    while (*tail) tail = &(*tail)->next;
    posted->next = 0;
    *tail = posted;
    irq_restore(flags);
    link_kick();
}

void link_post_reply(struct link_incoming *incoming, const uint8_t *payload, uint32_t length) {
    struct posted_reply *posted = kzalloc(sizeof(*posted));
    if (!posted) return;
    posted->incoming = incoming;
    posted->payload = length ? kmalloc(length) : 0;
    if (length && posted->payload) memcpy(posted->payload, payload, length);
    posted->length = posted->payload ? length : 0;
    link_post(posted);
}

void link_post_error(struct link_incoming *incoming, uint8_t code, const char *message) {
    struct posted_reply *posted = kzalloc(sizeof(*posted));
    if (!posted) return;
    size_t n = strlen(message);
    posted->incoming = incoming;
    posted->is_error = true;
    posted->code = code;
    posted->payload = kmalloc(n + 1);
    if (posted->payload) memcpy(posted->payload, message, n + 1);
    link_post(posted);
}

const struct proto_stats *link_stats(void) { return &session.stats; }

int link_call_result(struct link_call *call, uint8_t *reply, uint32_t capacity, uint32_t *reply_length,
                     char *error_message, size_t message_capacity) {
    int error = call->error;
    if (error == 0) {
        uint32_t n = call->reply_length < capacity ? call->reply_length : capacity;
        if (n) memcpy(reply, call->reply, n);
        *reply_length = n;
    } else {
        format_to_buffer(error_message, message_capacity, "%s", call->error_message);
    }
    kfree(call->reply);
    call->reply = 0;
    return error;
}

int link_task_id(void) { return link_task; }

int link_announce(void) {
    uint8_t buffer[LINK_HELLO_MAX];
    struct link_call call;
    memset(&call, 0, sizeof(call));
    call.opcode = PROTO_OP_HELLO;
    call.channel = LINK_CHANNEL_SHELL;
    call.payload = buffer;
    call.length = (uint32_t)link_encode_hello(buffer, sizeof(buffer));
    link_call(&call);
    kfree(call.reply);
    return call.error;
}
