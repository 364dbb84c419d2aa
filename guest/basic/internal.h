/* XP10 BASIC internals shared by its parts (see basic.h for the outside view):
 *
 *   token.c    the scanner: typed text to tokens, keywords by name
 *   compile.c  one pass from tokens to the bytecode of one line (the compact form)
 *   program.c  the program store: numbered lines kept sorted, LIST, DELETE, RENUM
 *   vm.c       the runtime: a stack machine over the lines' bytecode, control stacks
 *   builtins.c functions (LEN, MID$, SIN, ...) and the statements that are calls
 *   core.c     the built-ins that are requests to the Konomi core (BLOCKGET, LLM$, ...)
 *   number.c   number text in and out; math.c the libm the kernel does not have
 *   memory.c   the budgeted allocator and strings; errors.c the error table
 *   repl.c     the Ok prompt and the direct commands (RUN, LIST, NEW, ...) */
#ifndef XP10_BASIC_INTERNAL_H
#define XP10_BASIC_INTERNAL_H

#include "basic/basic.h"

#define BAS_NAME_MAX 15u           /* significant characters of a variable name */
#define BAS_STRING_MAX 4095u       /* characters in one string */
#define BAS_LINE_NUMBER_MAX 65529u /* as on the machines people remember */
#define BAS_CODE_MAX 2048u         /* bytecode of one line */
#define BAS_STACK_MAX 64u          /* operand stack */
#define BAS_CONTROL_MAX 32u        /* nested FOR/WHILE/GOSUB */
#define BAS_NEST_MAX 20u           /* expression and IF nesting the compiler accepts */
#define BAS_DIMS_MAX 3u
#define BAS_SYMBOLS_MAX 1000u
#define BAS_ARRAY_DEFAULT_BOUND 10u /* an array used without DIM has subscripts 0..10 */
#define BAS_ARRAY_ELEMENTS_MAX 65535u
#define BAS_PRINT_ZONE 14u
#define BAS_NO_LINE 0xFFFFFFFFu

/* ---- errors (codes are those of GW-BASIC, so ERR means what people remember) ---- */
enum bas_error {
    BAS_OK = 0,
    BAS_ERR_NEXT_WITHOUT_FOR = 1,
    BAS_ERR_SYNTAX = 2,
    BAS_ERR_RETURN_WITHOUT_GOSUB = 3,
    BAS_ERR_ILLEGAL_FUNCTION = 5,
    BAS_ERR_OVERFLOW = 6,
    BAS_ERR_OUT_OF_MEMORY = 7,
    BAS_ERR_UNDEFINED_LINE = 8,
    BAS_ERR_BAD_SUBSCRIPT = 9,
    BAS_ERR_REDIMENSIONED = 10,
    BAS_ERR_DIVISION_BY_ZERO = 11,
    BAS_ERR_ILLEGAL_DIRECT = 12,
    BAS_ERR_TYPE_MISMATCH = 13,
    BAS_ERR_STRING_TOO_LONG = 15,
    BAS_ERR_FORMULA_TOO_COMPLEX = 16,
    BAS_ERR_CANT_CONTINUE = 17,
    BAS_ERR_RESUME_WITHOUT_ERROR = 20,
    BAS_ERR_FOR_WITHOUT_NEXT = 26,
    BAS_ERR_WHILE_WITHOUT_WEND = 29,
    BAS_ERR_WEND_WITHOUT_WHILE = 30,
    BAS_ERR_FILE_NOT_FOUND = 53,
    BAS_ERR_BAD_FILE_NAME = 64,
    BAS_ERR_DIRECT_IN_FILE = 66,
    BAS_ERR_LINE_BUFFER_OVERFLOW = 23,
    BAS_ERR_LINE_FAILED = 100, /* a core error: ERR = 100 + its wire code */
    BAS_ERR_BREAK = 255,       /* Ctrl-C / hang-up / step hook: not trappable */
};
const char *bas_error_text(int code);

/* ---- memory and strings ---- */
struct bas_string {
    uint32_t refs;
    uint32_t length;
    char chars[];
};

enum bas_type { BAS_NUMBER = 0, BAS_STRING = 1 };

struct bas_value {
    uint8_t type;
    union {
        double number;
        struct bas_string *string; /* NULL is the empty string */
    };
};

struct basic;
void *bas_alloc(struct basic *b, size_t size);
void *bas_zalloc(struct basic *b, size_t size);
void *bas_realloc(struct basic *b, void *pointer, size_t old_size, size_t new_size);
void bas_free(struct basic *b, void *pointer);
struct basic *bas_instance_new(uint32_t budget);
void bas_instance_free(struct basic *b);
/* NULL with an error set (OUT OF MEMORY / STRING TOO LONG) when it cannot be made; a
 * length of 0 gives NULL too, without an error, so callers check b->error. */
