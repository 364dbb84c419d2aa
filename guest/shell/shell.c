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
    KEY_BACKSPACE = 0x08,
    KEY_DELETE = 0x7F,
    KEY_ESCAPE = 0x1B,
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
    shell->length = 0;
    shell_print(shell, "%s", SHELL_PROMPT);
}

static bool carrier_changed(struct shell *shell) {
    if (!shell->console->carrier_generation) return false;
    return shell->console->carrier_generation() != shell->carrier_generation;
}

bool shell_interrupted(struct shell *shell) {
    if (carrier_changed(shell)) return true;
    int c;
    while ((c = shell->console->read_char()) >= 0) {
        if (c == KEY_CTRL_C) return true;
    }
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

static const struct shell_command *shell_find(const char *name) {
    const struct shell_command *tables[] = { shell_local_commands, shell_remote_commands };
    for (unsigned t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const struct shell_command *c = tables[t]; c->name; c++)
            if (strcmp(c->name, name) == 0) return c;
    }
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
    shell->line[shell->length] = '\0';
    memcpy(original, shell->line, shell->length + 1);
    int argc = shell_split(shell->line, argv);
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
    shell->length = 0;
    if (shell->console->carrier()) {
        shell_banner(shell);
        shell_prompt(shell);
    } else {
        shell_print(shell, "\nSession ended.\n");
    }
}

static void shell_key(struct shell *shell, int c) {
    if (c == '\n' && shell->last_was_cr) {
        shell->last_was_cr = false;
        return;
    }
    shell->last_was_cr = (c == '\r');
    if (c == '\r' || c == '\n') {
        shell_print(shell, "\n");
        shell_execute(shell);
        if (carrier_changed(shell)) return; /* the session ended under the command */
        shell_prompt(shell);
        sched_yield(); /* let the other console and the agents run between commands */
    } else if (c == KEY_BACKSPACE || c == KEY_DELETE) {
        if (shell->length > 0) {
            shell->length--;
            shell_print(shell, "\b \b");
        }
    } else if (c == KEY_CTRL_C) {
        shell_print(shell, "^C\n");
        shell_prompt(shell);
    } else if (c >= ' ' && c != KEY_DELETE && shell->length + 1 < SHELL_LINE_MAX) {
        shell->line[shell->length++] = (char)c;
        char echo = (char)c;
        shell->console->write(&echo, 1);
    }
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
        int c = shell->console->read_char();
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
    char name[TASK_NAME_MAX];
    format_to_buffer(name, sizeof(name), "shell-%s", console->name);
    task_spawn(name, shell_task, shell);
}
