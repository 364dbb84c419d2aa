/* The shell's line editor on the host. A small model of a terminal (printable characters,
 * backspace = cursor left, newline) renders the editor's echo, so each test checks both the
 * line the shell will run and what the person at the terminal sees, cursor included. */
#include <string.h>

#include "shell/lineedit.h"
#include "test/check.h"

#define SCREEN_COLUMNS 512
#define PROMPT "XP10> "

struct terminal {
    char row[SCREEN_COLUMNS + 1]; /* the current row */
    size_t column;
    unsigned rows_done;           /* newlines seen */
    char all[8192];               /* everything written, for the completion list */
    size_t all_length;
    unsigned bells;
};

static void terminal_write(void *context, const char *text, size_t length) {
    struct terminal *t = context;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (t->all_length + 1 < sizeof(t->all)) t->all[t->all_length++] = c, t->all[t->all_length] = '\0';
        if (c == '\b') {
            if (t->column > 0) t->column--;
        } else if (c == '\n') {
            memset(t->row, ' ', SCREEN_COLUMNS);
            t->column = 0;
            t->rows_done++;
        } else if (c == '\a') {
            t->bells++;
        } else if (c >= ' ' && t->column < SCREEN_COLUMNS) {
            t->row[t->column++] = c;
        }
    }
}

static const char *const names[] = { "help", "ver", "mem", "uptime", "ps", "stats", "clear", "busy", "crash",
                                     "ping", "block", "llm", "tensor", "cube" };

static const char *name_at(void *context, unsigned index) {
    (void)context;
    return index < sizeof(names) / sizeof(names[0]) ? names[index] : 0;
}

struct fixture {
    struct terminal term;
    struct lineedit edit;
    unsigned lines, interrupts;
    char last_line[LINEEDIT_LINE_MAX];
};

static void prompt(struct fixture *f) {
    terminal_write(&f->term, PROMPT, strlen(PROMPT));
    lineedit_begin(&f->edit);
}

static void setup(struct fixture *f) {
    memset(f, 0, sizeof(*f));
    memset(f->term.row, ' ', SCREEN_COLUMNS);
    struct lineedit_ops ops = { &f->term, terminal_write, name_at };
    lineedit_init(&f->edit, PROMPT, &ops);
    prompt(f);
}

static void feed(struct fixture *f, const char *bytes, size_t length) {
    for (size_t i = 0; i < length; i++) {
        enum lineedit_result r = lineedit_feed(&f->edit, (uint8_t)bytes[i]);
        if (r == LINEEDIT_LINE) {
            f->lines++;
            strcpy(f->last_line, f->edit.line);
            prompt(f);
        } else if (r == LINEEDIT_INTERRUPT) {
            f->interrupts++;
            terminal_write(&f->term, "^C\n", 3);
            prompt(f);
        }
    }
}

static void type(struct fixture *f, const char *text) { feed(f, text, strlen(text)); }

/* The terminal shows the prompt and the line, and its cursor sits where the editor's is. */
static bool screen_matches(const struct fixture *f) {
    char expected[SCREEN_COLUMNS + 1];
    size_t n = (size_t)snprintf(expected, sizeof(expected), "%s%.*s", PROMPT, (int)f->edit.length, f->edit.line);
    for (size_t i = 0; i < SCREEN_COLUMNS; i++) {
        char want = i < n ? expected[i] : ' ';
        if (f->term.row[i] != want) return false;
    }
    return f->term.column == strlen(PROMPT) + f->edit.cursor;
}

/* The line being edited, NUL-terminated (the editor terminates it only on Enter). */
static const char *current(struct fixture *f) {
    f->edit.line[f->edit.length] = '\0';
    return f->edit.line;
}

/* Runs `input` and returns the line it produced (checking the screen before Enter). */
static const char *edit(struct fixture *f, const char *input) {
    setup(f);
    type(f, input);
    CHECK(screen_matches(f), "screen shows the line for %s (row '%.40s' column %zu)", input, f->term.row,
          f->term.column);
    type(f, "\r");
    return f->last_line;
}

static void test_cursor_keys(void) {
    struct fixture f;
    CHECK(strcmp(edit(&f, "vr\x1b[DE"), "vEr") == 0, "left arrow, insert in the middle");
    CHECK(strcmp(edit(&f, "ac\x1b[Db\x1b[Cd"), "abcd") == 0, "left then right");
    CHECK(strcmp(edit(&f, "bc\x1b[Ha\x1b[F!"), "abc!") == 0, "Home (CSI H) and End (CSI F)");
    CHECK(strcmp(edit(&f, "bc\x1bOHa\x1bOF!"), "abc!") == 0, "Home and End in application mode (SS3)");
    CHECK(strcmp(edit(&f, "bc\x1b[1~a\x1b[4~!"), "abc!") == 0, "Home and End as VT220 keys (CSI 1~, 4~)");
    CHECK(strcmp(edit(&f, "bc\x1b[7~a\x1b[8~!"), "abc!") == 0, "Home and End as rxvt keys (CSI 7~, 8~)");
    CHECK(strcmp(edit(&f, "abXc\x1b[D\x1b[D\x1b[3~"), "abc") == 0, "Delete removes the character under the cursor");
    CHECK(strcmp(edit(&f, "ab\x1bOD\x1bODx"), "xab") == 0, "left in application mode");
    CHECK(strcmp(edit(&f, "\x1b[D\x1b[Dab\x1b[C\x1b[C"), "ab") == 0, "arrows stop at both ends");
    CHECK(strcmp(edit(&f, "ab\x1b[1;5Dx"), "axb") == 0, "a modifier parameter (Ctrl-Left) is still left");
    CHECK(strcmp(edit(&f, "a\x1b[15~\x1b[?1h\x1b[Zb"), "ab") == 0, "unknown sequences are dropped whole");
    CHECK(strcmp(edit(&f, "a\x1bxb"), "axb") == 0, "a lone Escape is dropped, the next byte is a key");
    CHECK(strcmp(edit(&f, "a\x1b[99999999999999C\x1b[Db"), "ba") == 0, "a huge parameter is clamped");
}

