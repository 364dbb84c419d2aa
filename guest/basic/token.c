/* The scanner: turns the text of one line into tokens on demand, as clox's scanner does.
 * Keywords are found by whole word, case-insensitively, so PRINT, print and Print are
 * the same and FORMAT is a variable, not FOR MAT (unlike the crunching BASICs of old, which
 * read keywords out of the middle of names). `'` is REM. A string left open runs to the end
 * of the line, as people remember it. */
#include "basic/internal.h"

#include "lib/string.h"

static const char *const keyword_names[KW_COUNT] = {
    [KW_PRINT] = "PRINT", [KW_LET] = "LET", [KW_DIM] = "DIM", [KW_INPUT] = "INPUT", [KW_IF] = "IF",
    [KW_THEN] = "THEN", [KW_ELSE] = "ELSE", [KW_GOTO] = "GOTO", [KW_GOSUB] = "GOSUB", [KW_RETURN] = "RETURN",
    [KW_FOR] = "FOR", [KW_TO] = "TO", [KW_STEP] = "STEP", [KW_NEXT] = "NEXT", [KW_WHILE] = "WHILE",
    [KW_WEND] = "WEND", [KW_END] = "END", [KW_STOP] = "STOP", [KW_REM] = "REM", [KW_ON] = "ON",
    [KW_ERROR] = "ERROR", [KW_RESUME] = "RESUME", [KW_SLEEP] = "SLEEP", [KW_BLOCKSET] = "BLOCKSET",
    [KW_RANDOMIZE] = "RANDOMIZE", [KW_CLEAR] = "CLEAR", [KW_HOST] = "HOST", [KW_MESSAGE] = "MESSAGE",
    [KW_REPLY] = "REPLY", [KW_TEACH] = "TEACH", [KW_LIST] = "LIST", [KW_NEW] = "NEW", [KW_RUN] = "RUN",
    [KW_DELETE] = "DELETE", [KW_RENUM] = "RENUM", [KW_SYSTEM] = "SYSTEM", [KW_CONT] = "CONT", [KW_SAVE] = "SAVE",
    [KW_LOAD] = "LOAD", [KW_FILES] = "FILES", [KW_KILL] = "KILL", [KW_AND] = "AND",
    [KW_OR] = "OR", [KW_NOT] = "NOT", [KW_MOD] = "MOD", [KW_ABS] = "ABS", [KW_INT] = "INT", [KW_SQR] = "SQR",
    [KW_SIN] = "SIN", [KW_COS] = "COS", [KW_TAN] = "TAN", [KW_ATN] = "ATN", [KW_EXP] = "EXP", [KW_LOG] = "LOG",
    [KW_RND] = "RND", [KW_SGN] = "SGN", [KW_FIX] = "FIX", [KW_LEN] = "LEN", [KW_MID] = "MID$",
    [KW_LEFT] = "LEFT$", [KW_RIGHT] = "RIGHT$", [KW_STR] = "STR$", [KW_VAL] = "VAL", [KW_CHR] = "CHR$",
    [KW_ASC] = "ASC", [KW_INSTR] = "INSTR", [KW_SPACE] = "SPACE$", [KW_TIMER] = "TIMER", [KW_ERR] = "ERR",
    [KW_ERL] = "ERL", [KW_BLOCKGET] = "BLOCKGET", [KW_LLM] = "LLM$", [KW_TENSOR] = "TENSOR$", [KW_CUBE] = "CUBE$",
    [KW_MSG] = "MSG$", [KW_MSGFROM] = "MSGFROM$",
};

const char *bas_keyword_name(enum bas_keyword keyword) {
    return keyword > KW_NONE && keyword < KW_COUNT && keyword_names[keyword] ? keyword_names[keyword] : "?";
}

static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static char upper(char c) { return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c; }

static enum bas_keyword keyword_lookup(const char *word, uint32_t length) {
    for (int k = KW_NONE + 1; k < KW_COUNT; k++) {
        const char *name = keyword_names[k];
        if (!name || name[0] != upper(word[0])) continue;
        uint32_t i = 0;
        while (i < length && name[i] && upper(word[i]) == name[i]) i++;
        if (i == length && name[i] == '\0') return (enum bas_keyword)k;
    }
    return KW_NONE;
}

void bas_scanner_init(struct bas_scanner *s, const char *text) { s->text = s->at = text; }

static struct bas_token make(enum bas_token_kind kind, const char *start, const char *end) {
    struct bas_token t;
    memset(&t, 0, sizeof(t));
    t.kind = kind;
    t.start = start;
    t.length = (uint32_t)(end - start);
    return t;
}

struct bas_token bas_scan(struct bas_scanner *s) {
    while (*s->at == ' ' || *s->at == '\t') s->at++;
    const char *start = s->at;
    char c = *s->at;
    if (c == '\0') return make(TOK_END, start, start);
    if (is_digit(c) || (c == '.' && is_digit(s->at[1]))) {
        struct bas_token t = make(TOK_NUMBER, start, start);
        size_t used = bas_number_parse(start, &t.number);
        s->at += used;
        t.length = (uint32_t)used;
        return t;
    }
    if (c == '"') {
        const char *p = start + 1;
        while (*p && *p != '"') p++;
        struct bas_token t = make(TOK_STRING, start + 1, p);
        s->at = *p ? p + 1 : p;
        return t;
    }
    if (c == '\'') {
        struct bas_token t = make(TOK_KEYWORD, start, start + 1);
        t.keyword = KW_REM;
        return t; /* the compiler stops at REM; the scanner never reads the comment */
    }
    if (is_alpha(c)) {
        const char *p = start;
        while (is_alpha(*p) || is_digit(*p)) p++;
        bool dollar = *p == '$';
        if (dollar) p++;
        s->at = p;
        struct bas_token t = make(TOK_NAME, start, p);
        t.keyword = keyword_lookup(start, t.length);
        if (t.keyword != KW_NONE) {
            t.kind = TOK_KEYWORD;
            return t;
        }
        if (dollar) { /* a keyword right before $ is still a keyword: PRINT$ is not a name */
            enum bas_keyword before = keyword_lookup(start, t.length - 1);
            if (before != KW_NONE) t.kind = TOK_ERROR;
        }
        t.is_string = dollar;
        if (t.length - (dollar ? 1u : 0u) > BAS_NAME_MAX) t.kind = TOK_ERROR;
        return t;
    }
    s->at++;
    struct bas_token t = make(TOK_SYMBOL, start, s->at);
    t.symbol = (unsigned char)c;
    char next = *s->at;
    if ((c == '<' && next == '>') || (c == '>' && next == '<')) t.symbol = SYM_NE;
    else if ((c == '<' && next == '=') || (c == '=' && next == '<')) t.symbol = SYM_LE;
    else if ((c == '>' && next == '=') || (c == '=' && next == '>')) t.symbol = SYM_GE;
    if (t.symbol >= 256) {
        s->at++;
        t.length = 2;
        return t;
    }
    switch (c) {
    case '+': case '-': case '*': case '/': case '^': case '\\': case '(': case ')': case ',': case ';':
    case ':': case '=': case '<': case '>': case '?': case '#':
        return t;
    default: t.kind = TOK_ERROR; return t;
    }
}
