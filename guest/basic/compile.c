/* The compiler: one pass over the tokens of one line, straight to bytecode (clox's
 * design, per line). Statements become stack-machine code; variables become indexes
 * into the instance's symbol table; GOTO targets stay line numbers, looked up when they
 * run, so lines can be typed in any order and edited one by one. Expressions use
 * precedence climbing, so a nesting level costs a few small stack frames; nesting deeper
 * than BAS_NEST_MAX is ?FORMULA TOO COMPLEX rather than a kernel stack overflow.
 *
 * Precedence, loosest first: OR, AND, NOT, comparisons, + -, MOD, \, * /, unary -, ^. */
#include "basic/internal.h"

#include "lib/string.h"

struct compiler {
    struct basic *b;
    struct bas_scanner scanner;
    struct bas_token current;
    uint8_t *code;
    uint32_t length, capacity;
    uint32_t depth;
    bool failed;
};

enum precedence {
    PREC_NONE = 0, PREC_OR, PREC_AND, PREC_NOT, PREC_COMPARE, PREC_ADD, PREC_MOD, PREC_IDIV, PREC_MUL,
    PREC_UNARY, PREC_POW,
};

static void fail(struct compiler *c, int error) {
    if (!c->failed) bas_fail(c->b, error);
    c->failed = true;
}

static void advance(struct compiler *c) {
    c->current = bas_scan(&c->scanner);
    if (c->current.kind == TOK_ERROR) fail(c, BAS_ERR_SYNTAX);
}

static bool is_symbol(const struct compiler *c, int symbol) {
    return c->current.kind == TOK_SYMBOL && c->current.symbol == symbol;
}

static bool is_keyword(const struct compiler *c, enum bas_keyword keyword) {
    return c->current.kind == TOK_KEYWORD && c->current.keyword == keyword;
}

static bool match_symbol(struct compiler *c, int symbol) {
    if (!is_symbol(c, symbol)) return false;
    advance(c);
    return true;
}

static void expect_symbol(struct compiler *c, int symbol) {
    if (!match_symbol(c, symbol)) fail(c, BAS_ERR_SYNTAX);
}

static void expect_keyword(struct compiler *c, enum bas_keyword keyword) {
    if (is_keyword(c, keyword)) advance(c);
    else fail(c, BAS_ERR_SYNTAX);
}

static void emit(struct compiler *c, uint8_t byte) {
    if (c->length >= c->capacity) {
        fail(c, BAS_ERR_FORMULA_TOO_COMPLEX);
        return;
    }
    c->code[c->length++] = byte;
}

static void emit_u16(struct compiler *c, uint32_t value) {
    emit(c, (uint8_t)(value & 0xFF));
    emit(c, (uint8_t)(value >> 8));
}

static void patch_u16(struct compiler *c, uint32_t at, uint32_t value) {
    if (c->failed || at + 1 >= c->length) return;
    c->code[at] = (uint8_t)(value & 0xFF);
    c->code[at + 1] = (uint8_t)(value >> 8);
}

static void emit_number(struct compiler *c, double value) {
    uint8_t bytes[sizeof(double)];
    memcpy(bytes, &value, sizeof(bytes));
    for (unsigned i = 0; i < sizeof(bytes); i++) emit(c, bytes[i]);
}

static bool at_statement_end(const struct compiler *c) {
    return c->current.kind == TOK_END || is_symbol(c, SYM_COLON) || is_keyword(c, KW_ELSE) || is_keyword(c, KW_REM);
}

static bool enter(struct compiler *c) {
    if (++c->depth > BAS_NEST_MAX) {
        fail(c, BAS_ERR_FORMULA_TOO_COMPLEX);
        return false;
    }
    return true;
}

static void leave(struct compiler *c) { c->depth--; }

static void expression(struct compiler *c, int min_precedence);

