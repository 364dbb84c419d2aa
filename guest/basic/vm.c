/* The runtime: a stack machine over the bytecode of the program's lines (and of the
 * direct-mode line). Nothing here recurses, so a BASIC program cannot grow the kernel
 * stack; FOR, WHILE and GOSUB live on a bounded control stack in the instance. Every part
 * reports a failure by setting b->error; the loop notices it before the next instruction
 * and either jumps to the ON ERROR handler or prints `?TYPE MISMATCH IN 20` and stops,
 * releasing whatever was on the operand stack, so an error never leaks a string. */
#include "basic/internal.h"

#include "lib/string.h"

static uint16_t read_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static const uint8_t *code_of(const struct basic *b, uint32_t line) {
    return line == BAS_NO_LINE ? b->direct_code : bas_line_code(b->lines[line]);
}

static uint32_t line_number_of(const struct basic *b, uint32_t line) {
    return line == BAS_NO_LINE || line >= b->line_count ? 0 : b->lines[line]->number;
}

void bas_write(struct basic *b, const char *text, size_t length) {
    for (size_t i = 0; i < length; i++) b->column = text[i] == '\n' ? 0 : b->column + 1;
    if (b->host->write && length) b->host->write(b->host->context, text, length);
}

void bas_print(struct basic *b, const char *text) { bas_write(b, text, strlen(text)); }

static void print_number(struct basic *b, double value) {
    char text[40];
    size_t n = 0;
    if (!(value < 0)) text[n++] = ' ';
    n += bas_number_format(value, text + n);
    text[n++] = ' ';
    bas_write(b, text, n);
}

static void stack_clear(struct basic *b) {
    while (b->sp > 0) bas_value_release(b, &b->stack[--b->sp]);
}

void bas_reset_run_state(struct basic *b) {
    stack_clear(b);
    b->frame_count = 0;
    b->on_error_line = 0;
    b->in_handler = false;
    b->on_message_line = 0;
    b->in_message = false;
    bas_agent_forget_message(b);
    b->err = 0;
    b->erl = 0;
    b->can_continue = false;
}

static void push(struct basic *b, struct bas_value value) {
    if (b->sp >= BAS_STACK_MAX) {
        bas_value_release(b, &value);
        bas_fail(b, BAS_ERR_FORMULA_TOO_COMPLEX);
        return;
    }
    b->stack[b->sp++] = value;
}

static void push_number(struct basic *b, double number) {
    if (!bas_is_finite(number)) {
        bas_fail(b, BAS_ERR_OVERFLOW);
        number = 0;
    }
    struct bas_value v = { .type = BAS_NUMBER, .number = number };
    push(b, v);
}

static void push_string(struct basic *b, struct bas_string *s) {
    struct bas_value v = { .type = BAS_STRING, .string = s };
    push(b, v);
}

/* The popped value belongs to the caller, who releases it. */
static struct bas_value pop(struct basic *b) {
    if (b->sp == 0) {
        struct bas_value none = { .type = BAS_NUMBER, .number = 0 };
        bas_fail(b, BAS_ERR_SYNTAX);
        return none;
    }
    return b->stack[--b->sp];
}

static double pop_number(struct basic *b) {
    struct bas_value v = pop(b);
    if (v.type != BAS_NUMBER) {
        bas_value_release(b, &v);
        bas_fail(b, BAS_ERR_TYPE_MISMATCH);
        return 0;
    }
    return v.number;
}

static bool to_logical(struct basic *b, double value, int32_t *out) {
    if (bas_to_int(value, INT32_MIN, INT32_MAX, out)) return true;
    bas_fail(b, BAS_ERR_OVERFLOW);
    return false;
}

static int compare_strings(const struct bas_string *x, const struct bas_string *y) {
    uint32_t nx = bas_string_length(x), ny = bas_string_length(y);
    int c = memcmp(bas_string_chars(x), bas_string_chars(y), nx < ny ? nx : ny);
    if (c) return c;
    return nx < ny ? -1 : nx > ny ? 1 : 0;
}