struct bas_string *bas_string_new(struct basic *b, const char *chars, size_t length);
void bas_string_release(struct basic *b, struct bas_string *s);
static inline struct bas_string *bas_string_retain(struct bas_string *s) {
    if (s) s->refs++;
    return s;
}
static inline uint32_t bas_string_length(const struct bas_string *s) { return s ? s->length : 0; }
static inline const char *bas_string_chars(const struct bas_string *s) { return s ? s->chars : ""; }
void bas_value_release(struct basic *b, struct bas_value *v);

/* ---- tokens ---- */
enum bas_token_kind {
    TOK_END,      /* end of the line */
    TOK_NUMBER,
    TOK_STRING,   /* text between quotes, without them */
    TOK_NAME,     /* a variable; `is_string` when it ends in $ */
    TOK_KEYWORD,  /* `keyword` says which */
    TOK_SYMBOL,   /* one- or two-character operator; `symbol` holds it (e.g. '<' '=' -> SYM_LE) */
    TOK_ERROR,
};

enum bas_symbol_code {
    SYM_PLUS = '+', SYM_MINUS = '-', SYM_STAR = '*', SYM_SLASH = '/', SYM_CARET = '^', SYM_BACKSLASH = '\\',
    SYM_LPAREN = '(', SYM_RPAREN = ')', SYM_COMMA = ',', SYM_SEMICOLON = ';', SYM_COLON = ':',
    SYM_EQ = '=', SYM_LT = '<', SYM_GT = '>', SYM_QUESTION = '?', SYM_HASH = '#',
    SYM_NE = 256, SYM_LE, SYM_GE,
};

enum bas_keyword {
    KW_NONE = 0,
    /* statements */
    KW_PRINT, KW_LET, KW_DIM, KW_INPUT, KW_IF, KW_THEN, KW_ELSE, KW_GOTO, KW_GOSUB, KW_RETURN, KW_FOR, KW_TO,
    KW_STEP, KW_NEXT, KW_WHILE, KW_WEND, KW_END, KW_STOP, KW_REM, KW_ON, KW_ERROR, KW_RESUME, KW_SLEEP,
    KW_BLOCKSET, KW_RANDOMIZE, KW_CLEAR, KW_HOST, KW_MESSAGE, KW_REPLY, KW_TEACH,
    /* direct commands */
    KW_LIST, KW_NEW, KW_RUN, KW_DELETE, KW_RENUM, KW_SYSTEM, KW_CONT, KW_SAVE, KW_LOAD, KW_FILES, KW_KILL,
    /* operators */
    KW_AND, KW_OR, KW_NOT, KW_MOD,
    /* functions: the order of bas_functions[] in builtins.c */
    KW_FN_FIRST,
    KW_ABS = KW_FN_FIRST, KW_INT, KW_SQR, KW_SIN, KW_COS, KW_TAN, KW_ATN, KW_EXP, KW_LOG, KW_RND, KW_SGN, KW_FIX,
    KW_LEN, KW_MID, KW_LEFT, KW_RIGHT, KW_STR, KW_VAL, KW_CHR, KW_ASC, KW_INSTR, KW_SPACE, KW_TIMER, KW_ERR,
    KW_ERL, KW_BLOCKGET, KW_LLM, KW_TENSOR, KW_CUBE, KW_MSG, KW_MSGFROM,
    KW_FN_END,
    KW_COUNT = KW_FN_END,
};
#define BAS_FUNCTION_COUNT (KW_FN_END - KW_FN_FIRST)

struct bas_token {
    enum bas_token_kind kind;
    const char *start; /* in the scanned text */
    uint32_t length;
    double number;
    int symbol;
    enum bas_keyword keyword;
    bool is_string;
};

struct bas_scanner {
    const char *text;
    const char *at;
};
void bas_scanner_init(struct bas_scanner *s, const char *text);
struct bas_token bas_scan(struct bas_scanner *s);
const char *bas_keyword_name(enum bas_keyword keyword);

/* ---- bytecode ----
 * Operands are little-endian u16 or 8-byte doubles, written unaligned. Every statement
 * starts with OP_STMT (where the step hook, RESUME and error positions hook in); every
 * line ends with OP_EOL. Jumps inside a line use the u16 offset within that line's code;
 * GOTO and GOSUB carry a line number, looked up when they run. */