static uint32_t symbol_of(struct compiler *c, const struct bas_token *name, bool is_array) {
    int index = bas_symbol_find(c->b, name->start, name->length - (name->is_string ? 1u : 0u), name->is_string, is_array);
    if (index < 0) {
        fail(c, c->b->error ? c->b->error : BAS_ERR_OUT_OF_MEMORY);
        return 0;
    }
    return (uint32_t)index;
}

/* "(" expr [, expr [, expr]] ")" for arrays; returns the number of subscripts. */
static uint32_t subscripts(struct compiler *c) {
    uint32_t count = 0;
    expect_symbol(c, SYM_LPAREN);
    do {
        if (c->failed) return 0;
        expression(c, PREC_OR);
        count++;
    } while (match_symbol(c, SYM_COMMA));
    expect_symbol(c, SYM_RPAREN);
    if (count > BAS_DIMS_MAX) fail(c, BAS_ERR_SYNTAX);
    return count;
}

static void function_call(struct compiler *c) {
    enum bas_keyword fn = c->current.keyword;
    advance(c);
    uint32_t argc = 0;
    if (match_symbol(c, SYM_LPAREN)) {
        do {
            if (c->failed) return;
            expression(c, PREC_OR);
            argc++;
        } while (match_symbol(c, SYM_COMMA));
        expect_symbol(c, SYM_RPAREN);
    }
    if (!bas_function_arity(fn, argc)) fail(c, BAS_ERR_SYNTAX);
    emit(c, OP_CALL);
    emit(c, (uint8_t)(fn - KW_FN_FIRST));
    emit(c, (uint8_t)argc);
}

static void primary(struct compiler *c) {
    struct bas_token t = c->current;
    if (t.kind == TOK_NUMBER) {
        advance(c);
        emit(c, OP_NUMBER);
        emit_number(c, t.number);
    } else if (t.kind == TOK_STRING) {
        advance(c);
        emit(c, OP_STRING);
        emit_u16(c, t.length);
        for (uint32_t i = 0; i < t.length; i++) emit(c, (uint8_t)t.start[i]);
    } else if (t.kind == TOK_NAME) {
        advance(c);
        if (is_symbol(c, SYM_LPAREN)) {
            uint32_t symbol = symbol_of(c, &t, true);
            uint32_t dims = subscripts(c);
            emit(c, OP_LOAD_ELEM);
            emit_u16(c, symbol);
            emit(c, (uint8_t)dims);
        } else {
            uint32_t symbol = symbol_of(c, &t, false);
            emit(c, OP_LOAD);
            emit_u16(c, symbol);
        }
    } else if (match_symbol(c, SYM_LPAREN)) {
        expression(c, PREC_OR);
        expect_symbol(c, SYM_RPAREN);
    } else if (t.kind == TOK_KEYWORD && t.keyword >= KW_FN_FIRST && t.keyword < KW_FN_END) {
        function_call(c);
    } else {
        fail(c, BAS_ERR_SYNTAX);
    }
}

struct binary_operator {
    int precedence;
    uint8_t op;
};

static struct binary_operator binary_of(const struct compiler *c) {
    struct binary_operator none = { PREC_NONE, 0 };
    const struct bas_token *t = &c->current;
    if (t->kind == TOK_KEYWORD) {
        switch (t->keyword) {
        case KW_OR: return (struct binary_operator){ PREC_OR, OP_OR };
        case KW_AND: return (struct binary_operator){ PREC_AND, OP_AND };
        case KW_MOD: return (struct binary_operator){ PREC_MOD, OP_MOD };
        default: return none;
        }
    }
    if (t->kind != TOK_SYMBOL) return none;
    switch (t->symbol) {
    case SYM_EQ: return (struct binary_operator){ PREC_COMPARE, OP_EQ };
    case SYM_NE: return (struct binary_operator){ PREC_COMPARE, OP_NE };
    case SYM_LT: return (struct binary_operator){ PREC_COMPARE, OP_LT };
    case SYM_GT: return (struct binary_operator){ PREC_COMPARE, OP_GT };
    case SYM_LE: return (struct binary_operator){ PREC_COMPARE, OP_LE };
    case SYM_GE: return (struct binary_operator){ PREC_COMPARE, OP_GE };
    case SYM_PLUS: return (struct binary_operator){ PREC_ADD, OP_ADD };
    case SYM_MINUS: return (struct binary_operator){ PREC_ADD, OP_SUB };
    case SYM_BACKSLASH: return (struct binary_operator){ PREC_IDIV, OP_IDIV };
    case SYM_STAR: return (struct binary_operator){ PREC_MUL, OP_MUL };
    case SYM_SLASH: return (struct binary_operator){ PREC_MUL, OP_DIV };
    case SYM_CARET: return (struct binary_operator){ PREC_POW, OP_POW };
    default: return none;
    }
}