static void binary(struct basic *b, uint8_t op) {
    struct bas_value right = pop(b), left = pop(b);
    if (left.type != right.type) {
        bas_fail(b, BAS_ERR_TYPE_MISMATCH);
    } else if (left.type == BAS_STRING) {
        if (op == OP_ADD) {
            uint32_t nl = bas_string_length(left.string), nr = bas_string_length(right.string);
            if (nl + nr > BAS_STRING_MAX) {
                bas_fail(b, BAS_ERR_STRING_TOO_LONG);
            } else if (nr == 0 || nl == 0) {
                push_string(b, bas_string_retain(nl ? left.string : right.string));
            } else {
                struct bas_string *s = bas_string_new(b, 0, nl + nr);
                if (s) {
                    memcpy(s->chars, left.string->chars, nl);
                    memcpy(s->chars + nl, right.string->chars, nr);
                    push_string(b, s);
                }
            }
        } else if (op >= OP_EQ && op <= OP_GE) {
            int c = compare_strings(left.string, right.string);
            bool truth = op == OP_EQ ? c == 0 : op == OP_NE ? c != 0 : op == OP_LT ? c < 0 : op == OP_GT ? c > 0
                       : op == OP_LE ? c <= 0 : c >= 0;
            push_number(b, truth ? -1.0 : 0.0);
        } else {
            bas_fail(b, BAS_ERR_TYPE_MISMATCH);
        }
    } else {
        double x = left.number, y = right.number, r = 0;
        int32_t ix, iy;
        int error = BAS_OK;
        switch (op) {
        case OP_ADD: r = x + y; break;
        case OP_SUB: r = x - y; break;
        case OP_MUL: r = x * y; break;
        case OP_DIV:
            if (y == 0) error = BAS_ERR_DIVISION_BY_ZERO;
            else r = x / y;
            break;
        case OP_IDIV:
            if (y == 0) error = BAS_ERR_DIVISION_BY_ZERO;
            else r = x / y, r = r < 0 ? -bas_floor(-r) : bas_floor(r);
            break;
        case OP_MOD:
            if (y == 0) error = BAS_ERR_DIVISION_BY_ZERO;
            else r = bas_fmod(x, y);
            break;
        case OP_POW: r = bas_pow(x, y, &error); break;
        case OP_EQ: r = x == y ? -1 : 0; break;
        case OP_NE: r = x != y ? -1 : 0; break;
        case OP_LT: r = x < y ? -1 : 0; break;
        case OP_GT: r = x > y ? -1 : 0; break;
        case OP_LE: r = x <= y ? -1 : 0; break;
        case OP_GE: r = x >= y ? -1 : 0; break;
        case OP_AND:
        case OP_OR:
            if (to_logical(b, x, &ix) && to_logical(b, y, &iy)) r = op == OP_AND ? (ix & iy) : (ix | iy);
            break;
        default: error = BAS_ERR_SYNTAX; break;
        }
        if (error) bas_fail(b, error);
        else push_number(b, r);
    }
    bas_value_release(b, &left);
    bas_value_release(b, &right);
}

/* ---- arrays ---- */

static struct bas_array *array_make(struct basic *b, bool is_string, uint32_t dims, const int32_t *bounds) {
    uint32_t count = 1;
    for (uint32_t d = 0; d < dims; d++) {
        if (bounds[d] < 0 || bounds[d] >= (int32_t)BAS_ARRAY_ELEMENTS_MAX) {
            bas_fail(b, BAS_ERR_BAD_SUBSCRIPT);
            return 0;
        }
        count *= (uint32_t)bounds[d] + 1;
        if (count > BAS_ARRAY_ELEMENTS_MAX) {
            bas_fail(b, BAS_ERR_OUT_OF_MEMORY);
            return 0;
        }
    }
    size_t element = is_string ? sizeof(struct bas_string *) : sizeof(double);
    struct bas_array *a = bas_zalloc(b, sizeof(*a) + count * element);
    if (!a) return 0;
    a->dims = (uint8_t)dims;
    for (uint32_t d = 0; d < dims; d++) a->bound[d] = (uint16_t)bounds[d];
    a->count = count;
    return a;
}

