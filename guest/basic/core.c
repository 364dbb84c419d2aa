/* The built-ins that are requests to the Konomi core over the 56k packet link: BLOCKSET,
 * BLOCKGET, LLM$, TENSOR$ and CUBE$. Each encodes its request with the protocol's own
 * payload encoders (proto/payload.c, the same ones the shell's remote commands use), hands
 * it to the host's core_call (in the kernel: a shell agent blocking on link-COM1) and
 * decodes the reply. A core error becomes ?LINE FAILED: <CODE>, trappable with ON ERROR
 * (ERR = 100 + wire code); Ctrl-C while waiting is a Break. The request and reply buffers
 * come from the instance's budget for the length of the call. */
#include "basic/internal.h"

#include "lib/string.h"
#include "proto/payload.h"

#define COORD_MAX 65535
#define TENSOR_ELEMENTS_MAX 512u /* 4 bytes each: two inputs fit a 4 KiB request */
#define TENSOR_DIGITS 7          /* f32 results: more digits would only show float noise */


struct tensor_operation_name {
    const char *name;
    uint8_t operation;
    uint8_t inputs;
};

static const struct tensor_operation_name tensor_operations[] = {
    { "MATMUL", PROTO_TENSOR_MATMUL, 2 }, { "ADD", PROTO_TENSOR_ADD, 2 },         { "MUL", PROTO_TENSOR_MUL, 2 },
    { "RELU", PROTO_TENSOR_RELU, 1 },     { "SIGMOID", PROTO_TENSOR_SIGMOID, 1 }, { "TANH", PROTO_TENSOR_TANH, 1 },
    { "GELU", PROTO_TENSOR_GELU, 1 },     { "SOFTMAX", PROTO_TENSOR_SOFTMAX, 1 },
};

const char *bas_core_error_name(uint32_t code) { return proto_error_name((int)code); }

static int32_t core_request(struct basic *b, uint8_t opcode, const uint8_t *payload, uint32_t length, uint8_t *reply) {
    return bas_core_call(b, opcode, payload, length, reply, BASIC_CORE_PAYLOAD_MAX);
}

int32_t bas_core_call(struct basic *b, uint8_t opcode, const uint8_t *payload, uint32_t length, uint8_t *reply,
                      uint32_t capacity) {
    if (!b->host->core_call) {
        b->core_error = PROTO_ERR_UNAVAILABLE;
        bas_fail(b, BAS_ERR_LINE_FAILED);
        return -1;
    }
    if (length == 0) {
        bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION); /* did not fit a request */
        return -1;
    }
    char message[96];
    uint32_t reply_length = 0;
    message[0] = '\0';
    int code = b->host->core_call(b->host->context, opcode, payload, length, reply, capacity, &reply_length, message,
                                  sizeof(message));
    if (code == PROTO_ERR_CANCELLED) {
        bas_fail(b, BAS_ERR_BREAK);
        return -1;
    }
    if (code != 0) {
        b->core_error = (uint32_t)code;
        bas_fail(b, BAS_ERR_LINE_FAILED);
        return -1;
    }
    return (int32_t)(reply_length <= capacity ? reply_length : capacity);
}

static void bad_reply(struct basic *b) {
    b->core_error = PROTO_ERR_BAD_PAYLOAD;
    bas_fail(b, BAS_ERR_LINE_FAILED);
}

static bool coords(struct basic *b, const double *xyz, struct proto_coords *at) {
    int32_t v[3];
    for (int i = 0; i < 3; i++) {
        if (!bas_to_int(xyz[i], 0, COORD_MAX, &v[i])) {
            bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
            return false;
        }
    }
    at->x = (uint16_t)v[0], at->y = (uint16_t)v[1], at->z = (uint16_t)v[2];
    return true;
}

/* Buffers for one call: the request, then the reply, in one allocation. */
static uint8_t *buffers(struct basic *b) { return bas_alloc(b, 2 * BASIC_CORE_PAYLOAD_MAX); }

void bas_core_blockset(struct basic *b, const double *args) {
    struct proto_block_set_request request;
    if (!coords(b, args, &request.at)) return;
    request.value = args[3];
    uint8_t *buffer = buffers(b);
    if (!buffer) return;
    size_t length = proto_block_set_request_encode(&request, buffer, BASIC_CORE_PAYLOAD_MAX);
    int32_t n = core_request(b, PROTO_OP_BLOCK_SET, buffer, (uint32_t)length, buffer + BASIC_CORE_PAYLOAD_MAX);
    struct proto_block_set_reply reply;
    if (n >= 0 && proto_block_set_reply_decode(buffer + BASIC_CORE_PAYLOAD_MAX, (size_t)n, &reply) != 0) bad_reply(b);
    bas_free(b, buffer);
}