static void expression(struct compiler *c, int min_precedence) {
    if (c->failed || !enter(c)) return;
    if (is_keyword(c, KW_NOT)) {
        advance(c);
        expression(c, PREC_COMPARE);
        emit(c, OP_NOT);
    } else if (is_symbol(c, SYM_MINUS)) {
        advance(c);
        expression(c, PREC_POW);
        emit(c, OP_NEG);
    } else if (is_symbol(c, SYM_PLUS)) {
        advance(c);
        expression(c, PREC_POW);
    } else {
        primary(c);
    }
    for (;;) {
        if (c->failed) break;
        struct binary_operator op = binary_of(c);
        if (op.precedence == PREC_NONE || op.precedence < min_precedence) break;
        advance(c);
        expression(c, op.precedence + 1); /* all left-associative, ^ included (2^3^2 = 64) */
        emit(c, op.op);
    }
    leave(c);
}

static uint32_t line_number(struct compiler *c) {
    int32_t number;
    if (c->current.kind != TOK_NUMBER || !bas_to_int(c->current.number, 0, BAS_LINE_NUMBER_MAX, &number) ||
        (double)number != c->current.number) {
        fail(c, BAS_ERR_SYNTAX);
        return 0;
    }
    advance(c);
    return (uint32_t)number;
}

static void jump_to_line(struct compiler *c, uint8_t op) {
    uint32_t number = line_number(c);
    emit(c, op);
    emit_u16(c, number);
}

/* A variable or array element that receives a value: code for the subscripts now, the
 * store instruction through `emit_store` once the value has been computed. */
struct target {
    uint32_t symbol;
    uint32_t dims;
    bool is_string;
};

static bool target(struct compiler *c, struct target *out) {
    struct bas_token t = c->current;
    if (t.kind != TOK_NAME) {
        fail(c, BAS_ERR_SYNTAX);
        return false;
    }
    advance(c);
    out->is_string = t.is_string;
    out->dims = 0;
    if (is_symbol(c, SYM_LPAREN)) {
        out->symbol = symbol_of(c, &t, true);
        out->dims = subscripts(c);
    } else {
        out->symbol = symbol_of(c, &t, false);
    }
    return !c->failed;
}

static void emit_store(struct compiler *c, const struct target *t) {
    emit(c, t->dims ? OP_STORE_ELEM : OP_STORE);
    emit_u16(c, t->symbol);
    if (t->dims) emit(c, (uint8_t)t->dims);
}

static void assignment(struct compiler *c) {
    struct target t;
    if (!target(c, &t)) return;
    expect_symbol(c, SYM_EQ);
    expression(c, PREC_OR);
    emit_store(c, &t);
}

static void print_statement(struct compiler *c) {
    advance(c);
    bool newline = true;
    while (!at_statement_end(c) && !c->failed) {
        if (match_symbol(c, SYM_SEMICOLON)) {
            newline = false;
        } else if (match_symbol(c, SYM_COMMA)) {
            emit(c, OP_PRINT_COMMA);
            newline = false;
        } else {
            expression(c, PREC_OR);
            emit(c, OP_PRINT);
            newline = true;
        }
    }
    if (newline) emit(c, OP_PRINT_NEWLINE);
}