/* Pops `dims` subscripts and returns the element index, auto-dimensioning to 10. */
static bool element_index(struct basic *b, struct bas_symbol *s, uint32_t dims, uint32_t *index) {
    int32_t subscript[BAS_DIMS_MAX] = { 0, 0, 0 };
    bool valid = dims >= 1 && dims <= BAS_DIMS_MAX;
    for (uint32_t d = dims; d-- > 0;) {
        double v = pop_number(b);
        if (valid && !bas_to_int(v, 0, (int32_t)BAS_ARRAY_ELEMENTS_MAX, &subscript[d < BAS_DIMS_MAX ? d : 0]))
            valid = false;
    }
    if (b->error) return false;
    if (!valid) {
        bas_fail(b, BAS_ERR_BAD_SUBSCRIPT);
        return false;
    }
    if (!s->array) {
        int32_t bounds[BAS_DIMS_MAX] = { BAS_ARRAY_DEFAULT_BOUND, BAS_ARRAY_DEFAULT_BOUND, BAS_ARRAY_DEFAULT_BOUND };
        s->array = array_make(b, s->is_string, dims, bounds);
        if (!s->array) return false;
    }
    struct bas_array *a = s->array;
    if (a->dims != dims) {
        bas_fail(b, BAS_ERR_BAD_SUBSCRIPT);
        return false;
    }
    uint32_t at = 0;
    for (uint32_t d = 0; d < dims; d++) {
        if (subscript[d] > a->bound[d]) {
            bas_fail(b, BAS_ERR_BAD_SUBSCRIPT);
            return false;
        }
        at = at * (a->bound[d] + 1u) + (uint32_t)subscript[d];
    }
    *index = at;
    return true;
}

static void dim(struct basic *b, struct bas_symbol *s, uint32_t dims) {
    int32_t bounds[BAS_DIMS_MAX] = { 0, 0, 0 };
    bool valid = dims >= 1 && dims <= BAS_DIMS_MAX;
    for (uint32_t d = dims; d-- > 0;) {
        double v = pop_number(b);
        if (valid && !bas_to_int(v, 0, (int32_t)BAS_ARRAY_ELEMENTS_MAX, &bounds[d < BAS_DIMS_MAX ? d : 0]))
            valid = false;
    }
    if (b->error) return;
    if (!valid) return bas_fail(b, BAS_ERR_BAD_SUBSCRIPT);
    if (s->array) return bas_fail(b, BAS_ERR_REDIMENSIONED);
    s->array = array_make(b, s->is_string, dims, bounds);
}

static void store(struct basic *b, struct bas_symbol *s, struct bas_value *value, struct bas_array *a, uint32_t index) {
    if ((value->type == BAS_STRING) != s->is_string) {
        bas_value_release(b, value);
        bas_fail(b, BAS_ERR_TYPE_MISMATCH);
        return;
    }
    if (a && s->is_string) {
        bas_string_release(b, a->strings[index]);
        a->strings[index] = value->string;
    } else if (a) {
        a->numbers[index] = value->number;
    } else if (s->is_string) {
        bas_string_release(b, s->string);
        s->string = value->string;
    } else {
        s->number = value->number;
    }
}

/* ---- control flow ---- */

static void go_to_line(struct basic *b, uint32_t number) {
    int32_t index = bas_line_find(b, number);
    if (index < 0) return bas_fail(b, BAS_ERR_UNDEFINED_LINE);
    b->pc.line = (uint32_t)index;
    b->pc.pc = 0;
}

static bool push_frame(struct basic *b, struct bas_frame frame) {
    if (b->frame_count >= BAS_CONTROL_MAX) {
        bas_fail(b, BAS_ERR_OUT_OF_MEMORY);
        return false;
    }
    b->frames[b->frame_count++] = frame;
    return true;
}

/* Moves pc past the instruction that closes the block being skipped (NEXT for FOR, WEND
 * for WHILE), counting nested blocks, across lines. False when there is none. */
static bool skip_block(struct basic *b, uint8_t open, uint8_t close, uint16_t symbol) {
    struct bas_position at = b->pc;
    uint32_t depth = 0;
    for (;;) {
        const uint8_t *code = code_of(b, at.line);
        uint8_t op = code[at.pc];
        if (op == OP_EOL) {
            if (at.line == BAS_NO_LINE || at.line + 1 >= b->line_count) return false;
            at.line++;
            at.pc = 0;
            continue;
        }
        at.pc += bas_op_size(code + at.pc);
        if (op == open) {
            depth++;
        } else if (op == close) {
            uint16_t closes = close == OP_NEXT ? read_u16(code + at.pc - 2) : BAS_ANY_SYMBOL;
            if (depth == 0 && (closes == BAS_ANY_SYMBOL || closes == symbol)) {
                b->pc = at;
                return true;
            }
            if (depth > 0) depth--;
        }
    }
}

