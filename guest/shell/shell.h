/* The XP10 command prompt, one instance per console (COM2 line, VGA screen). */
#ifndef XP10_SHELL_SHELL_H
#define XP10_SHELL_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/console.h"

#define SHELL_LINE_MAX 256
#define SHELL_ARGS_MAX 16
#define SHELL_PROMPT "XP10> "

struct shell {
    struct console *console;
    char line[SHELL_LINE_MAX];
    size_t length;
    bool last_was_cr;
    uint32_t carrier_generation;
    uint32_t commands_run;
};

struct shell_command {
    const char *name;
    const char *usage;
    const char *help;
    /* argv[0] is the command name; `rest` is the raw text after the name (for free text). */
    void (*run)(struct shell *shell, int argc, char **argv, const char *rest);
};

void shell_start(struct console *console);
void shell_print(struct shell *shell, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when the foreground command should stop: Ctrl-C typed or the carrier dropped. */
bool shell_interrupted(struct shell *shell);

extern const struct shell_command shell_local_commands[];
extern const struct shell_command shell_remote_commands[];

#endif
