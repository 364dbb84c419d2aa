#include "shell/lineedit.h"

#include "lib/string.h"

enum {
    KEY_CTRL_A = 0x01, /* home */
    KEY_CTRL_B = 0x02, /* left */
    KEY_CTRL_C = 0x03, /* interrupt */
    KEY_CTRL_E = 0x05, /* end */
    KEY_CTRL_F = 0x06, /* right */
    KEY_BACKSPACE = 0x08,
    KEY_TAB = 0x09,
    KEY_CTRL_K = 0x0B, /* erase to the end of the line */
    KEY_CTRL_N = 0x0E, /* next history entry */
    KEY_CTRL_P = 0x10, /* previous history entry */
    KEY_CTRL_U = 0x15, /* erase the line */
    KEY_ESCAPE = 0x1B,
    KEY_DELETE = 0x7F, /* what most terminals send for the backspace key */

    CSI_INTRODUCER = '[',
    SS3_INTRODUCER = 'O',
    CSI_PARAM_SEPARATOR = ';',
    CSI_FINAL_FIRST = 0x40,
    CSI_FINAL_LAST = 0x7E,

    /* Final bytes of CSI and SS3 sequences (ECMA-48, VT100/xterm cursor keys). */
    FINAL_UP = 'A',
    FINAL_DOWN = 'B',
    FINAL_RIGHT = 'C',
    FINAL_LEFT = 'D',
    FINAL_END = 'F',
    FINAL_HOME = 'H',
    FINAL_TILDE = '~', /* ESC [ n ~: n says which key (VT220 editing keypad) */
    TILDE_HOME = 1,
    TILDE_DELETE = 3,
    TILDE_END = 4,
    TILDE_HOME_RXVT = 7,
    TILDE_END_RXVT = 8,
};

#define CSI_PARAM_MAX 9999u        /* parameters are clamped, never overflow */
#define COMPLETION_LIST_COLUMNS 78 /* a list of candidates wraps before column 80 */
#define DECIMAL_BASE 10u

static const char BACKSPACES[] = "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b";
static const char SPACES[] = "                ";
static const char BELL[] = "\a";
static const char NEWLINE[] = "\n";

static void out(struct lineedit *e, const char *text, size_t length) {
    if (length) e->ops.write(e->ops.context, text, length);
}

static void out_repeat(struct lineedit *e, const char *unit, size_t count) {
    const size_t chunk = sizeof(BACKSPACES) - 1; /* both units have the same length */
    while (count > 0) {
        size_t n = count < chunk ? count : chunk;
        out(e, unit, n);
        count -= n;
    }
}

static void cursor_back(struct lineedit *e, size_t count) { out_repeat(e, BACKSPACES, count); }
static void blank(struct lineedit *e, size_t count) { out_repeat(e, SPACES, count); }

void lineedit_init(struct lineedit *e, const char *prompt, const struct lineedit_ops *ops) {
    memset(e, 0, sizeof(*e));
    e->ops = *ops;
    e->prompt = prompt;
}

void lineedit_begin(struct lineedit *e) {
    e->length = e->cursor = 0;
    e->line[0] = '\0';
    e->browse = 0;
    e->input = LINEEDIT_INPUT_TEXT;
}

void lineedit_forget_history(struct lineedit *e) {
    e->history_count = e->history_next = 0;
    e->browse = 0;
}

/* ---- editing: each keeps the terminal's line equal to `line` with the cursor at `cursor` ---- */

static void insert_text(struct lineedit *e, const char *text, size_t count) {
    if (e->length + count >= LINEEDIT_LINE_MAX) {
        out(e, BELL, 1);
        return;
    }
    memmove(e->line + e->cursor + count, e->line + e->cursor, e->length - e->cursor);
    memcpy(e->line + e->cursor, text, count);
    e->length += count;
    out(e, e->line + e->cursor, e->length - e->cursor);
    e->cursor += count;
    cursor_back(e, e->length - e->cursor);
}

/* Removes the character under the cursor and redraws the rest of the line. */
static void erase_at_cursor(struct lineedit *e) {
    memmove(e->line + e->cursor, e->line + e->cursor + 1, e->length - e->cursor - 1);
    e->length--;
    out(e, e->line + e->cursor, e->length - e->cursor);
    blank(e, 1);
    cursor_back(e, e->length - e->cursor + 1);
}

static void backspace(struct lineedit *e) {
    if (e->cursor == 0) return;
    e->cursor--;
    cursor_back(e, 1);
    erase_at_cursor(e);
}

static void delete_forward(struct lineedit *e) {
    if (e->cursor < e->length) erase_at_cursor(e);
}

