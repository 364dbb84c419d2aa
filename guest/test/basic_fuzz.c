/* The XP10 BASIC fuzzer: random programs from a small grammar, and mutations of them
 * (bytes deleted, inserted, duplicated, lines cut), typed at the prompt together with
 * direct commands, run under a random budget with the step hook stopping them after a
 * random number of statements. Nothing may crash (the host build runs this under
 * AddressSanitizer and UBSan when the compiler has them), no instance may go over its
 * budget, and every block must be given back when the instance is freed. Deterministic:
 * a failure prints the seed and the program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/internal.h"
#include "proto/proto.h"
#include "test/basic_host.h"
#include "test/check.h"

#define PROGRAM_MAX 4096
#define LINES_MAX 14

static uint32_t seed;

static uint32_t rnd(uint32_t n) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return n ? seed % n : 0;
}

struct text {
    char data[PROGRAM_MAX];
    size_t length;
};

static void put(struct text *t, const char *s) {
    size_t n = strlen(s);
    if (t->length + n >= PROGRAM_MAX) return;
    memcpy(t->data + t->length, s, n);
    t->length += n;
    t->data[t->length] = '\0';
}

static void put_number(struct text *t, int n) {
    char buffer[16];
    snprintf(buffer, sizeof(buffer), "%d", n);
    put(t, buffer);
}

static const char *const numeric_names[] = { "A", "B", "I", "J", "K", "COUNT" };
static const char *const string_names[] = { "S$", "T$", "NAME$" };
static const char *const binary_ops[] = { "+", "-", "*", "/", "^", "\\", " MOD ", "=", "<>", "<", ">", "<=", ">=",
                                          " AND ", " OR " };
static const char *const number_functions[] = { "ABS", "INT", "SQR", "SIN", "COS", "ATN", "EXP", "LOG", "RND", "SGN" };

static void string_expression(struct text *t, int depth);

static void number_expression(struct text *t, int depth) {
    switch (depth > 3 ? rnd(3) : rnd(12)) {
    case 0: put_number(t, (int)rnd(20) - 5); break;
    case 1: put(t, numeric_names[rnd(6)]); break;
    case 2: put(t, rnd(2) ? "X(" : "M("); number_expression(t, depth + 1); put(t, rnd(3) ? ")" : ",1)"); break;
    case 3: case 4: number_expression(t, depth + 1); put(t, binary_ops[rnd(15)]); number_expression(t, depth + 1); break;
    case 5: put(t, "("); number_expression(t, depth + 1); put(t, ")"); break;
    case 6: put(t, rnd(2) ? "-" : "NOT "); number_expression(t, depth + 1); break;
    case 7: put(t, number_functions[rnd(10)]); put(t, "("); number_expression(t, depth + 1); put(t, ")"); break;
    case 8: put(t, rnd(2) ? "LEN(" : "VAL("); string_expression(t, depth + 1); put(t, ")"); break;
    case 9: put(t, rnd(2) ? "ERR" : rnd(2) ? "ERL" : "TIMER"); break;
    case 10: put(t, "INSTR("); string_expression(t, depth + 1); put(t, ","); string_expression(t, depth + 1); put(t, ")"); break;
    default: put(t, "BLOCKGET("); put_number(t, (int)rnd(1200)); put(t, ",1,"); number_expression(t, depth + 1); put(t, ")"); break;
    }
}

static void string_expression(struct text *t, int depth) {
    switch (depth > 3 ? rnd(2) : rnd(9)) {
    case 0: put(t, rnd(2) ? "\"HELLO\"" : "\"\""); break;
    case 1: put(t, string_names[rnd(3)]); break;
    case 2: string_expression(t, depth + 1); put(t, "+"); string_expression(t, depth + 1); break;
    case 3: put(t, "MID$("); string_expression(t, depth + 1); put(t, ","); number_expression(t, depth + 1); put(t, ")"); break;
    case 4: put(t, rnd(2) ? "LEFT$(" : "RIGHT$("); string_expression(t, depth + 1); put(t, ","); number_expression(t, depth + 1); put(t, ")"); break;
    case 5: put(t, rnd(2) ? "STR$(" : "CHR$("); number_expression(t, depth + 1); put(t, ")"); break;
    case 6: put(t, "SPACE$("); number_expression(t, depth + 1); put(t, ")"); break;
    case 7: put(t, "W$("); number_expression(t, depth + 1); put(t, ")"); break;
    default: put(t, rnd(2) ? "LLM$(1,2,3,4," : "CUBE$(1,\"NEU\","); string_expression(t, depth + 1); put(t, ")"); break;
    }
}

static void line_target(struct text *t) { put_number(t, (int)(rnd(LINES_MAX + 2) * 10)); }

static void statement(struct text *t) {
    switch (rnd(24)) {
    case 0: case 1: put(t, numeric_names[rnd(6)]); put(t, " = "); number_expression(t, 0); break;
    case 2: put(t, string_names[rnd(3)]); put(t, " = "); string_expression(t, 0); break;
    case 3: put(t, "PRINT "); number_expression(t, 0); put(t, rnd(2) ? ";" : ","); string_expression(t, 0); break;
    case 4: put(t, "IF "); number_expression(t, 0); put(t, " THEN "); statement(t); if (rnd(2)) { put(t, " ELSE "); statement(t); } break;
    case 5: put(t, "GOTO "); line_target(t); break;
    case 6: put(t, "GOSUB "); line_target(t); break;
    case 7: put(t, "RETURN"); break;
    case 8: put(t, "FOR I = "); number_expression(t, 1); put(t, " TO "); number_expression(t, 1); if (rnd(2)) { put(t, " STEP "); number_expression(t, 2); } break;
    case 9: put(t, rnd(2) ? "NEXT" : "NEXT I"); break;
    case 10: put(t, "WHILE "); number_expression(t, 0); break;
    case 11: put(t, "WEND"); break;
    case 12: put(t, "DIM X("); put_number(t, (int)rnd(30)); put(t, "), W$("); put_number(t, (int)rnd(5)); put(t, ")"); break;
    case 13: put(t, "X("); number_expression(t, 1); put(t, ") = "); number_expression(t, 1); break;
    case 14: put(t, "W$("); number_expression(t, 1); put(t, ") = "); string_expression(t, 1); break;
    case 15: put(t, "INPUT "); put(t, rnd(2) ? "A" : "\"Q\"; S$, B"); break;
    case 16: put(t, "ON ERROR GOTO "); line_target(t); break;
    case 17: put(t, rnd(3) ? "RESUME NEXT" : "RESUME"); break;
    case 18: put(t, rnd(2) ? "END" : "STOP"); break;
    case 19: put(t, "BLOCKSET "); put_number(t, (int)rnd(1100)); put(t, ", 2, 3, "); number_expression(t, 1); break;
    case 20: put(t, "PRINT TENSOR$(\"relu\", \"2\", "); string_expression(t, 1); put(t, ")"); break;
    case 21: put(t, "SLEEP "); number_expression(t, 1); break;
    case 22: put(t, "M(1, "); number_expression(t, 1); put(t, ") = 1"); break;
    default: put(t, "REM "); string_expression(t, 0); break;
    }
}

/* Programs that run for a while: numbered in order, loops with small bounds, a subroutine,
 * and often a GOTO back to the start, so the step limit is what stops them. */