static void for_start(struct basic *b, uint16_t symbol) {
    double step = pop_number(b), limit = pop_number(b), start = pop_number(b);
    if (b->error) return;
    b->symbols[symbol].number = start;
    for (uint32_t i = b->frame_count; i-- > 0;) { /* FOR I again: forget the old loop and all inside it */
        if (b->frames[i].kind == FRAME_GOSUB) break;
        if (b->frames[i].kind == FRAME_FOR && b->frames[i].symbol == symbol) {
            b->frame_count = i;
            break;
        }
    }
    if (step >= 0 ? start > limit : start < limit) {
        if (!skip_block(b, OP_FOR, OP_NEXT, symbol)) bas_fail(b, BAS_ERR_FOR_WITHOUT_NEXT);
        return;
    }
    struct bas_frame frame = { .kind = FRAME_FOR, .symbol = symbol, .at = b->pc, .limit = limit, .step = step };
    push_frame(b, frame);
}

static void next(struct basic *b, uint16_t symbol) {
    for (uint32_t i = b->frame_count; i-- > 0;) {
        struct bas_frame *f = &b->frames[i];
        if (f->kind == FRAME_GOSUB) break;
        if (f->kind != FRAME_FOR || (symbol != BAS_ANY_SYMBOL && f->symbol != symbol)) continue;
        b->frame_count = i + 1;
        double value = b->symbols[f->symbol].number + f->step;
        if (!bas_is_finite(value)) return bas_fail(b, BAS_ERR_OVERFLOW);
        b->symbols[f->symbol].number = value;
        if (f->step >= 0 ? value <= f->limit : value >= f->limit) b->pc = f->at;
        else b->frame_count = i;
        return;
    }
    bas_fail(b, BAS_ERR_NEXT_WITHOUT_FOR);
}

static bool same_position(struct bas_position x, struct bas_position y) { return x.line == y.line && x.pc == y.pc; }

static void while_test(struct basic *b) {
    double condition = pop_number(b);
    if (b->error) return;
    bool looping = b->frame_count > 0 && b->frames[b->frame_count - 1].kind == FRAME_WHILE &&
                   same_position(b->frames[b->frame_count - 1].at, b->statement);
    if (condition != 0) {
        if (!looping) {
            struct bas_frame frame = { .kind = FRAME_WHILE, .at = b->statement };
            push_frame(b, frame);
        }
        return;
    }
    if (looping) b->frame_count--;
    if (!skip_block(b, OP_WHILE, OP_WEND, 0)) bas_fail(b, BAS_ERR_WHILE_WITHOUT_WEND);
}

static void wend(struct basic *b) {
    if (b->frame_count == 0 || b->frames[b->frame_count - 1].kind != FRAME_WHILE)
        return bas_fail(b, BAS_ERR_WEND_WITHOUT_WHILE);
    b->pc = b->frames[b->frame_count - 1].at;
}

static void gosub_return(struct basic *b) {
    for (uint32_t i = b->frame_count; i-- > 0;) {
        if (b->frames[i].kind != FRAME_GOSUB) continue;
        if (b->frames[i].symbol == BAS_FRAME_MESSAGE) b->in_message = false;
        b->pc = b->frames[i].at;
        b->frame_count = i;
        return;
    }
    bas_fail(b, BAS_ERR_RETURN_WITHOUT_GOSUB);
}

static void resume(struct basic *b, uint8_t kind, uint16_t line) {
    if (!b->in_handler) return bas_fail(b, BAS_ERR_RESUME_WITHOUT_ERROR);
    b->in_handler = false;
    if (kind == 2) return go_to_line(b, line);
    const uint8_t *code = code_of(b, b->error_at.line);
    b->pc = b->error_at;
    if (kind == 1) b->pc.pc = read_u16(code + b->error_at.pc + 1); /* the failed statement's end */
}

/* ---- INPUT ---- */