static void move_left(struct lineedit *e) {
    if (e->cursor == 0) return;
    e->cursor--;
    cursor_back(e, 1);
}

static void move_right(struct lineedit *e) {
    if (e->cursor == e->length) return;
    out(e, e->line + e->cursor, 1);
    e->cursor++;
}

static void move_home(struct lineedit *e) {
    cursor_back(e, e->cursor);
    e->cursor = 0;
}

static void move_end(struct lineedit *e) {
    out(e, e->line + e->cursor, e->length - e->cursor);
    e->cursor = e->length;
}

static void erase_to_end(struct lineedit *e) {
    size_t tail = e->length - e->cursor;
    blank(e, tail);
    cursor_back(e, tail);
    e->length = e->cursor;
}

/* Shows `text` instead of the whole line, cursor at its end. */
static void replace_line(struct lineedit *e, const char *text, size_t length) {
    size_t old = e->length;
    move_home(e);
    memmove(e->line, text, length);
    e->length = e->cursor = length;
    out(e, e->line, length);
    if (old > length) {
        blank(e, old - length);
        cursor_back(e, old - length);
    }
}

/* ---- history ---- */

static const char *history_entry(const struct lineedit *e, unsigned recent) {
    return e->history[(e->history_next + LINEEDIT_HISTORY - recent) % LINEEDIT_HISTORY];
}

static void history_add(struct lineedit *e) {
    if (e->length == 0) return;
    if (e->history_count > 0 && strcmp(history_entry(e, 1), e->line) == 0) return;
    memcpy(e->history[e->history_next], e->line, e->length + 1);
    e->history_next = (e->history_next + 1) % LINEEDIT_HISTORY;
    if (e->history_count < LINEEDIT_HISTORY) e->history_count++;
}

static void history_older(struct lineedit *e) {
    if (e->browse == e->history_count) {
        out(e, BELL, 1);
        return;
    }
    if (e->browse == 0) {
        memcpy(e->draft, e->line, e->length);
        e->draft_length = e->length;
    }
    e->browse++;
    const char *entry = history_entry(e, e->browse);
    replace_line(e, entry, strlen(entry));
}

static void history_newer(struct lineedit *e) {
    if (e->browse == 0) {
        out(e, BELL, 1);
        return;
    }
    e->browse--;
    if (e->browse == 0) {
        replace_line(e, e->draft, e->draft_length);
    } else {
        const char *entry = history_entry(e, e->browse);
        replace_line(e, entry, strlen(entry));
    }
}

/* ---- Tab completion of the command name ---- */

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static bool has_prefix(const char *name, const char *prefix, size_t length) {
    for (size_t i = 0; i < length; i++)
        if (name[i] == '\0' || lower(name[i]) != lower(prefix[i])) return false;
    return true;
}

static void list_candidates(struct lineedit *e) {
    out(e, NEWLINE, 1);
    size_t column = 0;
    const char *name;
    for (unsigned i = 0; (name = e->ops.name_at(e->ops.context, i)) != 0; i++) {
        if (!has_prefix(name, e->line, e->length)) continue;
        size_t n = strlen(name);
        if (column > 0 && column + 2 + n > COMPLETION_LIST_COLUMNS) {
            out(e, NEWLINE, 1);
            column = 0;
        }
        if (column > 0) blank(e, 2), column += 2;
        out(e, name, n);
        column += n;
    }
    out(e, NEWLINE, 1);
    out(e, e->prompt, strlen(e->prompt));
    out(e, e->line, e->length);
}

/* Completes the first word when the cursor is at its end: one match is completed and
 * followed by a space; several are extended to their common prefix, or listed when that
 * adds nothing; none rings the bell. */
static void complete(struct lineedit *e) {
    bool first_word = e->cursor == e->length && e->length > 0 && e->ops.name_at;
    for (size_t i = 0; first_word && i < e->length; i++)
        if (e->line[i] == ' ') first_word = false;
    if (!first_word) {
        out(e, BELL, 1);
        return;
    }
    const char *first = 0;
    size_t common = 0;
    unsigned matches = 0;
    const char *name;
    for (unsigned i = 0; (name = e->ops.name_at(e->ops.context, i)) != 0; i++) {
        if (!has_prefix(name, e->line, e->length)) continue;
        if (matches++ == 0) {
            first = name;
            common = strlen(name);
        } else {
            size_t k = 0;
            while (k < common && name[k] == first[k]) k++;
            common = k;
        }
    }
    if (matches == 0) {
        out(e, BELL, 1);
    } else if (matches == 1) {
        insert_text(e, first + e->length, common - e->length);
        insert_text(e, " ", 1);
    } else if (common > e->length) {
        insert_text(e, first + e->length, common - e->length);
    } else {
        list_candidates(e);
    }
}

