/* The Ok prompt. A line that starts with a number is stored (or, bare, deletes that line);
 * a direct command (LIST, RUN, NEW, DELETE, RENUM, CONT, SYSTEM, and SAVE, LOAD, FILES, KILL
 * from files.c) is carried out here;
 * anything else is compiled as a direct-mode line and run at once, so PRINT 2+2 works and
 * GOTO 100 starts the program at 100. */
#include "basic/internal.h"

#include "lib/string.h"

#define BASIC_BANNER "XP10 BASIC 1.0"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static const char *skip_spaces(const char *p) {
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

struct basic *basic_new(const struct basic_host *host, uint32_t budget) {
    if (budget < BASIC_MIN_BUDGET) return 0;
    struct basic *b = bas_instance_new(budget);
    if (!b) return 0;
    b->host = host;
    return b;
}

void basic_free(struct basic *b) {
    if (!b) return;
    bas_agent_forget_message(b);
    bas_program_new(b);
    bas_instance_free(b);
}

struct basic_memory_stats basic_memory(const struct basic *b) { return b->memory; }

static void report_direct(struct basic *b) {
    int error = b->error;
    b->error = BAS_OK;
    if (!error) return;
    if (b->column) bas_print(b, "\n");
    bas_print(b, "?");
    bas_print(b, bas_error_text(error));
    if (error == BAS_ERR_LINE_FAILED) { /* a direct command's core error (SAVE, FILES...) */
        bas_print(b, ": ");
        bas_print(b, bas_core_error_name(b->core_error));
    }
    bas_print(b, "\n");
}

/* "a", "a-b", "a-", "-b", "" into [first, last]; false on anything else. */
static bool parse_range(const char *p, uint32_t *first, uint32_t *last) {
    *first = 0;
    *last = BAS_LINE_NUMBER_MAX;
    p = skip_spaces(p);
    if (!*p) return true;
    bool dash = false;
    uint32_t value = 0;
    bool has_first = false;
    if (is_digit(*p)) {
        while (is_digit(*p)) {
            value = value * 10 + (uint32_t)(*p++ - '0');
            if (value > BAS_LINE_NUMBER_MAX) return false;
        }
        *first = *last = value;
        has_first = true;
        p = skip_spaces(p);
    }
    if (*p == '-') {
        dash = true;
        p = skip_spaces(p + 1);
        *last = BAS_LINE_NUMBER_MAX;
        if (is_digit(*p)) {
            value = 0;
            while (is_digit(*p)) {
                value = value * 10 + (uint32_t)(*p++ - '0');
                if (value > BAS_LINE_NUMBER_MAX) return false;
            }
            *last = value;
        }
        p = skip_spaces(p);
    }
    return *p == '\0' && (has_first || dash) && *first <= *last;
}

/* RENUM [new][,[old][,step]] */
static bool parse_renum(const char *p, uint32_t *start, uint32_t *from, uint32_t *step) {
    uint32_t *fields[3] = { start, from, step };
    *start = 10, *from = 0, *step = 10;
    for (int i = 0; i < 3; i++) {
        p = skip_spaces(p);
        if (is_digit(*p)) {
            uint32_t value = 0;
            while (is_digit(*p)) {
                value = value * 10 + (uint32_t)(*p++ - '0');
                if (value > BAS_LINE_NUMBER_MAX) return false;
            }
            *fields[i] = value;
            p = skip_spaces(p);
        }
        if (*p != ',') break;
        p++;
    }
    return *skip_spaces(p) == '\0';
}

/* RUN &: the program as it is now goes to an agent task of its own; this prompt stays. */
static void run_in_background(struct basic *b) {
    if (!b->host->start_agent) return bas_fail(b, BAS_ERR_SYNTAX);
    if (b->line_count == 0) return;
    uint32_t length = bas_program_listing(b, 0);
    uint8_t *listing = bas_alloc(b, length);
    if (!listing) return;
    bas_program_listing(b, listing);
    b->host->start_agent(b->host->context, (const char *)listing, length);
    bas_free(b, listing);
}

static void run_program(struct basic *b, const char *arguments) {
    const char *background = skip_spaces(arguments);
    if (*background == '&' && *skip_spaces(background + 1) == '\0') return run_in_background(b);
    bas_reset_run_state(b);
    bas_clear_variables(b);
    if (b->line_count == 0) return;
    struct bas_position from = { 0, 0 };
    const char *p = skip_spaces(arguments);
    if (*p) {
        double number;
        size_t used = bas_number_parse(p, &number);
        int32_t index = used && *skip_spaces(p + used) == '\0' && number == bas_floor(number) &&
                                number <= BAS_LINE_NUMBER_MAX
                            ? bas_line_find(b, (uint32_t)number)
                            : -2;
        if (index == -2) return bas_fail(b, BAS_ERR_SYNTAX);
        if (index < 0) return bas_fail(b, BAS_ERR_UNDEFINED_LINE);
        from.line = (uint32_t)index;
    }
    bas_run(b, from);
}

/* Control frames and a pending RESUME that point into the previous direct-mode line would
 * point into freed code once it is replaced: forget them (and what was stacked above). */