static void input_line(struct basic *b, bool has_prompt) {
    if (has_prompt) {
        struct bas_value prompt = pop(b);
        if (prompt.type == BAS_STRING) bas_write(b, bas_string_chars(prompt.string), bas_string_length(prompt.string));
        bas_value_release(b, &prompt);
    }
    bas_print(b, "? ");
    int n = b->host->read_line ? b->host->read_line(b->host->context, b->input, sizeof(b->input)) : BASIC_READ_HANGUP;
    if (n == BASIC_READ_BREAK) b->column = 0; /* the host echoed ^C and a line end */
    if (n < 0) return bas_fail(b, BAS_ERR_BREAK);
    b->column = 0; /* the host echoed the line and its end */
    if ((uint32_t)n >= sizeof(b->input)) n = (int)sizeof(b->input) - 1;
    b->input[n] = '\0';
    b->input_at = 0;
    b->input_statement = b->statement;
}

static void redo_from_start(struct basic *b) {
    bas_print(b, "?REDO FROM START\n");
    stack_clear(b);
    b->pc = b->input_statement;
}

static void input_field(struct basic *b, uint8_t type) {
    uint32_t length = (uint32_t)strlen(b->input);
    if (b->input_at > length) return redo_from_start(b);
    const char *p = b->input + b->input_at;
    while (*p == ' ') p++;
    const char *start = p, *end;
    bool quoted = type == BAS_STRING && *p == '"';
    if (quoted) {
        start = ++p;
        while (*p && *p != '"') p++;
        end = p;
        if (*p == '"') p++;
        while (*p == ' ') p++;
    } else {
        while (*p && *p != ',') p++;
        end = p;
        while (end > start && end[-1] == ' ') end--;
    }
    if (*p && *p != ',') return redo_from_start(b);
    b->input_at = *p == ',' ? (uint32_t)(p + 1 - b->input) : length + 1;
    if (type == BAS_STRING) {
        push_string(b, bas_string_new(b, start, (size_t)(end - start)));
        return;
    }
    double value = 0;
    size_t used = 0;
    if (end > start) {
        const char *q = start;
        bool negative = *q == '-';
        if (*q == '-' || *q == '+') q++;
        used = bas_number_parse(q, &value);
        if (used == 0 || q + used != end) return redo_from_start(b);
        if (negative) value = -value;
    }
    push_number(b, value);
}

/* ---- the loop ---- */

static void report(struct basic *b, int error) {
    if (b->column) bas_print(b, "\n");
    char text[96];
    uint32_t line = line_number_of(b, b->statement.line);
    const char *name = bas_error_text(error);
    size_t n = 0;
    text[n++] = '?';
    for (const char *p = name; *p && n < 40; p++) text[n++] = *p;
    if (error == BAS_ERR_LINE_FAILED) {
        text[n++] = ':';
        text[n++] = ' ';
        for (const char *p = bas_core_error_name(b->core_error); *p && n < 70; p++) text[n++] = *p;
    }
    text[n] = '\0';
    bas_print(b, text);
    if (b->statement.line != BAS_NO_LINE) {
        char number[16];
        bas_number_format((double)line, number);
        bas_print(b, " IN ");
        bas_print(b, number);
    }
    bas_print(b, "\n");
}

/* An error happened in the statement at b->statement: trap it or stop. */
static void handle_error(struct basic *b) {
    int error = b->error;
    b->error = BAS_OK;
    stack_clear(b);
    if (error == BAS_ERR_BREAK) {
        if (b->column) bas_print(b, "\n");
        bas_print(b, "Break");
        if (b->statement.line != BAS_NO_LINE) {
            char number[16];
            bas_number_format((double)line_number_of(b, b->statement.line), number);
            bas_print(b, " in ");
            bas_print(b, number);
        }
        bas_print(b, "\n");
        /* CONT goes on from a program line only: the direct-mode line is gone by then */
        b->can_continue = b->statement.line != BAS_NO_LINE;
        b->continue_at = b->statement;
        b->running = false;
        return;
    }
    b->err = error == BAS_ERR_LINE_FAILED ? BAS_ERR_LINE_FAILED + (int)b->core_error : error;
    b->erl = line_number_of(b, b->statement.line);
    /* only program lines are trapped: a mistake typed at the prompt should just be reported */
    if (b->on_error_line && !b->in_handler && b->statement.line != BAS_NO_LINE) {
        int32_t index = bas_line_find(b, b->on_error_line);
        if (index >= 0) {
            b->in_handler = true;
            b->error_at = b->statement;
            b->pc.line = (uint32_t)index;
            b->pc.pc = 0;
            return;
        }
    }
    report(b, error);
    b->running = false;
    if (b->statement.line != BAS_NO_LINE) b->can_continue = false; /* PRINT 1/0 after STOP keeps CONT */
}