static void dim_statement(struct compiler *c) {
    advance(c);
    do {
        struct bas_token t = c->current;
        if (t.kind != TOK_NAME) {
            fail(c, BAS_ERR_SYNTAX);
            return;
        }
        advance(c);
        uint32_t symbol = symbol_of(c, &t, true);
        uint32_t dims = subscripts(c);
        emit(c, OP_DIM);
        emit_u16(c, symbol);
        emit(c, (uint8_t)dims);
    } while (!c->failed && match_symbol(c, SYM_COMMA));
}

static void input_statement(struct compiler *c) {
    advance(c);
    bool prompt = false;
    if (c->current.kind == TOK_STRING) {
        struct bas_token t = c->current;
        advance(c);
        if (!match_symbol(c, SYM_SEMICOLON) && !match_symbol(c, SYM_COMMA)) fail(c, BAS_ERR_SYNTAX);
        emit(c, OP_STRING);
        emit_u16(c, t.length);
        for (uint32_t i = 0; i < t.length; i++) emit(c, (uint8_t)t.start[i]);
        prompt = true;
    }
    emit(c, OP_INPUT_LINE);
    emit(c, prompt ? 1 : 0);
    do {
        struct target t;
        if (!target(c, &t)) return;
        emit(c, OP_INPUT_FIELD);
        emit(c, t.is_string ? BAS_STRING : BAS_NUMBER);
        emit_store(c, &t);
    } while (!c->failed && match_symbol(c, SYM_COMMA));
    emit(c, OP_INPUT_DONE);
}

static void statements(struct compiler *c, bool inside_if);

/* THEN/ELSE take a line number (a GOTO) or statements up to the matching ELSE. */
static void branch(struct compiler *c) {
    if (c->current.kind == TOK_NUMBER) jump_to_line(c, OP_GOTO);
    else statements(c, true);
}

static void if_statement(struct compiler *c) {
    advance(c);
    expression(c, PREC_OR);
    emit(c, OP_JUMP_FALSE);
    uint32_t to_else = c->length;
    emit_u16(c, 0);
    if (is_keyword(c, KW_GOTO)) {
        advance(c);
        jump_to_line(c, OP_GOTO);
    } else {
        expect_keyword(c, KW_THEN);
        if (!c->failed && enter(c)) {
            branch(c);
            leave(c);
        }
    }
    if (is_keyword(c, KW_ELSE)) {
        advance(c);
        emit(c, OP_JUMP);
        uint32_t to_end = c->length;
        emit_u16(c, 0);
        patch_u16(c, to_else, c->length);
        if (!c->failed && enter(c)) {
            branch(c);
            leave(c);
        }
        patch_u16(c, to_end, c->length);
    } else {
        patch_u16(c, to_else, c->length);
    }
}

static void for_statement(struct compiler *c) {
    advance(c);
    struct bas_token t = c->current;
    if (t.kind != TOK_NAME || t.is_string) {
        fail(c, t.kind == TOK_NAME ? BAS_ERR_TYPE_MISMATCH : BAS_ERR_SYNTAX);
        return;
    }
    advance(c);
    uint32_t symbol = symbol_of(c, &t, false);
    expect_symbol(c, SYM_EQ);
    expression(c, PREC_OR);
    expect_keyword(c, KW_TO);
    expression(c, PREC_OR);
    if (is_keyword(c, KW_STEP)) {
        advance(c);
        expression(c, PREC_OR);
    } else {
        emit(c, OP_NUMBER);
        emit_number(c, 1.0);
    }
    emit(c, OP_FOR);
    emit_u16(c, symbol);
}

static void next_statement(struct compiler *c) {
    advance(c);
    if (at_statement_end(c)) {
        emit(c, OP_NEXT);
        emit_u16(c, BAS_ANY_SYMBOL);
        return;
    }
    do {
        struct bas_token t = c->current;
        if (t.kind != TOK_NAME || t.is_string) {
            fail(c, BAS_ERR_SYNTAX);
            return;
        }
        advance(c);
        emit(c, OP_NEXT);
        emit_u16(c, symbol_of(c, &t, false));
    } while (!c->failed && match_symbol(c, SYM_COMMA));
}

