/* XP10 BASIC: a line-numbered BASIC in the kernel, entered with `basic` from the shell.
 *
 * One interpreter instance is one `struct basic`. Everything it owns (program lines,
 * variables, arrays, strings, its stacks) comes from one allocator with a byte budget
 * (memory.c), so a program can exhaust only itself: it gets ?OUT OF MEMORY, never the
 * kernel. The instance never touches a device: it talks to the world through a
 * `struct basic_host` (console output, INPUT lines, the clock, the Konomi core), which the
 * shell binds to its console today (console.c) and a background agent task can bind to a
 * log and a message inbox later. The host's `step` hook is called every `step_interval`
 * statements and while waiting, so the host can stop (Ctrl-C, hang-up) or, later,
 * preempt the program. */
#ifndef XP10_BASIC_BASIC_H
#define XP10_BASIC_BASIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BASIC_DEFAULT_BUDGET (64u * 1024u)
#define BASIC_MIN_BUDGET (8u * 1024u)
#define BASIC_LINE_MAX 255u          /* characters in one typed line */
#define BASIC_CORE_PAYLOAD_MAX 4096u /* a request or reply to the core */
#define BASIC_STEP_INTERVAL 256u

/* read_line results other than a length */
#define BASIC_READ_HANGUP (-1)
#define BASIC_READ_BREAK (-2)

struct basic_host {
    void *context;
    void (*write)(void *context, const char *text, size_t length);
    /* One line without its line end into `buffer` (NUL-terminated): its length, or
     * BASIC_READ_BREAK (Ctrl-C) or BASIC_READ_HANGUP (the caller is gone). */
    int (*read_line)(void *context, char *buffer, size_t capacity);
    /* The step hook: true asks the running program to stop ("Break"). */
    bool (*step)(void *context);
    uint32_t step_interval;
    /* No `Ok` after a direct command: a host without a person at a prompt (an agent's log). */
    bool no_prompt;
    uint32_t (*millis)(void *context);
    /* Waits `ms`; false when the wait was interrupted (then the program stops). */
    bool (*sleep)(void *context, uint32_t ms);
    /* A request to the Konomi core over the packet link. Returns 0 with the reply copied to
     * `reply` (*reply_length bytes), or a wire error code (proto.h, PROTO_ERR_CANCELLED when
     * interrupted) with a NUL-terminated message in `error_message`. NULL: no core. */
    int (*core_call)(void *context, uint8_t opcode, const uint8_t *payload, uint32_t length, uint8_t *reply,
                     uint32_t reply_capacity, uint32_t *reply_length, char *error_message, size_t message_capacity);
    /* RUN &: starts the program (its listing) as a background agent and says so on the
     * console. NULL: no agents here (RUN & is then a syntax error). */
    void (*start_agent)(void *context, const char *listing, uint32_t length);
    /* HOST: claims a cube vertex for this program (0, or a wire error code). NULL: only agents
     * host vertices (HOST is then ?ILLEGAL FUNCTION CALL). */
    int (*host_vertex)(void *context, uint32_t cube, uint8_t vertex);
    /* The next CUBE_MSG for a hosted vertex, if one waits: its text and sender, valid until the
     * next call; it becomes the message REPLY answers. */
    bool (*next_message)(void *context, const char **text, uint32_t *length, const char **from);
    /* REPLY: answers the current message (0, or a wire error code: NOT_FOUND when there is none). */
    int (*reply)(void *context, const char *text, uint32_t length);
};

struct basic;

/* NULL when `budget` cannot hold even the interpreter itself. */
struct basic *basic_new(const struct basic_host *host, uint32_t budget);
void basic_free(struct basic *basic);

/* The Ok prompt: reads lines until SYSTEM or hang-up. Returns true on SYSTEM. */
bool basic_repl(struct basic *basic);
/* What the prompt does with one typed line (a numbered line is stored or deleted, anything
 * else runs at once). Returns false after SYSTEM. */
bool basic_enter_line(struct basic *basic, const char *text);
/* Stores a listing's numbered lines (LF or CRLF) into the empty program, as LOAD does with a
 * file; a bad line is reported like a typed one. Returns false on an error. */
bool basic_enter_program(struct basic *basic, const char *text, uint32_t length);

struct basic_memory_stats {
    uint32_t budget;
    uint32_t used;
    uint32_t peak;
    uint32_t blocks;
};
struct basic_memory_stats basic_memory(const struct basic *basic);
/* Bytes and blocks held by every live instance together (the fuzzer's leak check). */
uint32_t basic_live_blocks(void);

#endif
