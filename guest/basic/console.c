/* XP10 BASIC on a shell's console: the `struct basic_host` the `basic` command gives its
 * interpreter. Output goes to the console; INPUT and the Ok prompt read lines with a small
 * line editor of its own (the shell's lineedit: cursor keys, a history of the lines typed to
 * BASIC, Ctrl-U, Ctrl-C); the step hook and SLEEP watch for Ctrl-C and a dropped
 * carrier; requests to the core go to a shell agent exactly as the shell's remote commands
 * do (agents_submit, then the shell task keeps watching its console until the reply), so a
 * BASIC program on the line waits for the core without blocking anyone else. The
 * interpreter runs in the shell's task, which the scheduler preempts like any other, so a
 * tight loop in BASIC never stops the other console or the link. */
#include "basic/console.h"

#include "agents/agents.h"
#include "agents/basic_agents.h"
#include "arch/io.h"
#include "basic/basic.h"
#include "drivers/pit.h"
#include "kernel/task.h"
#include "lib/parse.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "shell/lineedit.h"

#define INPUT_POLL_MS 1000u
#define JOB_POLL_MS 10u
#define SLEEP_POLL_MS 50u
#define KIB 1024u
#define BUDGET_MAX_KIB 4096u

struct basic_console {
    struct shell *shell;
    struct lineedit *edit; /* BASIC's line and history, apart from the shell's */
};

static bool hung_up(struct basic_console *c) {
    struct console *console = c->shell->console;
    return console->carrier_generation && console->carrier_generation() != c->shell->carrier_generation;
}

static void console_out(void *context, const char *text, size_t length) {
    struct basic_console *c = context;
    c->shell->console->write(text, length);
}

static void edit_out(void *context, const char *text, size_t length) {
    struct basic_console *c = context;
    c->shell->console->write(text, length);
}

static int console_read_line(void *context, char *buffer, size_t capacity) {
    struct basic_console *c = context;
    struct console *console = c->shell->console;
    lineedit_begin(c->edit);
    for (;;) {
        if (hung_up(c)) return BASIC_READ_HANGUP;
        int key = shell_read_char(c->shell);
        if (key < 0) {
            console->wait_input(INPUT_POLL_MS);
            continue;
        }
        switch (lineedit_feed(c->edit, (uint8_t)key)) {
        case LINEEDIT_CONTINUE:
            break;
        case LINEEDIT_INTERRUPT:
            console->write("^C\n", 3);
            return BASIC_READ_BREAK;
        case LINEEDIT_LINE: {
            size_t n = strlen(c->edit->line);
            if (n >= capacity) n = capacity - 1;
            memcpy(buffer, c->edit->line, n);
            buffer[n] = '\0';
            return (int)n;
        }
        }
    }
}

static bool console_step(void *context) {
    struct basic_console *c = context;
    return shell_interrupted(c->shell);
}

static uint32_t console_millis(void *context) { return pit_millis(); }

static bool console_sleep(void *context, uint32_t ms) {
    struct basic_console *c = context;
    uint32_t start = pit_millis();
    for (;;) {
        if (shell_interrupted(c->shell)) return false;
        uint32_t elapsed = pit_millis() - start;
        if (elapsed >= ms) return true;
        uint32_t left = ms - elapsed;
        c->shell->console->wait_input(left < SLEEP_POLL_MS ? left : SLEEP_POLL_MS);
    }
}

static int console_core_call(void *context, uint8_t opcode, const uint8_t *payload, uint32_t length, uint8_t *reply,
                             uint32_t reply_capacity, uint32_t *reply_length, char *error_message,
                             size_t message_capacity) {
    struct basic_console *c = context;
    struct agent_job *job = kzalloc(sizeof(*job));
    if (!job) return PROTO_ERR_BUSY;
    job->opcode = opcode;
    /* `payload` outlives the job: this task waits below until the agent is done with it. */
    if (length > AGENT_JOB_PAYLOAD_MAX) job->large_payload = payload;
    else memcpy(job->payload, payload, length);
    job->length = length;
    agents_submit(job);
    bool cancelled = false;
    while (!job->done) {
        if (!cancelled && shell_interrupted(c->shell)) {
            agents_cancel(job);
            cancelled = true;
        }
        /* The agent wakes `job` when it is done, so a reply is taken at once; the timeout
         * only paces the look at the console for Ctrl-C and the carrier. (Waiting on the
         * console instead would add up to a whole poll period to every request.) */
        uint32_t flags = irq_save();
        if (!job->done) sched_block_on(job, JOB_POLL_MS);
        irq_restore(flags);
    }
    int error = link_call_result(&job->call, reply, reply_capacity, reply_length, error_message, message_capacity);
    kfree(job);
    return cancelled ? PROTO_ERR_CANCELLED : error;
}

static void console_start_agent(void *context, const char *listing, uint32_t length) {
    struct basic_console *c = context;
    const char *why = "";
    int id = basic_agent_start("BASIC", listing, length, BASIC_DEFAULT_BUDGET, &why);
    if (id < 0) shell_print(c->shell, "Agent not started: %s.\n", why);
    else shell_print(c->shell, "Agent %d started. `agent log %d` at the XP10 prompt shows its output.\n", id, id);
}

void basic_shell_command(struct shell *shell, int argc, char **argv, const char *rest) {
    uint32_t kib = BASIC_DEFAULT_BUDGET / KIB;
    if (argc > 2 || (argc == 2 && (!parse_u32(argv[1], BUDGET_MAX_KIB, &kib) || kib * KIB < BASIC_MIN_BUDGET))) {
        shell_print(shell, "Usage: basic [KIB]   memory budget, %u..%u KiB (default %u)\n", BASIC_MIN_BUDGET / KIB,
                    BUDGET_MAX_KIB, BASIC_DEFAULT_BUDGET / KIB);
        return;
    }
    struct lineedit *edit = kmalloc(sizeof(*edit));
    if (!edit) {
        shell_print(shell, "Not enough memory for BASIC.\n");
        return;
    }
    struct basic_console context = { .shell = shell, .edit = edit };
    struct lineedit_ops ops = { &context, edit_out, 0 };
    lineedit_init(edit, "", &ops);
    edit->last_was_cr = shell->edit.last_was_cr; /* the CR that ran `basic` may still be followed by its LF */
    struct basic_host host = {
        .context = &context,
        .write = console_out,
        .read_line = console_read_line,
        .step = console_step,
        .step_interval = BASIC_STEP_INTERVAL,
        .millis = console_millis,
        .sleep = console_sleep,
        .core_call = console_core_call,
        .start_agent = console_start_agent,
    };
    struct basic *basic = basic_new(&host, kib * KIB);
    if (basic) {
        basic_repl(basic);
        basic_free(basic);
    } else {
        shell_print(shell, "Not enough memory for BASIC.\n");
    }
    shell->edit.last_was_cr = edit->last_was_cr; /* and the CR of SYSTEM */
    kfree(edit);
}
