/* The shell's line editor: turns what a terminal sends (text, control keys, VT100/ANSI
 * escape sequences for the cursor keys) into an edited command line with a history, and
 * writes the echo that keeps the terminal's screen in step.
 *
 * Push-style: one byte at a time, and everything between two bytes (a half-received escape
 * sequence, the cursor, the history) lives in struct lineedit, so a sequence may be split
 * across reads, interrupts or network packets. Echo uses only printable text, spaces and
 * backspace (cursor left without erasing), which a VT100, xterm.js and XP10's VGA console
 * all understand. Host-neutral: `make test` runs it on the build machine. */
#ifndef XP10_SHELL_LINEEDIT_H
#define XP10_SHELL_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINEEDIT_LINE_MAX 256  /* bytes of a line, its terminating NUL included */
#define LINEEDIT_HISTORY 16    /* lines remembered for up/down */

enum lineedit_result {
    LINEEDIT_CONTINUE,  /* keep feeding */
    LINEEDIT_LINE,      /* Enter: `line` holds the command (NUL-terminated), echo ended with "\n" */
    LINEEDIT_INTERRUPT, /* Ctrl-C: the line was discarded */
};

struct lineedit_ops {
    void *context;
    void (*write)(void *context, const char *text, size_t length);
    /* Tab completion candidates: the index-th command name, NULL past the last. */
    const char *(*name_at)(void *context, unsigned index);
};

enum lineedit_input_state {
    LINEEDIT_INPUT_TEXT,
    LINEEDIT_INPUT_ESCAPE, /* ESC seen */
    LINEEDIT_INPUT_CSI,    /* ESC [ seen: parameters, then a final byte */
    LINEEDIT_INPUT_SS3,    /* ESC O seen (cursor keys in application mode): one final byte */
};

struct lineedit {
    struct lineedit_ops ops;
    const char *prompt; /* reprinted after a list of completions */
    char line[LINEEDIT_LINE_MAX];
    size_t length, cursor;
    bool last_was_cr;
    enum lineedit_input_state input;
    uint32_t csi_param;     /* the first numeric parameter of a CSI sequence */
    bool csi_param_done;    /* a ';' ended the first parameter */
    char history[LINEEDIT_HISTORY][LINEEDIT_LINE_MAX];
    unsigned history_count; /* entries held (at most LINEEDIT_HISTORY) */
    unsigned history_next;  /* slot the next entry goes to */
    unsigned browse;        /* 0: the new line; k: the k-th most recent entry is shown */
    char draft[LINEEDIT_LINE_MAX]; /* the new line, kept while the history is browsed */
    size_t draft_length;
};

void lineedit_init(struct lineedit *e, const char *prompt, const struct lineedit_ops *ops);
/* Starts an empty line; the caller has just printed the prompt. */
void lineedit_begin(struct lineedit *e);
/* Forgets the history, e.g. when a new caller dials in. */
void lineedit_forget_history(struct lineedit *e);
enum lineedit_result lineedit_feed(struct lineedit *e, uint8_t byte);

#endif