static void generate_structured(struct text *t) {
    unsigned lines = 2 + rnd(LINES_MAX);
    for (unsigned i = 1; i <= lines; i++) {
        put_number(t, (int)(i * 10));
        switch (rnd(6)) {
        case 0: put(t, " FOR J = 1 TO "); put_number(t, (int)rnd(20)); put(t, ": "); statement(t); put(t, ": NEXT J"); break;
        case 1: put(t, " K = K + 1: IF K < "); put_number(t, (int)rnd(50)); put(t, " THEN "); put_number(t, (int)(1 + rnd(i)) * 10); break;
        case 2: put(t, " C = 0: WHILE C < "); put_number(t, (int)rnd(10)); put(t, ": C = C + 1: "); statement(t); put(t, ": WEND"); break;
        case 3: put(t, " GOSUB 500"); break;
        default: put(t, " "); statement(t); break;
        }
        put(t, "\n");
    }
    if (rnd(2)) put(t, "490 GOTO 10\n");
    put(t, "500 "); statement(t); put(t, ": RETURN\n");
    put(t, rnd(3) ? "RUN\n" : "RUN\nCONT\nLIST\nRENUM\nRUN\n");
}

static void generate(struct text *t) {
    t->length = 0;
    t->data[0] = '\0';
    /* half the programs shrug errors off, so they run on into more statements */
    bool resilient = rnd(2);
    if (resilient) put(t, "1 ON ERROR GOTO 9999\n9999 RESUME NEXT\n");
    if (rnd(3) == 0) {
        generate_structured(t);
        return;
    }
    unsigned lines = 1 + rnd(LINES_MAX);
    for (unsigned i = 0; i < lines; i++) {
        put_number(t, (int)((1 + rnd(LINES_MAX)) * 10));
        put(t, " ");
        unsigned statements = 1 + rnd(3);
        for (unsigned s = 0; s < statements; s++) {
            if (s) put(t, ": ");
            statement(t);
        }
        put(t, "\n");
    }
    static const char *const commands[] = { "RUN\n", "RUN\n", "RUN\n", "LIST\n", "RENUM\n", "CONT\n", "DELETE 20-40\n",
                                            "RUN 30\n", "LIST 10-50\n", "RENUM 100,20,7\n", "PRINT A; S$\n", "NEW\n",
                                            "FOR I = 1 TO 3\n", "NEXT\n", "GOSUB 20\n", "RETURN\n", "WHILE 1\n",
                                            "WEND\n", "RESUME NEXT\n", "GOTO 30\n", "STOP\n", "SAVE \"F1\"\n",
                                            "LOAD \"F1\"\n", "FILES\n", "KILL \"F1\"\n", "SAVE F2\n", "LOAD \"f2\n" };
    unsigned count = 1 + rnd(6);
    for (unsigned i = 0; i < count; i++) put(t, commands[rnd(sizeof(commands) / sizeof(commands[0]))]);
}