static void test_editing_keys(void) {
    struct fixture f;
    CHECK(strcmp(edit(&f, "vex\x7fr"), "ver") == 0, "DEL erases before the cursor");
    CHECK(strcmp(edit(&f, "vex\br"), "ver") == 0, "BS erases before the cursor");
    CHECK(strcmp(edit(&f, "abc\x1b[D\x1b[D\x7fX"), "Xbc") == 0, "erasing in the middle closes the gap");
    CHECK(strcmp(edit(&f, "garbage\x15ver"), "ver") == 0, "Ctrl-U clears the line");
    CHECK(strcmp(edit(&f, "garbage\x1b[D\x1b[D\x15ok"), "ok") == 0, "Ctrl-U clears from the middle too");
    CHECK(strcmp(edit(&f, "abcdef\x1b[D\x1b[D\x0b"), "abcd") == 0, "Ctrl-K erases to the end");
    CHECK(strcmp(edit(&f, "bc\x01" "a\x05!"), "abc!") == 0, "Ctrl-A and Ctrl-E");
    CHECK(strcmp(edit(&f, "ac\x02" "b\x06" "d"), "abcd") == 0, "Ctrl-B and Ctrl-F");
    setup(&f);
    feed(&f, "a\0\x07\x1c\xff" "b\r", 7);
    CHECK(strcmp(f.last_line, "ab") == 0, "other control bytes and 8-bit bytes are ignored");

    setup(&f);
    type(&f, "ver\r\n");
    type(&f, "ps\r\x00");
    CHECK(f.lines == 2 && strcmp(f.last_line, "ps") == 0, "CR LF and CR NUL are one Enter each (%u)", f.lines);

    setup(&f);
    type(&f, "long running\x03");
    CHECK(f.interrupts == 1 && f.lines == 0 && f.edit.length == 0, "Ctrl-C discards the line");
    CHECK(screen_matches(&f), "a fresh prompt after Ctrl-C");
    type(&f, "ab\x1b[\x03" "cd\r");
    CHECK(f.interrupts == 2 && strcmp(f.last_line, "cd") == 0, "Ctrl-C inside a sequence still interrupts");

    setup(&f);
    char full[LINEEDIT_LINE_MAX + 20];
    memset(full, 'x', sizeof(full));
    feed(&f, full, sizeof(full));
    CHECK(f.edit.length == LINEEDIT_LINE_MAX - 1 && f.term.bells == 21, "the line stops at %u bytes, then rings",
          LINEEDIT_LINE_MAX - 1);
}

static void test_history(void) {
    struct fixture f;
    setup(&f);
    type(&f, "ver\r");
    type(&f, "mem\r");
    type(&f, "mem\r"); /* a repeat is stored once */
    type(&f, "\r");    /* an empty line is not stored */
    type(&f, "draft\x1b[A");
    CHECK(strcmp(current(&f), "mem") == 0, "up shows the last line");
    CHECK(screen_matches(&f), "the longer draft is erased from the screen");
    type(&f, "\x1b[A");
    CHECK(strcmp(current(&f), "ver") == 0 && screen_matches(&f), "up again: the one before");
    type(&f, "\x1b[A");
    CHECK(f.term.bells == 1 && strcmp(current(&f), "ver") == 0, "nothing older: bell, line unchanged");
    type(&f, "\x1b[B\x1b[B");
    CHECK(strcmp(current(&f), "draft") == 0 && screen_matches(&f), "down past the newest brings the draft back");
    type(&f, "\x15\x10\x10 -x\r");
    CHECK(strcmp(f.last_line, "ver -x") == 0, "Ctrl-P walks back too; a recalled line can be edited");
    type(&f, "\x1b[A\r");
    CHECK(strcmp(f.last_line, "ver -x") == 0, "the edited line became the newest entry");

    setup(&f);
    char line[8];
    for (int i = 0; i < LINEEDIT_HISTORY + 4; i++) {
        snprintf(line, sizeof(line), "c%d\r", i);
        type(&f, line);
    }
    for (int i = 0; i < LINEEDIT_HISTORY + 4; i++) type(&f, "\x1b[A");
    CHECK(strcmp(current(&f), "c4") == 0 && f.term.bells == 4, "the last %d entries are kept (oldest: %s)",
          LINEEDIT_HISTORY, current(&f));

    lineedit_forget_history(&f.edit);
    type(&f, "\x15\x1b[A");
    CHECK(f.edit.length == 0, "a forgotten history recalls nothing");
}

