#include "shell/shell.h"

#include <stdarg.h>

#include "drivers/pit.h"
#include "kernel/task.h"
#include "kernel/version.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pmm.h"

enum {
    KEY_CTRL_C = 0x03,
};

#define SHELL_IDLE_POLL_MS 1000
#define KIB 1024u

static void shell_sink(void *context, const char *text, size_t length) {
    struct shell *shell = context;
    shell->console->write(text, length);
}

void shell_print(struct shell *shell, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    format_v(shell_sink, shell, fmt, args);
    va_end(args);
}

static void shell_banner(struct shell *shell) {
    const struct pmm_info *mem = pmm_info();
    shell_print(shell, "\n%s [Version %s] - %s\n", XP10_NAME, XP10_VERSION, XP10_PRODUCT);
    shell_print(shell, "Console %s. %u KiB memory. Type 'help' for commands.\n\n", shell->console->name,
                (unsigned)(mem->total_bytes / KIB));
}

static void shell_prompt(struct shell *shell) {
    shell_print(shell, "%s", SHELL_PROMPT);
    lineedit_begin(&shell->edit);
}

static bool carrier_changed(struct shell *shell) {
    if (!shell->console->carrier_generation) return false;
    return shell->console->carrier_generation() != shell->carrier_generation;
}

static void typeahead_clear(struct shell *shell) { shell->typeahead_head = shell->typeahead_count = 0; }

bool shell_hung_up(struct shell *shell) { return carrier_changed(shell); }

bool shell_interrupted(struct shell *shell) {
    if (carrier_changed(shell)) return true;
    int c;
    while ((c = shell->console->read_char()) >= 0) {
        if (c == KEY_CTRL_C) {
            typeahead_clear(shell);
            return true;
        }
        if (shell->typeahead_count < SHELL_TYPEAHEAD) {
            shell->typeahead[(shell->typeahead_head + shell->typeahead_count) % SHELL_TYPEAHEAD] = (uint8_t)c;
            shell->typeahead_count++;
        }
    }
    return false;
}

int shell_read_char(struct shell *shell) {
    if (shell->typeahead_count == 0) return shell->console->read_char();
    uint8_t c = shell->typeahead[shell->typeahead_head];
    shell->typeahead_head = (shell->typeahead_head + 1) % SHELL_TYPEAHEAD;
    shell->typeahead_count--;
    return c;
}

bool shell_require_local(struct shell *shell, const char *command) {
    if (shell->console->local) return true;
    shell_print(shell, "'%s' works on the local console only (VGA keyboard), not on %s.\n", command,
                shell->console->name);
    return false;
}

static int shell_split(char *line, char **argv) {
    int argc = 0;
    char *p = line;
    while (*p && argc < SHELL_ARGS_MAX) {
        while (*p == ' ' || *p == '\t') *p++ = '\0';
        if (!*p) break;
        argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t') p++;
    }
    *p = '\0';
    return argc;
}

const struct shell_command *shell_command_at(unsigned index) {
    const struct shell_command *tables[] = { shell_local_commands, shell_remote_commands };
    for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const struct shell_command *c = tables[t]; c->name; c++)
            if (index-- == 0) return c;
    }
    return 0;
}

static const struct shell_command *shell_find(const char *name) {
    const struct shell_command *c;
    for (unsigned i = 0; (c = shell_command_at(i)) != 0; i++)
        if (strcmp(c->name, name) == 0) return c;
    return 0;
}

/* Offset of the text after the first `words` words of the original line. */
static const char *shell_rest_after(const char *line, int words) {
    const char *p = line;
    for (int w = 0; w < words; w++) {
        while (*p == ' ' || *p == '\t') p++;
        while (*p && *p != ' ' && *p != '\t') p++;
    }
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

static void shell_execute(struct shell *shell) {
    char original[SHELL_LINE_MAX];
    char *argv[SHELL_ARGS_MAX];
    memcpy(original, shell->edit.line, shell->edit.length + 1);
    int argc = shell_split(shell->edit.line, argv);
    if (argc == 0) return;
    for (char *p = argv[0]; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    const struct shell_command *command = shell_find(argv[0]);
    if (!command) {
        shell_print(shell, "'%s' is not recognized as a command. Type 'help'.\n", argv[0]);
        return;
    }

    shell->commands_run++;
    command->run(shell, argc, argv, shell_rest_after(original, 1));
}

static void shell_session_edge(struct shell *shell) {
    shell->carrier_generation = shell->console->carrier_generation();
    typeahead_clear(shell); /* keys of the last call are not the next caller's */
    lineedit_forget_history(&shell->edit); /* the next caller does not see this one's commands */
    lineedit_begin(&shell->edit);
    if (shell->console->carrier()) {
        shell_banner(shell);
        shell_prompt(shell);
    } else {
        shell_print(shell, "\nSession ended.\n");
    }
}

static void shell_key(struct shell *shell, int c) {
    switch (lineedit_feed(&shell->edit, (uint8_t)c)) {
    case LINEEDIT_LINE:
        shell_execute(shell);
        if (carrier_changed(shell)) return; /* the session ended under the command */
        shell_prompt(shell);
        sched_yield(); /* let the other console and the agents run between commands */
        break;
    case LINEEDIT_INTERRUPT:
        shell_print(shell, "^C\n");
        shell_prompt(shell);
        break;
    case LINEEDIT_CONTINUE: break;
    }
}

static const char *shell_command_name(void *context, unsigned index) {
    (void)context;
    const struct shell_command *c = shell_command_at(index);
    return c ? c->name : 0;
}

static void shell_task(void *arg) {
    struct shell *shell = arg;
    if (shell->console->carrier_generation) shell->carrier_generation = shell->console->carrier_generation();
    shell_banner(shell);
    shell_prompt(shell);
    for (;;) {
        if (carrier_changed(shell)) {
            shell_session_edge(shell);
            continue;
        }
        int c = shell_read_char(shell);
        if (c < 0) {
            shell->console->wait_input(SHELL_IDLE_POLL_MS);
            continue;
        }
        shell_key(shell, c);
    }
}

void shell_start(struct console *console) {
    struct shell *shell = kzalloc(sizeof(*shell));
    if (!shell) return;
    shell->console = console;
    struct lineedit_ops ops = { shell, shell_sink, shell_command_name };
    lineedit_init(&shell->edit, SHELL_PROMPT, &ops);
    char name[TASK_NAME_MAX];
    format_to_buffer(name, sizeof(name), "shell-%s", console->name);
    task_spawn(name, shell_task, shell);
}