enum bas_op {
    OP_EOL, OP_STMT, OP_SYNTAX_ERROR, OP_POP,
    OP_NUMBER,      /* f64 */
    OP_STRING,      /* u16 length, bytes */
    OP_LOAD,        /* u16 symbol */
    OP_STORE,       /* u16 symbol */
    OP_LOAD_ELEM,   /* u16 symbol, u8 dims; subscripts on the stack */
    OP_STORE_ELEM,  /* u16 symbol, u8 dims; subscripts then the value on the stack */
    OP_DIM,         /* u16 symbol, u8 dims */
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_IDIV, OP_MOD, OP_POW, OP_NEG,
    OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE, OP_AND, OP_OR, OP_NOT,
    OP_CALL,        /* u8 function, u8 argc */
    OP_PRINT, OP_PRINT_COMMA, OP_PRINT_NEWLINE,
    OP_INPUT_LINE,  /* u8 has_prompt: prompt string on the stack */
    OP_INPUT_FIELD, /* u8 type: pushes the next field */
    OP_INPUT_DONE,
    OP_JUMP,        /* u16 offset */
    OP_JUMP_FALSE,  /* u16 offset */
    OP_GOTO,        /* u16 line */
    OP_GOSUB,       /* u16 line */
    OP_RETURN,
    OP_FOR,         /* u16 symbol; start, limit, step on the stack */
    OP_NEXT,        /* u16 symbol, 0xFFFF for the innermost */
    OP_WHILE, OP_WEND,
    OP_END, OP_STOP, OP_SYSTEM,
    OP_ON_ERROR,    /* u16 line, 0 = off */
    OP_RESUME,      /* u8 kind (0 retry, 1 NEXT, 2 line), u16 line */
    OP_SLEEP, OP_BLOCKSET, OP_RANDOMIZE, OP_CLEAR,
    OP_HOST,        /* cube, vertex (number or name) */
    OP_ON_MESSAGE,  /* u16 line, 0 = off */
    OP_REPLY,       /* text */
    OP_TEACH,       /* x, y, z, text */
    OP_COUNT,
};
#define BAS_ANY_SYMBOL 0xFFFFu
uint32_t bas_op_size(const uint8_t *code);

/* ---- program store ---- */
struct bas_line {
    uint16_t number;
    uint16_t text_length;
    uint16_t code_length;
    char data[]; /* text, NUL, then code */
};
static inline const uint8_t *bas_line_code(const struct bas_line *line) {
    return (const uint8_t *)line->data + line->text_length + 1;
}

/* ---- variables ---- */
struct bas_array {
    uint8_t dims;
    uint16_t bound[BAS_DIMS_MAX]; /* subscripts run 0..bound */
    uint32_t count;
    union {
        double numbers[1];
        struct bas_string *strings[1];
    };
};

struct bas_symbol {
    char name[BAS_NAME_MAX + 1];
    bool is_string;
    bool is_array;
    union {
        double number;
        struct bas_string *string;
        struct bas_array *array;
    };
};

/* ---- the interpreter ---- */
enum bas_frame_kind { FRAME_FOR, FRAME_GOSUB, FRAME_WHILE };

struct bas_position {
    uint32_t line; /* index into lines[], or BAS_NO_LINE for the direct-mode line */
    uint32_t pc;
};

struct bas_frame {
    uint8_t kind;
    uint16_t symbol;
    struct bas_position at;
    double limit, step;
};

struct basic {
    const struct basic_host *host;
    struct basic_memory_stats memory;

    struct bas_line **lines;
    uint32_t line_count, line_capacity;
    struct bas_symbol *symbols;
    uint32_t symbol_count, symbol_capacity;
    uint8_t *direct_code; /* the compiled direct-mode line */

    /* runtime */
    struct bas_value stack[BAS_STACK_MAX];
    uint32_t sp;
    struct bas_frame frames[BAS_CONTROL_MAX];
    uint32_t frame_count;
    struct bas_position pc, statement;
    bool running, quit;
    uint32_t steps;
    int error;               /* set by any part; the VM turns it into a message or a trap */
    uint32_t core_error;     /* the wire code behind BAS_ERR_LINE_FAILED */
    uint32_t on_error_line;  /* 0 = none */
    bool in_handler;
    uint32_t on_message_line; /* ON MESSAGE GOSUB: 0 = none */
    bool in_message;          /* a message handler runs: the next message waits for its RETURN */
    struct bas_string *message, *message_from; /* MSG$ and MSGFROM$ */
    int err;                 /* ERR and ERL */
    uint32_t erl;
    struct bas_position error_at; /* the statement that failed, for RESUME */
    bool can_continue;
    struct bas_position continue_at;
    uint32_t rnd_state;
    double rnd_last;
    uint32_t column;         /* output column, for PRINT's comma zones */
    char input[BASIC_LINE_MAX + 1];
    uint32_t input_at;
    struct bas_position input_statement;
};