static void resume_statement(struct compiler *c) {
    advance(c);
    emit(c, OP_RESUME);
    if (is_keyword(c, KW_NEXT)) {
        advance(c);
        emit(c, 1);
        emit_u16(c, 0);
    } else if (c->current.kind == TOK_NUMBER) {
        uint32_t number = line_number(c);
        emit(c, number ? 2 : 0);
        emit_u16(c, number);
    } else {
        emit(c, 0);
        emit_u16(c, 0);
    }
}

static void simple(struct compiler *c, uint8_t op) {
    advance(c);
    emit(c, op);
}

static void arguments(struct compiler *c, uint32_t count) {
    for (uint32_t i = 0; i < count && !c->failed; i++) {
        if (i) expect_symbol(c, SYM_COMMA);
        expression(c, PREC_OR);
    }
}

static void statement_body(struct compiler *c);

/* OP_STMT carries where its statement's code ends: RESUME NEXT continues there. */
static void statement(struct compiler *c) {
    emit(c, OP_STMT);
    uint32_t end = c->length;
    emit_u16(c, 0);
    statement_body(c);
    patch_u16(c, end, c->length);
}

static void statement_body(struct compiler *c) {
    const struct bas_token *t = &c->current;
    if (t->kind == TOK_NAME) {
        assignment(c);
        return;
    }
    if (is_symbol(c, SYM_QUESTION)) {
        print_statement(c);
        return;
    }
    if (t->kind != TOK_KEYWORD) {
        fail(c, BAS_ERR_SYNTAX);
        return;
    }
    switch (t->keyword) {
    case KW_PRINT: print_statement(c); return;
    case KW_LET: advance(c); assignment(c); return;
    case KW_DIM: dim_statement(c); return;
    case KW_INPUT: input_statement(c); return;
    case KW_IF: if_statement(c); return;
    case KW_GOTO: advance(c); jump_to_line(c, OP_GOTO); return;
    case KW_GOSUB: advance(c); jump_to_line(c, OP_GOSUB); return;
    case KW_RETURN: simple(c, OP_RETURN); return;
    case KW_FOR: for_statement(c); return;
    case KW_NEXT: next_statement(c); return;
    case KW_WHILE: advance(c); expression(c, PREC_OR); emit(c, OP_WHILE); return;
    case KW_WEND: simple(c, OP_WEND); return;
    case KW_END: simple(c, OP_END); return;
    case KW_STOP: simple(c, OP_STOP); return;
    case KW_SYSTEM: simple(c, OP_SYSTEM); return;
    case KW_CLEAR: simple(c, OP_CLEAR); return;
    case KW_REM:
        /* the rest of the line is the remark */
        while (*c->scanner.at) c->scanner.at++;
        advance(c);
        return;
    case KW_ON:
        advance(c);
        if (is_keyword(c, KW_MESSAGE)) {
            advance(c);
            expect_keyword(c, KW_GOSUB);
            jump_to_line(c, OP_ON_MESSAGE);
            return;
        }
        expect_keyword(c, KW_ERROR);
        expect_keyword(c, KW_GOTO);
        jump_to_line(c, OP_ON_ERROR);
        return;
    case KW_HOST: advance(c); arguments(c, 2); emit(c, OP_HOST); return;
    case KW_REPLY: advance(c); arguments(c, 1); emit(c, OP_REPLY); return;
    case KW_TEACH: advance(c); arguments(c, 4); emit(c, OP_TEACH); return;
    case KW_RESUME: resume_statement(c); return;
    case KW_SLEEP: advance(c); arguments(c, 1); emit(c, OP_SLEEP); return;
    case KW_BLOCKSET: advance(c); arguments(c, 4); emit(c, OP_BLOCKSET); return;
    case KW_RANDOMIZE:
        advance(c);
        if (at_statement_end(c)) {
            emit(c, OP_CALL);
            emit(c, (uint8_t)(KW_TIMER - KW_FN_FIRST));
            emit(c, 0);
        } else {
            expression(c, PREC_OR);
        }
        emit(c, OP_RANDOMIZE);
        return;
    default: fail(c, BAS_ERR_SYNTAX); return;
    }
}

