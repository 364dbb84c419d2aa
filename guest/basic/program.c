/* The program store: numbered lines kept sorted by number in one array of pointers, each
 * line one allocation holding its text (what LIST shows, as typed) and its bytecode (what
 * RUN executes). A line that does not compile is stored all the same, with code that
 * raises ?SYNTAX ERROR when it runs, as on the machines people remember. Any edit ends
 * the chance to CONT and clears the variables, since stopped FOR loops and GOSUBs point
 * into the old lines. */
#include "basic/internal.h"

#include "lib/string.h"

#define RENUM_TEXT_MAX 512u

uint32_t bas_line_lower_bound(const struct basic *b, uint32_t number) {
    uint32_t low = 0, high = b->line_count;
    while (low < high) {
        uint32_t mid = low + (high - low) / 2;
        if (b->lines[mid]->number < number) low = mid + 1;
        else high = mid;
    }
    return low;
}

int32_t bas_line_find(const struct basic *b, uint32_t number) {
    uint32_t at = bas_line_lower_bound(b, number);
    return at < b->line_count && b->lines[at]->number == number ? (int32_t)at : -1;
}

static void program_edited(struct basic *b) {
    bas_reset_run_state(b);
    bas_clear_variables(b);
}

/* Compiles `text` into a new line; NULL (b->error = OUT OF MEMORY) when it does not fit. */
static struct bas_line *line_make(struct basic *b, uint32_t number, const char *text) {
    static const uint8_t syntax_error[] = { OP_STMT, 4, 0, OP_SYNTAX_ERROR, OP_EOL };
    uint8_t *code = bas_alloc(b, BAS_CODE_MAX);
    if (!code) return 0;
    uint32_t code_length = bas_compile(b, text, code, BAS_CODE_MAX);
    const uint8_t *stored = code;
    if (code_length == 0) {
        if (b->error == BAS_ERR_OUT_OF_MEMORY) {
            bas_free(b, code);
            return 0;
        }
        b->error = BAS_OK;
        stored = syntax_error;
        code_length = sizeof(syntax_error);
    }
    size_t text_length = strlen(text);
    struct bas_line *line = bas_alloc(b, sizeof(*line) + text_length + 1 + code_length);
    if (line) {
        line->number = (uint16_t)number;
        line->text_length = (uint16_t)text_length;
        line->code_length = (uint16_t)code_length;
        memcpy(line->data, text, text_length + 1);
        memcpy(line->data + text_length + 1, stored, code_length);
    }
    bas_free(b, code);
    return line;
}

bool bas_program_store(struct basic *b, uint32_t number, const char *text) {
    if (b->line_count == b->line_capacity) {
        uint32_t capacity = b->line_capacity ? b->line_capacity * 2 : 16;
        struct bas_line **grown = bas_realloc(b, b->lines, b->line_count * sizeof(*grown), capacity * sizeof(*grown));
        if (!grown) return false;
        b->lines = grown;
        b->line_capacity = capacity;
    }
    struct bas_line *line = line_make(b, number, text);
    if (!line) return false;
    uint32_t at = bas_line_lower_bound(b, number);
    if (at < b->line_count && b->lines[at]->number == number) {
        bas_free(b, b->lines[at]);
    } else {
        memmove(&b->lines[at + 1], &b->lines[at], (b->line_count - at) * sizeof(b->lines[0]));
        b->line_count++;
    }
    b->lines[at] = line;
    program_edited(b);
    return true;
}

void bas_program_delete(struct basic *b, uint32_t first, uint32_t last) {
    uint32_t from = bas_line_lower_bound(b, first), to = from;
    while (to < b->line_count && b->lines[to]->number <= last) bas_free(b, b->lines[to++]);
    if (to > from) {
        memmove(&b->lines[from], &b->lines[to], (b->line_count - to) * sizeof(b->lines[0]));
        b->line_count -= to - from;
    }
    program_edited(b);
}

void bas_program_list(struct basic *b, uint32_t first, uint32_t last) {
    for (uint32_t i = bas_line_lower_bound(b, first); i < b->line_count && b->lines[i]->number <= last; i++) {
        char number[16];
        bas_number_format(b->lines[i]->number, number);
        bas_print(b, number);
        bas_print(b, " ");
        bas_print(b, b->lines[i]->data);
        bas_print(b, "\n");
        if (b->host->step && b->host->step(b->host->context)) break;
    }
}