static void test_completion(void) {
    struct fixture f;
    CHECK(strcmp(edit(&f, "up\t"), "uptime ") == 0, "one match is completed with a space");
    CHECK(strcmp(edit(&f, "UP\t"), "UPtime ") == 0, "matching ignores case");
    CHECK(strcmp(edit(&f, "bl\tget 1 2 3"), "block get 1 2 3") == 0, "completion, then arguments");
    CHECK(strcmp(edit(&f, "zz\t"), "zz") == 0 && f.term.bells == 1, "no match rings the bell");
    CHECK(strcmp(edit(&f, "ver \t"), "ver ") == 0, "only the command name is completed");

    setup(&f);
    type(&f, "c\t");
    CHECK(f.edit.length == 1, "several matches with no longer common prefix: nothing inserted");
    CHECK(strstr(f.term.all, "\nclear  crash  cube\n" PROMPT "c") != 0, "they are listed, then the prompt and line");
    CHECK(screen_matches(&f), "the cursor is back at the end of the line");
    type(&f, "r\t");
    CHECK(strcmp(current(&f), "crash ") == 0, "one more letter makes it unique");

    setup(&f);
    type(&f, "p\t");
    CHECK(strcmp(current(&f), "p") == 0 && strstr(f.term.all, "ps  ping") != 0, "p lists ps and ping");
    setup(&f);
    type(&f, "cr\x1b[D\t");
    CHECK(f.term.bells == 1 && f.edit.length == 2, "Tab with the cursor inside the word does nothing but ring");
}

/* A push parser: the same input split into two chunks at every position, with other work
 * between the chunks, gives the same line and the same screen. */
static void test_every_split(void) {
    static const char input[] = "xy\x1b[D\x1b[1~a\x1bOF\x1b[3~b\x1b[Acd\x7f\x15ver\x1b[1;5D\x1b[C -v\t";
    struct fixture whole, split;
    setup(&whole);
    feed(&whole, input, sizeof(input) - 1);
    bool all_same = true;
    for (size_t at = 0; at <= sizeof(input) - 1; at++) {
        setup(&split);
        feed(&split, input, at);
        struct lineedit copy = split.edit; /* the state is all in the struct: a copy resumes it */
        split.edit = copy;
        feed(&split, input + at, sizeof(input) - 1 - at);
        if (split.edit.length != whole.edit.length || memcmp(split.edit.line, whole.edit.line, whole.edit.length) ||
            memcmp(split.term.row, whole.term.row, SCREEN_COLUMNS) || split.term.column != whole.term.column)
            all_same = false;
    }
    CHECK(all_same, "every split of the input gives the same line and screen");
    CHECK(screen_matches(&whole), "and that screen shows the line");
}

/* Random bytes, biased towards the keys and sequences the editor knows: whatever arrives,
 * the line stays in bounds and the terminal keeps showing exactly the line and cursor. */
static void test_random_input(void) {
    static const char *const pieces[] = { "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F", "\x1b[3~",
                                          "\x1bOA", "\x1b[1;5D", "\x1b", "\x1b[", "\t", "\x15", "\x0b", "\x7f",
                                          "\b", "\x01", "\x05", "\x03", "\r", "c", "cu", "p", "ver" };
    struct fixture f;
    setup(&f);
    uint32_t x = 12345;
    unsigned bad_bounds = 0, bad_screen = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        if (x % 3 == 0) {
            uint8_t byte = (uint8_t)(x >> 8);
            feed(&f, (const char *)&byte, 1);
        } else {
            type(&f, pieces[(x >> 8) % (sizeof(pieces) / sizeof(pieces[0]))]);
        }
        if (f.edit.cursor > f.edit.length || f.edit.length >= LINEEDIT_LINE_MAX) bad_bounds++;
        if (f.edit.input == LINEEDIT_INPUT_TEXT && !screen_matches(&f)) bad_screen++;
        if (f.term.all_length > sizeof(f.term.all) / 2) f.term.all_length = 0; /* keep the log short */
    }
    CHECK(bad_bounds == 0, "200,000 random keys: cursor and length stay in bounds (%u violations)", bad_bounds);
    CHECK(bad_screen == 0, "200,000 random keys: the screen always shows the line (%u mismatches)", bad_screen);
    CHECK(f.lines > 1000 && f.interrupts > 1000, "the random input ran lines (%u) and Ctrl-C (%u)", f.lines,
          f.interrupts);
}

int run_lineedit_tests(void) {
    int before = check_failures;
    test_cursor_keys();
    test_editing_keys();
    test_history();
    test_completion();
    test_every_split();
    test_random_input();
    printf("lineedit  %s\n", check_failures == before ? "ok" : "FAILED");
    return check_failures - before;
}