/* ---- input ---- */

static enum lineedit_result finish_line(struct lineedit *e) {
    e->line[e->length] = '\0';
    out(e, NEWLINE, 1);
    history_add(e);
    e->browse = 0;
    return LINEEDIT_LINE;
}

static void cursor_key(struct lineedit *e, uint8_t final, uint32_t param) {
    switch (final) {
    case FINAL_UP: history_older(e); break;
    case FINAL_DOWN: history_newer(e); break;
    case FINAL_RIGHT: move_right(e); break;
    case FINAL_LEFT: move_left(e); break;
    case FINAL_HOME: move_home(e); break;
    case FINAL_END: move_end(e); break;
    case FINAL_TILDE:
        if (param == TILDE_HOME || param == TILDE_HOME_RXVT) move_home(e);
        else if (param == TILDE_END || param == TILDE_END_RXVT) move_end(e);
        else if (param == TILDE_DELETE) delete_forward(e);
        break;
    default: break; /* a sequence we do not use (function keys, reports): ignored whole */
    }
}

static enum lineedit_result key(struct lineedit *e, uint8_t c) {
    if (c == '\n' && e->last_was_cr) { /* CR LF is one Enter */
        e->last_was_cr = false;
        return LINEEDIT_CONTINUE;
    }
    e->last_was_cr = (c == '\r');
    switch (c) {
    case '\r':
    case '\n': return finish_line(e);
    case KEY_CTRL_C:
        e->length = e->cursor = 0;
        e->browse = 0;
        return LINEEDIT_INTERRUPT;
    case KEY_ESCAPE: e->input = LINEEDIT_INPUT_ESCAPE; break;
    case KEY_BACKSPACE:
    case KEY_DELETE: backspace(e); break;
    case KEY_TAB: complete(e); break;
    case KEY_CTRL_A: move_home(e); break;
    case KEY_CTRL_E: move_end(e); break;
    case KEY_CTRL_B: move_left(e); break;
    case KEY_CTRL_F: move_right(e); break;
    case KEY_CTRL_K: erase_to_end(e); break;
    case KEY_CTRL_U: replace_line(e, "", 0); break;
    case KEY_CTRL_P: history_older(e); break;
    case KEY_CTRL_N: history_newer(e); break;
    default:
        if (c >= ' ' && c < KEY_DELETE) {
            char text = (char)c;
            insert_text(e, &text, 1);
        }
        break; /* other control bytes (telnet's NUL after CR, 8-bit bytes) are ignored */
    }
    return LINEEDIT_CONTINUE;
}

enum lineedit_result lineedit_feed(struct lineedit *e, uint8_t byte) {
    switch (e->input) {
    case LINEEDIT_INPUT_TEXT: return key(e, byte);
    case LINEEDIT_INPUT_ESCAPE:
        if (byte == CSI_INTRODUCER) {
            e->input = LINEEDIT_INPUT_CSI;
            e->csi_param = 0;
            e->csi_param_done = false;
            return LINEEDIT_CONTINUE;
        }
        if (byte == SS3_INTRODUCER) {
            e->input = LINEEDIT_INPUT_SS3;
            return LINEEDIT_CONTINUE;
        }
        e->input = LINEEDIT_INPUT_TEXT; /* a lone Escape key: dropped, the byte is a key */
        return key(e, byte);
    case LINEEDIT_INPUT_CSI:
        if (byte < ' ') { /* a control key inside a sequence (Ctrl-C, Enter) still counts */
            e->input = LINEEDIT_INPUT_TEXT;
            return key(e, byte);
        }
        if (byte >= '0' && byte <= '9' && !e->csi_param_done) {
            e->csi_param = e->csi_param * DECIMAL_BASE + (uint32_t)(byte - '0');
            if (e->csi_param > CSI_PARAM_MAX) e->csi_param = CSI_PARAM_MAX;
        } else if (byte == CSI_PARAM_SEPARATOR) {
            e->csi_param_done = true;
        } else if (byte >= CSI_FINAL_FIRST && byte <= CSI_FINAL_LAST) {
            e->input = LINEEDIT_INPUT_TEXT;
            cursor_key(e, byte, e->csi_param);
        }
        /* other parameter and intermediate bytes ('?', ' ', ...) are skipped */
        return LINEEDIT_CONTINUE;
    case LINEEDIT_INPUT_SS3:
        e->input = LINEEDIT_INPUT_TEXT;
        if (byte < ' ') return key(e, byte);
        cursor_key(e, byte, 0);
        return LINEEDIT_CONTINUE;
    }
    return LINEEDIT_CONTINUE;
}