static inline void bas_fail(struct basic *b, int error) {
    if (!b->error) b->error = error;
}

void bas_write(struct basic *b, const char *text, size_t length);
void bas_print(struct basic *b, const char *text);
uint32_t bas_program_listing(const struct basic *b, uint8_t *out);

/* compile.c: compiles `text` (a line without its number) into `code`; returns the code
 * length, or 0 with b->error = SYNTAX ERROR (or FORMULA TOO COMPLEX / OUT OF MEMORY). */
uint32_t bas_compile(struct basic *b, const char *text, uint8_t *code, uint32_t capacity);
/* The symbol for a name (interned on first use); -1 when the table is full. */
int bas_symbol_find(struct basic *b, const char *name, size_t length, bool is_string, bool is_array);
void bas_clear_variables(struct basic *b);

/* program.c */
int32_t bas_line_find(const struct basic *b, uint32_t number); /* index, or -1 */
uint32_t bas_line_lower_bound(const struct basic *b, uint32_t number);
bool bas_program_store(struct basic *b, uint32_t number, const char *text);
void bas_program_delete(struct basic *b, uint32_t first, uint32_t last);
void bas_program_list(struct basic *b, uint32_t first, uint32_t last);
void bas_program_new(struct basic *b);
/* Stores the numbered lines of a listing into an empty program (files.c); errors in b->error. */
void bas_program_from_text(struct basic *b, const char *text, uint32_t length);
bool bas_program_renumber(struct basic *b, uint32_t start, uint32_t from, uint32_t step);

/* vm.c */
void bas_run(struct basic *b, struct bas_position from);
void bas_reset_run_state(struct basic *b);

/* builtins.c: runs function `fn` on the top `argc` stack values, leaving its result */
void bas_call_function(struct basic *b, enum bas_keyword fn, uint32_t argc);
bool bas_function_arity(enum bas_keyword fn, uint32_t argc);
void bas_sleep(struct basic *b, double ms);
void bas_randomize(struct basic *b, double seed);

/* core.c */
void bas_core_blockset(struct basic *b, const double *args);
/* A vertex by number (0..8, 255) or name (NEU..CENTRAL, ALL); -1 when it is neither. */
int bas_vertex_from_text(const struct bas_string *s);
/* agent.c: HOST, ON MESSAGE's dispatch, REPLY, TEACH, MSG$ and MSGFROM$. */
void bas_agent_host(struct basic *b, double cube, const struct bas_value *vertex);
void bas_agent_dispatch_message(struct basic *b);
void bas_agent_reply(struct basic *b, const struct bas_string *text);
void bas_agent_teach(struct basic *b, const double *at, const struct bas_string *text);
void bas_agent_forget_message(struct basic *b);
#define BAS_FRAME_MESSAGE 1u /* a GOSUB frame's symbol when ON MESSAGE pushed it */
/* One request to the core through the host: the reply length (at most `capacity`), or -1
 * with b->error set (?LINE FAILED with b->core_error, or Break). */
int32_t bas_core_call(struct basic *b, uint8_t opcode, const uint8_t *payload, uint32_t length, uint8_t *reply,
                      uint32_t capacity);
/* SAVE, LOAD, FILES, KILL (files.c): direct commands on the bridge's program store. */
void bas_files_command(struct basic *b, enum bas_keyword command, const char *rest);
const char *bas_core_error_name(uint32_t code);
void bas_core_function(struct basic *b, enum bas_keyword fn, struct bas_value *args, uint32_t argc,
                       struct bas_value *result);

/* number.c */
/* Shortest of up to 15 significant digits, ".5" and "1E+20" style; `out` holds 32. */
size_t bas_number_format(double value, char *out);
/* The same with `digits` (1..15) significant digits, e.g. 7 for the core's f32 tensors. */
size_t bas_number_format_digits(double value, int digits, char *out);
/* Parses a decimal number at `text`; returns the characters used, 0 when none. */
size_t bas_number_parse(const char *text, double *out);
/* Checked conversion to an integer in [min, max]; false (and no conversion) outside. */
bool bas_to_int(double value, int32_t min, int32_t max, int32_t *out);

/* math.c */
double bas_floor(double x);
double bas_fabs(double x);
double bas_sqrt(double x);
double bas_exp(double x);
double bas_log(double x);
double bas_sin(double x);
double bas_cos(double x);
double bas_tan(double x);
double bas_atan(double x);
double bas_pow(double x, double y, int *error);
double bas_fmod(double x, double y);
double bas_ldexp(double x, int e);
bool bas_is_finite(double x);
int bas_binary_exponent(double x); /* the unbiased IEEE exponent */

#endif