static const char alphabet[] = "0123456789ABEIXS$()\"\",:;+-*/^\\=<> \n.'?GOTOFORNEXTIFTHENELSEWENDGOSUB";

static void mutate(struct text *t) {
    unsigned edits = 1 + rnd(8);
    for (unsigned e = 0; e < edits && t->length > 0; e++) {
        size_t at = rnd((uint32_t)t->length);
        switch (rnd(5)) {
        case 0: /* delete a run */
        {
            size_t n = 1 + rnd(6);
            if (at + n > t->length) n = t->length - at;
            memmove(t->data + at, t->data + at + n, t->length - at - n + 1);
            t->length -= n;
            break;
        }
        case 1: /* insert a character that means something to BASIC */
        case 2:
            if (t->length + 1 < PROGRAM_MAX) {
                memmove(t->data + at + 1, t->data + at, t->length - at + 1);
                t->data[at] = alphabet[rnd(sizeof(alphabet) - 1)];
                t->length++;
            }
            break;
        case 3: /* duplicate a slice */
        {
            size_t n = 1 + rnd(40);
            if (at + n > t->length) n = t->length - at;
            if (t->length + n < PROGRAM_MAX) {
                memmove(t->data + at + n, t->data + at, t->length - at + 1);
                t->length += n;
            }
            break;
        }
        default: /* any byte at all */
            t->data[at] = (char)(1 + rnd(255));
            break;
        }
    }
}

int run_basic_fuzz(unsigned programs, uint32_t first_seed) {
    int before = check_failures;
    static struct test_host host;
    static struct text program;
    static const char *const inputs[] = { "1", "abc", "\"x, y\", 3", "", "99999999999999999999", "-5, 2, 1", 0 };
    unsigned mutated = 0;
    unsigned long long total_steps = 0, core_calls = 0;
    for (unsigned n = 0; n < programs; n++) {
        seed = first_seed + n * 2654435761u;
        if (!seed) seed = 1;
        rnd(0);
        generate(&program);
        if (rnd(2)) {
            mutate(&program);
            mutated++;
        }
        test_host_init(&host);
        host.inputs = inputs + rnd(6);
        host.break_after_steps = 1 + rnd(2000);
        if (rnd(20) == 0) host.core_fail_code = PROTO_ERR_TIMEOUT;
        uint32_t budget = BASIC_MIN_BUDGET + rnd(BASIC_DEFAULT_BUDGET - BASIC_MIN_BUDGET + 1);
        struct basic *b = basic_new(&host.host, budget);
        if (!b) {
            CHECK(false, "fuzz %u: no instance for budget %u", n, budget);
            continue;
        }
        test_basic_run(&host, b, program.data);
        total_steps += host.steps;
        core_calls += host.core_calls;
        struct basic_memory_stats memory = basic_memory(b);
        CHECK(memory.peak <= budget, "fuzz %u: peak %u over budget %u\n%s", n, memory.peak, budget, program.data);
        basic_free(b);
        CHECK(basic_live_blocks() == 0, "fuzz %u: %u blocks leaked\n%s", n, basic_live_blocks(), program.data);
        if (check_failures - before > 10) break;
    }
    test_programs_reset();
    printf("basic fuzz: %u programs (%u mutated), %llu statements run, %llu core calls, no crash, no leak\n",
           programs, mutated, total_steps, core_calls);
    return check_failures - before;
}