void bas_program_new(struct basic *b) {
    bas_reset_run_state(b);
    bas_clear_variables(b);
    for (uint32_t i = 0; i < b->line_count; i++) bas_free(b, b->lines[i]);
    bas_free(b, b->lines);
    b->lines = 0;
    b->line_count = b->line_capacity = 0;
    bas_free(b, b->symbols);
    b->symbols = 0;
    b->symbol_count = b->symbol_capacity = 0;
    bas_free(b, b->direct_code);
    b->direct_code = 0;
}

static bool refers_to_line(const struct bas_token *t) {
    return t->kind == TOK_KEYWORD && (t->keyword == KW_GOTO || t->keyword == KW_GOSUB || t->keyword == KW_THEN ||
                                      t->keyword == KW_ELSE || t->keyword == KW_RESUME || t->keyword == KW_RUN);
}

/* The new number of old line `number`, or `number` itself when no line has it. */
static uint32_t renumbered(const struct basic *b, uint32_t number, uint32_t from, uint32_t start, uint32_t step) {
    int32_t index = bas_line_find(b, number);
    if (index < 0 || number < from) return number;
    uint32_t first = bas_line_lower_bound(b, from);
    return start + ((uint32_t)index - first) * step;
}

/* Rewrites the line numbers after GOTO, GOSUB, THEN, ELSE and RESUME in `text`. */
static bool renumber_text(const struct basic *b, const char *text, char *out, uint32_t from, uint32_t start,
                          uint32_t step) {
    struct bas_scanner scanner;
    bas_scanner_init(&scanner, text);
    const char *copied = text;
    uint32_t n = 0;
    struct bas_token previous = { .kind = TOK_END };
    for (;;) {
        struct bas_token t = bas_scan(&scanner);
        if (t.kind == TOK_END || t.kind == TOK_ERROR || (t.kind == TOK_KEYWORD && t.keyword == KW_REM)) break;
        if (t.kind == TOK_NUMBER && refers_to_line(&previous) && t.number == bas_floor(t.number) &&
            t.number <= BAS_LINE_NUMBER_MAX) {
            char number[16];
            size_t length = bas_number_format(renumbered(b, (uint32_t)t.number, from, start, step), number);
            size_t before = (size_t)(t.start - copied);
            if (n + before + length >= RENUM_TEXT_MAX) return false;
            memcpy(out + n, copied, before);
            n += (uint32_t)before;
            memcpy(out + n, number, length);
            n += (uint32_t)length;
            copied = t.start + t.length;
        }
        previous = t;
    }
    size_t rest = strlen(copied);
    if (n + rest >= RENUM_TEXT_MAX) return false;
    memcpy(out + n, copied, rest + 1);
    return true;
}

/* RENUM start, from, step: lines from `from` on become start, start+step, ...; all line
 * references follow. Built beside the old program and swapped in only when it all fits. */
bool bas_program_renumber(struct basic *b, uint32_t start, uint32_t from, uint32_t step) {
    uint32_t first = bas_line_lower_bound(b, from);
    uint32_t moved = b->line_count - first;
    if (moved == 0) return true;
    if (step == 0 || (first > 0 && start <= b->lines[first - 1]->number) ||
        start + (moved - 1) * step > BAS_LINE_NUMBER_MAX) {
        bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
        return false;
    }
    struct bas_line **fresh = bas_zalloc(b, b->line_count * sizeof(*fresh));
    char *text = bas_alloc(b, RENUM_TEXT_MAX);
    bool ok = fresh && text;
    for (uint32_t i = 0; ok && i < b->line_count; i++) {
        uint32_t number = i >= first ? start + (i - first) * step : b->lines[i]->number;
        ok = renumber_text(b, b->lines[i]->data, text, from, start, step);
        if (!ok) bas_fail(b, BAS_ERR_STRING_TOO_LONG);
        if (ok) fresh[i] = line_make(b, number, text);
        ok = ok && fresh[i];
    }
    bas_free(b, text);
    if (!ok) {
        for (uint32_t i = 0; fresh && i < b->line_count; i++) bas_free(b, fresh[i]);
        bas_free(b, fresh);
        return false;
    }
    for (uint32_t i = 0; i < b->line_count; i++) {
        bas_free(b, b->lines[i]);
        b->lines[i] = fresh[i];
    }
    bas_free(b, fresh);
    program_edited(b);
    return true;
}