static void statements(struct compiler *c, bool inside_if) {
    for (;;) {
        if (c->failed) return;
        if (c->current.kind == TOK_END || (inside_if && is_keyword(c, KW_ELSE))) return;
        statement(c);
        if (c->failed) return;
        if (match_symbol(c, SYM_COLON) || is_keyword(c, KW_REM)) continue; /* ' after a statement */
        if (c->current.kind == TOK_END || (inside_if && is_keyword(c, KW_ELSE))) return;
        fail(c, BAS_ERR_SYNTAX);
    }
}

uint32_t bas_compile(struct basic *b, const char *text, uint8_t *code, uint32_t capacity) {
    struct compiler c = { .b = b, .code = code, .capacity = capacity };
    bas_scanner_init(&c.scanner, text);
    advance(&c);
    statements(&c, false);
    emit(&c, OP_EOL);
    if (c.failed) {
        if (!b->error) b->error = BAS_ERR_SYNTAX;
        return 0;
    }
    return c.length;
}

uint32_t bas_op_size(const uint8_t *code) {
    switch (code[0]) {
    case OP_NUMBER: return 1 + sizeof(double);
    case OP_STRING: return 3u + (uint32_t)(code[1] | (code[2] << 8));
    case OP_LOAD: case OP_STORE: case OP_JUMP: case OP_JUMP_FALSE: case OP_GOTO: case OP_GOSUB: case OP_FOR:
    case OP_NEXT: case OP_ON_ERROR: case OP_ON_MESSAGE: case OP_STMT:
        return 3;
    case OP_LOAD_ELEM: case OP_STORE_ELEM: case OP_DIM: case OP_RESUME: return 4;
    case OP_CALL: return 3;
    case OP_INPUT_LINE: case OP_INPUT_FIELD: return 2;
    default: return 1;
    }
}

static bool name_equal(const char *stored, const char *name, size_t length) {
    for (size_t i = 0; i < length; i++) {
        char ch = name[i];
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
        if (stored[i] != ch) return false;
    }
    return stored[length] == '\0';
}

int bas_symbol_find(struct basic *b, const char *name, size_t length, bool is_string, bool is_array) {
    if (length == 0 || length > BAS_NAME_MAX) return -1;
    for (uint32_t i = 0; i < b->symbol_count; i++) {
        struct bas_symbol *s = &b->symbols[i];
        if (s->is_string == is_string && s->is_array == is_array && name_equal(s->name, name, length)) return (int)i;
    }
    if (b->symbol_count >= BAS_SYMBOLS_MAX) {
        bas_fail(b, BAS_ERR_OUT_OF_MEMORY);
        return -1;
    }
    if (b->symbol_count == b->symbol_capacity) {
        uint32_t capacity = b->symbol_capacity ? b->symbol_capacity * 2 : 16;
        struct bas_symbol *grown = bas_realloc(b, b->symbols, b->symbol_count * sizeof(*grown), capacity * sizeof(*grown));
        if (!grown) return -1;
        b->symbols = grown;
        b->symbol_capacity = capacity;
    }
    struct bas_symbol *s = &b->symbols[b->symbol_count];
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < length; i++) {
        char ch = name[i];
        s->name[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    }
    s->is_string = is_string;
    s->is_array = is_array;
    return (int)b->symbol_count++;
}

void bas_clear_variables(struct basic *b) {
    for (uint32_t i = 0; i < b->symbol_count; i++) {
        struct bas_symbol *s = &b->symbols[i];
        if (s->is_array) {
            struct bas_array *a = s->array;
            if (a && s->is_string)
                for (uint32_t k = 0; k < a->count; k++) bas_string_release(b, a->strings[k]);
            bas_free(b, a);
            s->array = 0;
        } else if (s->is_string) {
            bas_string_release(b, s->string);
            s->string = 0;
        } else {
            s->number = 0;
        }
    }
}