static void step_hook(struct basic *b) {
    b->steps++;
    uint32_t interval = b->host->step_interval ? b->host->step_interval : BASIC_STEP_INTERVAL;
    if (b->host->step && b->steps % interval == 0 && b->host->step(b->host->context)) bas_fail(b, BAS_ERR_BREAK);
}

void bas_run(struct basic *b, struct bas_position from) {
    b->pc = from;
    b->statement = from;
    b->running = true;
    while (b->running) {
        if (b->error) {
            handle_error(b);
            continue;
        }
        const uint8_t *code = code_of(b, b->pc.line);
        const uint8_t *at = code + b->pc.pc;
        uint8_t op = *at;
        b->pc.pc += bas_op_size(at);
        switch (op) {
        case OP_EOL:
            if (b->pc.line == BAS_NO_LINE || b->pc.line + 1 >= b->line_count) {
                if (b->pc.line != BAS_NO_LINE) b->can_continue = false;
                b->running = false;
            } else {
                b->pc.line++;
                b->pc.pc = 0;
            }
            break;
        case OP_STMT:
            b->statement.line = b->pc.line;
            b->statement.pc = (uint32_t)(at - code);
            step_hook(b);
            if (b->on_message_line && !b->in_message && !b->error) bas_agent_dispatch_message(b);
            break;
        case OP_SYNTAX_ERROR: bas_fail(b, BAS_ERR_SYNTAX); break;
        case OP_POP: {
            struct bas_value v = pop(b);
            bas_value_release(b, &v);
            break;
        }
        case OP_NUMBER: {
            double value;
            memcpy(&value, at + 1, sizeof(value));
            push_number(b, value);
            break;
        }
        case OP_STRING: {
            uint16_t n = read_u16(at + 1);
            struct bas_string *s = bas_string_new(b, (const char *)at + 3, n);
            if (!b->error) push_string(b, s);
            break;
        }
        case OP_LOAD: {
            struct bas_symbol *s = &b->symbols[read_u16(at + 1)];
            if (s->is_string) push_string(b, bas_string_retain(s->string));
            else push_number(b, s->number);
            break;
        }
        case OP_STORE: {
            struct bas_value v = pop(b);
            if (!b->error) store(b, &b->symbols[read_u16(at + 1)], &v, 0, 0);
            else bas_value_release(b, &v);
            break;
        }
        case OP_LOAD_ELEM: {
            struct bas_symbol *s = &b->symbols[read_u16(at + 1)];
            uint32_t index;
            if (!element_index(b, s, at[3], &index)) break;
            if (s->is_string) push_string(b, bas_string_retain(s->array->strings[index]));
            else push_number(b, s->array->numbers[index]);
            break;
        }
        case OP_STORE_ELEM: {
            struct bas_symbol *s = &b->symbols[read_u16(at + 1)];
            struct bas_value v = pop(b);
            uint32_t index;
            if (!b->error && element_index(b, s, at[3], &index)) store(b, s, &v, s->array, index);
            else bas_value_release(b, &v);
            break;
        }
        case OP_DIM: dim(b, &b->symbols[read_u16(at + 1)], at[3]); break;
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_IDIV: case OP_MOD: case OP_POW:
        case OP_EQ: case OP_NE: case OP_LT: case OP_GT: case OP_LE: case OP_GE: case OP_AND: case OP_OR:
            binary(b, op);
            break;
        case OP_NEG: {
            double x = pop_number(b);
            if (!b->error) push_number(b, -x);
            break;
        }
        case OP_NOT: {
            int32_t x;
            double v = pop_number(b);
            if (!b->error && to_logical(b, v, &x)) push_number(b, (double)~x);
            break;
        }
        case OP_CALL: bas_call_function(b, (enum bas_keyword)(KW_FN_FIRST + at[1]), at[2]); break;
        case OP_PRINT: {
            struct bas_value v = pop(b);
            if (b->error) break;
            if (v.type == BAS_NUMBER) print_number(b, v.number);
            else bas_write(b, bas_string_chars(v.string), bas_string_length(v.string));
            bas_value_release(b, &v);
            break;
        }
        case OP_PRINT_COMMA: {
            static const char spaces[BAS_PRINT_ZONE] = "              ";
            bas_write(b, spaces, BAS_PRINT_ZONE - b->column % BAS_PRINT_ZONE);
            break;
        }
        case OP_PRINT_NEWLINE: bas_print(b, "\n"); break;
        case OP_INPUT_LINE: input_line(b, at[1] != 0); break;
        case OP_INPUT_FIELD: input_field(b, at[1]); break;
        case OP_INPUT_DONE:
            if (b->input_at <= strlen(b->input)) bas_print(b, "?EXTRA IGNORED\n");
            break;
        case OP_JUMP: b->pc.pc = read_u16(at + 1); break;
        case OP_JUMP_FALSE: {
            double condition = pop_number(b);
            if (!b->error && condition == 0) b->pc.pc = read_u16(at + 1);
            break;
        }
        case OP_GOTO: go_to_line(b, read_u16(at + 1)); break;
        case OP_GOSUB: {
            struct bas_frame frame = { .kind = FRAME_GOSUB, .at = b->pc };
            if (push_frame(b, frame)) go_to_line(b, read_u16(at + 1));
            if (b->error && b->frame_count && b->frames[b->frame_count - 1].kind == FRAME_GOSUB &&
                same_position(b->frames[b->frame_count - 1].at, frame.at))
                b->frame_count--;
            break;
        }
        case OP_RETURN: gosub_return(b); break;
        case OP_FOR: for_start(b, read_u16(at + 1)); break;
        case OP_NEXT: next(b, read_u16(at + 1)); break;
        case OP_WHILE: while_test(b); break;
        case OP_WEND: wend(b); break;
        case OP_END:
            if (b->pc.line != BAS_NO_LINE) b->can_continue = false;
            b->running = false;
            break;
        case OP_STOP:
            b->statement = b->pc; /* CONT goes on after STOP */
            bas_fail(b, BAS_ERR_BREAK);
            break;
        case OP_SYSTEM:
            b->quit = true;
            b->running = false;
            break;
        case OP_ON_ERROR:
            b->on_error_line = read_u16(at + 1);
            break;
        case OP_RESUME: resume(b, at[1], read_u16(at + 2)); break;
        case OP_SLEEP: {
            double ms = pop_number(b);
            if (!b->error) bas_sleep(b, ms);
            break;
        }
        case OP_BLOCKSET: {
            double args[4];
            for (int i = 3; i >= 0; i--) args[i] = pop_number(b);
            if (!b->error) bas_core_blockset(b, args);
            break;
        }
        case OP_RANDOMIZE: {
            double seed = pop_number(b);
            if (!b->error) bas_randomize(b, seed);
            break;
        }
        case OP_CLEAR:
            bas_clear_variables(b);
            b->frame_count = 0;
            b->on_error_line = 0;
            b->in_handler = false;
            b->on_message_line = 0;
            b->in_message = false;
            break;
        case OP_ON_MESSAGE: b->on_message_line = read_u16(at + 1); break;
        case OP_HOST: {
            struct bas_value vertex = pop(b);
            double cube = pop_number(b);
            if (!b->error) bas_agent_host(b, cube, &vertex);
            bas_value_release(b, &vertex);
            break;
        }
        case OP_REPLY: {
            struct bas_value text = pop(b);
            if (!b->error && text.type != BAS_STRING) bas_fail(b, BAS_ERR_TYPE_MISMATCH);
            if (!b->error) bas_agent_reply(b, text.string);
            bas_value_release(b, &text);
            break;
        }
        case OP_TEACH: {
            struct bas_value text = pop(b);
            double at3[3];
            for (int i = 2; i >= 0; i--) at3[i] = pop_number(b);
            if (!b->error && text.type != BAS_STRING) bas_fail(b, BAS_ERR_TYPE_MISMATCH);
            if (!b->error) bas_agent_teach(b, at3, text.string);
            bas_value_release(b, &text);
            break;
        }
        default: bas_fail(b, BAS_ERR_SYNTAX); break;
        }
    }
    stack_clear(b);
}
