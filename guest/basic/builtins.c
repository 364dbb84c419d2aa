/* The built-in functions, and SLEEP and RANDOMIZE. Each function takes its arguments from
 * the top of the operand stack, checks their types and ranges (a wrong type is ?TYPE
 * MISMATCH, a value out of range ?ILLEGAL FUNCTION CALL), and leaves one result. Arity is
 * checked when the line is compiled, so LEN(A$, B$) is a ?SYNTAX ERROR as it is typed. */
#include "basic/internal.h"

#include "lib/string.h"

#define RND_DEFAULT_SEED 0x2545F491u
#define MAX_SLEEP_MS 86400000.0 /* one day */
#define CHAR_MAX_CODE 255

struct function_spec {
    uint8_t min_args, max_args;
    const char *types; /* n = number, s = string, per argument in order */
};

static const struct function_spec functions[BAS_FUNCTION_COUNT] = {
    [KW_ABS - KW_FN_FIRST] = { 1, 1, "n" },     [KW_INT - KW_FN_FIRST] = { 1, 1, "n" },
    [KW_SQR - KW_FN_FIRST] = { 1, 1, "n" },     [KW_SIN - KW_FN_FIRST] = { 1, 1, "n" },
    [KW_COS - KW_FN_FIRST] = { 1, 1, "n" },     [KW_TAN - KW_FN_FIRST] = { 1, 1, "n" },
    [KW_ATN - KW_FN_FIRST] = { 1, 1, "n" },     [KW_EXP - KW_FN_FIRST] = { 1, 1, "n" },
    [KW_LOG - KW_FN_FIRST] = { 1, 1, "n" },     [KW_RND - KW_FN_FIRST] = { 0, 1, "n" },
    [KW_SGN - KW_FN_FIRST] = { 1, 1, "n" },     [KW_FIX - KW_FN_FIRST] = { 1, 1, "n" },
    [KW_LEN - KW_FN_FIRST] = { 1, 1, "s" },     [KW_MID - KW_FN_FIRST] = { 2, 3, "snn" },
    [KW_LEFT - KW_FN_FIRST] = { 2, 2, "sn" },   [KW_RIGHT - KW_FN_FIRST] = { 2, 2, "sn" },
    [KW_STR - KW_FN_FIRST] = { 1, 1, "n" },     [KW_VAL - KW_FN_FIRST] = { 1, 1, "s" },
    [KW_CHR - KW_FN_FIRST] = { 1, 1, "n" },     [KW_ASC - KW_FN_FIRST] = { 1, 1, "s" },
    [KW_INSTR - KW_FN_FIRST] = { 2, 3, 0 },     [KW_SPACE - KW_FN_FIRST] = { 1, 1, "n" },
    [KW_TIMER - KW_FN_FIRST] = { 0, 0, "" },    [KW_ERR - KW_FN_FIRST] = { 0, 0, "" },
    [KW_ERL - KW_FN_FIRST] = { 0, 0, "" },      [KW_BLOCKGET - KW_FN_FIRST] = { 3, 3, "nnn" },
    [KW_LLM - KW_FN_FIRST] = { 5, 5, "nnnns" }, [KW_TENSOR - KW_FN_FIRST] = { 3, 5, "sssss" },
    [KW_CUBE - KW_FN_FIRST] = { 3, 3, "nss" },
    [KW_MSG - KW_FN_FIRST] = { 0, 0, "" },     [KW_MSGFROM - KW_FN_FIRST] = { 0, 0, "" },
};

bool bas_function_arity(enum bas_keyword fn, uint32_t argc) {
    if (fn < KW_FN_FIRST || fn >= KW_FN_END) return false;
    const struct function_spec *spec = &functions[fn - KW_FN_FIRST];
    if (fn == KW_TENSOR && argc == 4) return false; /* a second input needs its shape and values */
    return argc >= spec->min_args && argc <= spec->max_args;
}

static uint32_t rnd_next(struct basic *b) {
    uint32_t x = b->rnd_state ? b->rnd_state : RND_DEFAULT_SEED;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b->rnd_state = x;
    return x;
}

void bas_randomize(struct basic *b, double seed) {
    union {
        double d;
        uint32_t w[2];
    } u = { seed };
    uint32_t mixed = (u.w[0] ^ (u.w[1] * 0x9E3779B9u)) * 0x85EBCA6Bu;
    b->rnd_state = mixed ? mixed : RND_DEFAULT_SEED;
}

