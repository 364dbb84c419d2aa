/* The XP10 command prompt, one instance per console (COM2 line, VGA screen). */
#ifndef XP10_SHELL_SHELL_H
#define XP10_SHELL_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/console.h"
#include "shell/lineedit.h"

#define SHELL_LINE_MAX LINEEDIT_LINE_MAX
#define SHELL_ARGS_MAX 16
#define SHELL_PROMPT "XP10> "

/* Keys typed while a command or a BASIC program runs (a pasted program, the next command typed
 * ahead): watching for Ctrl-C reads them, so they are kept here for whoever reads next. */
#define SHELL_TYPEAHEAD 1024

struct shell {
    struct console *console;
    struct lineedit edit; /* the command line being typed, and the history */
    uint32_t carrier_generation;
    uint32_t commands_run;
    uint8_t typeahead[SHELL_TYPEAHEAD]; /* a ring; full: further keys are dropped */
    uint32_t typeahead_head, typeahead_count;
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
/* For commands that affect the whole machine (crash): true on a console at the machine
 * itself; on a dial-in line it prints why the command is refused and returns false. */
bool shell_require_local(struct shell *shell, const char *command);
/* True when the foreground command should stop: Ctrl-C typed or the carrier dropped. Other
 * keys it reads are kept for shell_read_char; Ctrl-C discards them, as a terminal's flush does. */
bool shell_interrupted(struct shell *shell);
/* True once the carrier dropped (or rose again) since this session began: the caller hung up. */
bool shell_hung_up(struct shell *shell);
/* The next key: typed-ahead keys first, then the console's; -1 when there is none. */
int shell_read_char(struct shell *shell);

/* Every command, local ones first: the index-th, or NULL past the last. */
const struct shell_command *shell_command_at(unsigned index);

extern const struct shell_command shell_local_commands[];
extern const struct shell_command shell_remote_commands[];

#endif