static void forget_direct_positions(struct basic *b) {
    for (uint32_t i = 0; i < b->frame_count; i++) {
        if (b->frames[i].at.line == BAS_NO_LINE) {
            b->frame_count = i;
            b->can_continue = false;
            break;
        }
    }
    if (b->in_handler && b->error_at.line == BAS_NO_LINE) b->in_handler = false;
}

static void run_direct(struct basic *b, const char *text) {
    forget_direct_positions(b);
    bas_free(b, b->direct_code);
    b->direct_code = bas_alloc(b, BAS_CODE_MAX);
    if (!b->direct_code) return;
    uint32_t length = bas_compile(b, text, b->direct_code, BAS_CODE_MAX);
    if (length == 0) return;
    /* keep only what the line needs, so a long direct line does not pin 2 KiB */
    uint8_t *code = bas_alloc(b, length);
    if (!code) return;
    memcpy(code, b->direct_code, length);
    bas_free(b, b->direct_code);
    b->direct_code = code;
    struct bas_position from = { BAS_NO_LINE, 0 };
    bas_run(b, from);
}

/* Direct commands; returns false when `text` is not one. */
static bool command(struct basic *b, const char *text) {
    struct bas_scanner scanner;
    bas_scanner_init(&scanner, text);
    struct bas_token t = bas_scan(&scanner);
    if (t.kind != TOK_KEYWORD) return false;
    const char *rest = scanner.at;
    uint32_t first, last, start, from, step;
    switch (t.keyword) {
    case KW_LIST:
        if (parse_range(rest, &first, &last)) bas_program_list(b, first, last);
        else bas_fail(b, BAS_ERR_SYNTAX);
        return true;
    case KW_DELETE:
        if (*skip_spaces(rest) && parse_range(rest, &first, &last)) bas_program_delete(b, first, last);
        else bas_fail(b, BAS_ERR_SYNTAX);
        return true;
    case KW_NEW:
        if (*skip_spaces(rest)) bas_fail(b, BAS_ERR_SYNTAX);
        else bas_program_new(b);
        return true;
    case KW_RUN: run_program(b, rest); return true;
    case KW_RENUM:
        if (parse_renum(rest, &start, &from, &step)) bas_program_renumber(b, start, from, step);
        else bas_fail(b, BAS_ERR_SYNTAX);
        return true;
    case KW_CONT:
        if (!b->can_continue) bas_fail(b, BAS_ERR_CANT_CONTINUE);
        else b->can_continue = false, bas_run(b, b->continue_at);
        return true;
    case KW_SAVE:
    case KW_LOAD:
    case KW_FILES:
    case KW_KILL: bas_files_command(b, t.keyword, rest); return true;
    case KW_SYSTEM:
        if (*skip_spaces(rest)) bas_fail(b, BAS_ERR_SYNTAX);
        else b->quit = true;
        return true;
    default: return false;
    }
}

bool basic_enter_line(struct basic *b, const char *text) {
    const char *p = skip_spaces(text);
    if (!*p) return !b->quit;
    b->error = BAS_OK;
    if (is_digit(*p)) {
        uint32_t number = 0;
        while (is_digit(*p)) {
            number = number * 10 + (uint32_t)(*p++ - '0');
            if (number > BAS_LINE_NUMBER_MAX) break;
        }
        if (number > BAS_LINE_NUMBER_MAX) {
            bas_fail(b, BAS_ERR_SYNTAX);
        } else {
            p = skip_spaces(p);
            if (!*p) {
                if (bas_line_find(b, number) >= 0) bas_program_delete(b, number, number);
            } else {
                bas_program_store(b, number, p);
            }
        }
        report_direct(b); /* ?OUT OF MEMORY; a stored line prints no Ok, as of old */
        return !b->quit;
    }
    if (!command(b, p)) run_direct(b, p);
    report_direct(b);
    if (!b->quit && !b->host->no_prompt) bas_print(b, b->column ? "\nOk\n" : "Ok\n");
    return !b->quit;
}

bool basic_enter_program(struct basic *b, const char *text, uint32_t length) {
    b->error = BAS_OK;
    bas_program_from_text(b, text, length);
    bool ok = b->error == BAS_OK;
    report_direct(b);
    return ok;
}

bool basic_repl(struct basic *b) {
    char line[BASIC_LINE_MAX + 1];
    char text[64];
    char number[16];
    bas_number_format((double)(b->memory.budget - b->memory.used), number);
    size_t n = 0;
    for (const char *q = BASIC_BANNER " - "; *q; q++) text[n++] = *q;
    for (const char *q = number; *q; q++) text[n++] = *q;
    for (const char *q = " bytes free\nOk\n"; *q; q++) text[n++] = *q;
    text[n] = '\0';
    bas_print(b, text);
    while (!b->quit) {
        int length = b->host->read_line(b->host->context, line, sizeof(line));
        b->column = 0;
        if (length == BASIC_READ_HANGUP) return false;
        if (length < 0) continue;
        line[(uint32_t)length < sizeof(line) ? (uint32_t)length : sizeof(line) - 1] = '\0';
        basic_enter_line(b, line);
    }
    return true;
}