static double rnd(struct basic *b, uint32_t argc, double x) {
    if (argc == 1 && x < 0) bas_randomize(b, x);
    if (argc == 1 && x == 0) return b->rnd_last;
    b->rnd_last = (double)(int32_t)(rnd_next(b) >> 1) / 2147483648.0;
    return b->rnd_last;
}

void bas_sleep(struct basic *b, double ms) {
    if (!(ms >= 0) || ms > MAX_SLEEP_MS) return bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
    if (!b->host->sleep) return;
    if (!b->host->sleep(b->host->context, (uint32_t)ms)) bas_fail(b, BAS_ERR_BREAK);
}

static bool int_arg(struct basic *b, double value, int32_t min, int32_t max, int32_t *out) {
    if (bas_to_int(value, min, max, out)) return true;
    bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
    return false;
}

static struct bas_string *substring(struct basic *b, struct bas_string *s, uint32_t start, uint32_t length) {
    uint32_t n = bas_string_length(s);
    if (start >= n) return 0;
    if (length > n - start) length = n - start;
    if (start == 0 && length == n) return bas_string_retain(s);
    return bas_string_new(b, s->chars + start, length);
}

static double instr(struct basic *b, struct bas_value *args, uint32_t argc) {
    int32_t start = 1;
    struct bas_value *haystack = &args[0], *needle = &args[1];
    if (argc == 3) {
        if (args[0].type != BAS_NUMBER) return bas_fail(b, BAS_ERR_TYPE_MISMATCH), 0;
        if (!int_arg(b, args[0].number, 1, (int32_t)BAS_STRING_MAX + 1, &start)) return 0;
        haystack = &args[1];
        needle = &args[2];
    }
    if (haystack->type != BAS_STRING || needle->type != BAS_STRING) return bas_fail(b, BAS_ERR_TYPE_MISMATCH), 0;
    uint32_t nh = bas_string_length(haystack->string), nn = bas_string_length(needle->string);
    if ((uint32_t)start > nh + 1) return 0;
    if (nn == 0) return start;
    const char *h = bas_string_chars(haystack->string), *n = bas_string_chars(needle->string);
    for (uint32_t i = (uint32_t)start - 1; i + nn <= nh; i++)
        if (memcmp(h + i, n, nn) == 0) return (double)(i + 1);
    return 0;
}

static struct bas_string *number_string(struct basic *b, double value) {
    char text[40];
    size_t n = 0;
    if (!(value < 0)) text[n++] = ' ';
    n += bas_number_format(value, text + n);
    return bas_string_new(b, text, n);
}

static double val(const struct bas_string *s) {
    const char *p = bas_string_chars(s);
    while (*p == ' ') p++;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+') p++;
    double value = 0;
    if (!bas_number_parse(p, &value)) return 0;
    return negative ? -value : value;
}

static bool types_match(const struct function_spec *spec, const struct bas_value *args, uint32_t argc) {
    if (!spec->types) return true; /* checked by the function itself */
    for (uint32_t i = 0; i < argc; i++)
        if (args[i].type != (spec->types[i] == 's' ? BAS_STRING : BAS_NUMBER)) return false;
    return true;
}

static void string_result(struct basic *b, struct bas_value *result, struct bas_string *s) {
    result->type = BAS_STRING;
    result->string = s;
}