static double blockget(struct basic *b, const struct bas_value *args, uint8_t *buffer) {
    double xyz[3] = { args[0].number, args[1].number, args[2].number };
    struct proto_coords at;
    if (!coords(b, xyz, &at)) return 0;
    size_t length = proto_coords_encode(&at, buffer, BASIC_CORE_PAYLOAD_MAX);
    int32_t n = core_request(b, PROTO_OP_BLOCK_GET, buffer, (uint32_t)length, buffer + BASIC_CORE_PAYLOAD_MAX);
    struct proto_block_get_reply reply;
    if (n < 0) return 0;
    if (proto_block_get_reply_decode(buffer + BASIC_CORE_PAYLOAD_MAX, (size_t)n, &reply) != 0) {
        bad_reply(b);
        return 0;
    }
    if (!bas_is_finite(reply.value)) {
        bad_reply(b);
        return 0;
    }
    return reply.value;
}

static struct bas_string *llm(struct basic *b, const struct bas_value *args, uint8_t *buffer) {
    double xyz[3] = { args[0].number, args[1].number, args[2].number };
    struct proto_llm_request request;
    int32_t tokens;
    if (!coords(b, xyz, &request.at)) return 0;
    if (!bas_to_int(args[3].number, 1, PROTO_LLM_MAX_TOKENS, &tokens)) {
        bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
        return 0;
    }
    request.max_tokens = (uint16_t)tokens;
    request.prompt.bytes = (const uint8_t *)bas_string_chars(args[4].string);
    request.prompt.length = bas_string_length(args[4].string);
    size_t length = proto_llm_request_encode(&request, buffer, BASIC_CORE_PAYLOAD_MAX);
    int32_t n = core_request(b, PROTO_OP_LLM_QUERY, buffer, (uint32_t)length, buffer + BASIC_CORE_PAYLOAD_MAX);
    struct proto_llm_reply reply;
    if (n < 0) return 0;
    if (proto_llm_reply_decode(buffer + BASIC_CORE_PAYLOAD_MAX, (size_t)n, &reply) != 0) {
        bad_reply(b);
        return 0;
    }
    uint32_t keep = reply.text.length < BAS_STRING_MAX ? reply.text.length : BAS_STRING_MAX;
    return bas_string_new(b, (const char *)reply.text.bytes, keep);
}

int bas_vertex_from_text(const struct bas_string *s) {
    return proto_vertex_parse(bas_string_chars(s), bas_string_length(s));
}

static struct bas_string *cube(struct basic *b, const struct bas_value *args, uint8_t *buffer) {
    int32_t cube_number;
    int vertex = bas_vertex_from_text(args[1].string);
    if (!bas_to_int(args[0].number, 0, COORD_MAX, &cube_number) || vertex < 0) {
        bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
        return 0;
    }
    struct proto_cube_request request = {
        (uint16_t)cube_number,
        (uint8_t)vertex,
        { (const uint8_t *)bas_string_chars(args[2].string), bas_string_length(args[2].string) },
    };
    size_t length = proto_cube_request_encode(&request, buffer, BASIC_CORE_PAYLOAD_MAX);
    int32_t n = core_request(b, PROTO_OP_CUBE_MSG, buffer, (uint32_t)length, buffer + BASIC_CORE_PAYLOAD_MAX);
    struct proto_cube_reply reply;
    if (n < 0) return 0;
    if (proto_cube_reply_decode(buffer + BASIC_CORE_PAYLOAD_MAX, (size_t)n, &reply) != 0) {
        bad_reply(b);
        return 0;
    }
    uint32_t keep = reply.text.length < BAS_STRING_MAX ? reply.text.length : BAS_STRING_MAX;
    return bas_string_new(b, (const char *)reply.text.bytes, keep);
}

/* "2x3" (or "2,3", "6") and "1,2,3,4,5,6" into a tensor; false when they disagree. */
static bool parse_tensor(const struct bas_string *shape_text, const struct bas_string *values_text,
                         struct proto_tensor *shape, float *values) {
    const char *p = bas_string_chars(shape_text);
    uint32_t count = 1;
    shape->rank = 0;
    for (;;) {
        while (*p == ' ') p++;
        double d;
        size_t used = bas_number_parse(p, &d);
        int32_t dim;
        if (!used || !bas_to_int(d, 1, (int32_t)TENSOR_ELEMENTS_MAX, &dim) || (double)dim != d ||
            shape->rank >= PROTO_TENSOR_MAX_RANK)
            return false;
        shape->dims[shape->rank++] = (uint16_t)dim;
        count *= (uint32_t)dim;
        if (count > TENSOR_ELEMENTS_MAX) return false;
        p += used;
        while (*p == ' ') p++;
        if (*p == '\0') break;
        if (*p != 'x' && *p != 'X' && *p != ',' && *p != '*') return false;
        p++;
    }
    shape->count = count;
    p = bas_string_chars(values_text);
    for (uint32_t i = 0; i < count; i++) {
        while (*p == ' ') p++;
        bool negative = *p == '-';
        if (*p == '-' || *p == '+') p++;
        double d;
        size_t used = bas_number_parse(p, &d);
        if (!used) return false;
        values[i] = (float)(negative ? -d : d);
        p += used;
        while (*p == ' ') p++;
        if (i + 1 < count && *p++ != ',') return false;
    }
    return *p == '\0';
}