void bas_call_function(struct basic *b, enum bas_keyword fn, uint32_t argc) {
    if (fn < KW_FN_FIRST || fn >= KW_FN_END || argc > b->sp) return bas_fail(b, BAS_ERR_SYNTAX);
    const struct function_spec *spec = &functions[fn - KW_FN_FIRST];
    struct bas_value *args = &b->stack[b->sp - argc];
    struct bas_value result = { .type = BAS_NUMBER, .number = 0 };
    double x = argc && args[0].type == BAS_NUMBER ? args[0].number : 0;
    struct bas_string *s = argc && args[0].type == BAS_STRING ? args[0].string : 0;
    int32_t n, m;
    if (!types_match(spec, args, argc)) {
        bas_fail(b, BAS_ERR_TYPE_MISMATCH);
    } else {
        switch (fn) {
        case KW_ABS: result.number = bas_fabs(x); break;
        case KW_INT: result.number = bas_floor(x); break;
        case KW_FIX: result.number = x < 0 ? -bas_floor(-x) : bas_floor(x); break;
        case KW_SGN: result.number = x > 0 ? 1 : x < 0 ? -1 : 0; break;
        case KW_SQR:
            if (x < 0) bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
            else result.number = bas_sqrt(x);
            break;
        case KW_SIN: result.number = bas_sin(x); break;
        case KW_COS: result.number = bas_cos(x); break;
        case KW_TAN: result.number = bas_tan(x); break;
        case KW_ATN: result.number = bas_atan(x); break;
        case KW_EXP:
            result.number = bas_exp(x);
            if (!bas_is_finite(result.number)) bas_fail(b, BAS_ERR_OVERFLOW);
            break;
        case KW_LOG:
            if (x <= 0) bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
            else result.number = bas_log(x);
            break;
        case KW_RND: result.number = rnd(b, argc, x); break;
        case KW_LEN: result.number = bas_string_length(s); break;
        case KW_MID:
            m = (int32_t)BAS_STRING_MAX;
            if (int_arg(b, args[1].number, 1, (int32_t)BAS_STRING_MAX + 1, &n) &&
                (argc < 3 || int_arg(b, args[2].number, 0, (int32_t)BAS_STRING_MAX, &m)))
                string_result(b, &result, substring(b, s, (uint32_t)n - 1, (uint32_t)m));
            break;
        case KW_LEFT:
            if (int_arg(b, args[1].number, 0, (int32_t)BAS_STRING_MAX, &n))
                string_result(b, &result, substring(b, s, 0, (uint32_t)n));
            break;
        case KW_RIGHT:
            if (int_arg(b, args[1].number, 0, (int32_t)BAS_STRING_MAX, &n)) {
                uint32_t length = bas_string_length(s);
                uint32_t take = (uint32_t)n < length ? (uint32_t)n : length;
                string_result(b, &result, substring(b, s, length - take, take));
            }
            break;
        case KW_STR: string_result(b, &result, number_string(b, x)); break;
        case KW_VAL: result.number = val(s); break;
        case KW_CHR:
            if (int_arg(b, x, 0, CHAR_MAX_CODE, &n)) {
                char c = (char)n;
                string_result(b, &result, bas_string_new(b, &c, 1));
            }
            break;
        case KW_ASC:
            if (bas_string_length(s) == 0) bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
            else result.number = (unsigned char)s->chars[0];
            break;
        case KW_INSTR: result.number = instr(b, args, argc); break;
        case KW_SPACE:
            if (int_arg(b, x, 0, (int32_t)BAS_STRING_MAX, &n)) {
                struct bas_string *spaces = bas_string_new(b, 0, (size_t)n);
                if (spaces) memset(spaces->chars, ' ', (size_t)n);
                string_result(b, &result, spaces);
            }
            break;
        case KW_TIMER: result.number = b->host->millis ? b->host->millis(b->host->context) / 1000.0 : 0; break;
        case KW_ERR: result.number = b->err; break;
        case KW_ERL: result.number = b->erl; break;
        case KW_MSG:
        case KW_MSGFROM: {
            struct bas_string *held = fn == KW_MSG ? b->message : b->message_from;
            string_result(b, &result, held ? bas_string_retain(held) : bas_string_new(b, 0, 0));
            break;
        }
        case KW_BLOCKGET: case KW_LLM: case KW_TENSOR: case KW_CUBE:
            bas_core_function(b, fn, args, argc, &result);
            break;
        default: bas_fail(b, BAS_ERR_SYNTAX); break;
        }
    }
    while (argc-- > 0) bas_value_release(b, &b->stack[--b->sp]);
    if (b->error) {
        bas_value_release(b, &result);
        return;
    }
    if (result.type == BAS_NUMBER && !bas_is_finite(result.number)) {
        bas_fail(b, BAS_ERR_OVERFLOW);
        return;
    }
    if (b->sp >= BAS_STACK_MAX) {
        bas_value_release(b, &result);
        bas_fail(b, BAS_ERR_FORMULA_TOO_COMPLEX);
        return;
    }
    b->stack[b->sp++] = result;
}