/* The result as the shell writes tensor literals: "[1,2;3,4]" (rows split by ';'). */
static struct bas_string *tensor_text(struct basic *b, const struct proto_tensor *t, char *scratch) {
    uint32_t columns = t->rank >= 2 ? t->dims[t->rank - 1] : t->count;
    if (columns == 0) columns = 1;
    uint32_t n = 0;
    scratch[n++] = '[';
    for (uint32_t i = 0; i < t->count; i++) {
        char number[40];
        size_t length = bas_number_format_digits((double)proto_tensor_element(t, i), TENSOR_DIGITS, number);
        if (n + length + 2 > BAS_STRING_MAX) {
            bas_fail(b, BAS_ERR_STRING_TOO_LONG);
            return 0;
        }
        if (i) scratch[n++] = i % columns == 0 ? ';' : ',';
        memcpy(scratch + n, number, length);
        n += (uint32_t)length;
    }
    scratch[n++] = ']';
    return bas_string_new(b, scratch, n);
}

static struct bas_string *tensor(struct basic *b, const struct bas_value *args, uint32_t argc, uint8_t *buffer) {
    const struct tensor_operation_name *op = 0;
    for (unsigned i = 0; i < sizeof(tensor_operations) / sizeof(tensor_operations[0]); i++)
        if (proto_word_equal(bas_string_chars(args[0].string), bas_string_length(args[0].string),
                                tensor_operations[i].name))
            op = &tensor_operations[i];
    if (!op || argc != 1u + 2u * op->inputs) {
        bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
        return 0;
    }
    float *values = bas_alloc(b, PROTO_TENSOR_MAX_INPUTS * TENSOR_ELEMENTS_MAX * sizeof(float));
    if (!values) return 0;
    struct proto_tensor_request request = { .operation = op->operation, .dtype = PROTO_DTYPE_F32,
                                            .input_count = op->inputs };
    const float *elements[PROTO_TENSOR_MAX_INPUTS] = { values, values + TENSOR_ELEMENTS_MAX };
    struct bas_string *result = 0;
    for (unsigned i = 0; i < op->inputs; i++) {
        if (!parse_tensor(args[1 + 2 * i].string, args[2 + 2 * i].string, &request.inputs[i],
                          values + i * TENSOR_ELEMENTS_MAX)) {
            bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
            bas_free(b, values);
            return 0;
        }
    }
    size_t length = proto_tensor_request_encode(&request, elements, buffer, BASIC_CORE_PAYLOAD_MAX);
    bas_free(b, values);
    int32_t n = core_request(b, PROTO_OP_TENSOR_OP, buffer, (uint32_t)length, buffer + BASIC_CORE_PAYLOAD_MAX);
    struct proto_tensor_reply reply;
    if (n < 0) return 0;
    if (proto_tensor_reply_decode(buffer + BASIC_CORE_PAYLOAD_MAX, (size_t)n, &reply) != 0) {
        bad_reply(b);
        return 0;
    }
    result = tensor_text(b, &reply.result, (char *)buffer); /* the request half is free now */
    return result;
}

void bas_core_function(struct basic *b, enum bas_keyword fn, struct bas_value *args, uint32_t argc,
                       struct bas_value *result) {
    uint8_t *buffer = buffers(b);
    if (!buffer) return;
    switch (fn) {
    case KW_BLOCKGET:
        result->type = BAS_NUMBER;
        result->number = blockget(b, args, buffer);
        break;
    case KW_LLM:
        result->type = BAS_STRING;
        result->string = llm(b, args, buffer);
        break;
    case KW_CUBE:
        result->type = BAS_STRING;
        result->string = cube(b, args, buffer);
        break;
    case KW_TENSOR:
        result->type = BAS_STRING;
        result->string = tensor(b, args, argc, buffer);
        break;
    default: bas_fail(b, BAS_ERR_SYNTAX); break;
    }
    bas_free(b, buffer);
}
