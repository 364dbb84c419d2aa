#include "test/basic_host.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/payload.h"

static void host_write(void *context, const char *text, size_t length) {
    struct test_host *t = context;
    if (t->output_length + length >= TEST_OUTPUT_MAX) length = TEST_OUTPUT_MAX - 1 - t->output_length;
    memcpy(t->output + t->output_length, text, length);
    t->output_length += length;
    t->output[t->output_length] = '\0';
}

static int host_read_line(void *context, char *buffer, size_t capacity) {
    struct test_host *t = context;
    if (!t->inputs || !t->inputs[t->input_next]) return BASIC_READ_HANGUP;
    const char *line = t->inputs[t->input_next++];
    if (strcmp(line, "^C") == 0) { /* the caller pressed Ctrl-C */
        host_write(context, "^C\n", 3);
        return BASIC_READ_BREAK;
    }
    size_t n = strlen(line);
    if (n >= capacity) n = capacity - 1;
    memcpy(buffer, line, n);
    buffer[n] = '\0';
    host_write(context, line, n);
    host_write(context, "\n", 1);
    return (int)n;
}

static bool host_step(void *context) {
    struct test_host *t = context;
    t->steps++;
    return t->break_after_steps && t->steps >= t->break_after_steps;
}

static uint32_t host_millis(void *context) { return ((struct test_host *)context)->now_ms; }

static bool host_sleep(void *context, uint32_t ms) {
    ((struct test_host *)context)->now_ms += ms;
    return true;
}

static struct test_cell *cell_at(struct test_host *t, const struct proto_coords *at, bool create) {
    for (unsigned i = 0; i < t->cell_count; i++)
        if (t->cells[i].x == at->x && t->cells[i].y == at->y && t->cells[i].z == at->z) return &t->cells[i];
    if (!create || t->cell_count == TEST_CELLS_MAX) return 0;
    struct test_cell *c = &t->cells[t->cell_count++];
    c->x = at->x, c->y = at->y, c->z = at->z, c->value = 0;
    return c;
}

#define FAIL_WITH(code, text)                                                                                          \
    do {                                                                                                               \
        snprintf(message, capacity, "%s", text);                                                                      \
        return code;                                                                                                   \
    } while (0)

/* The bridge's program store, in memory: shared by every host, so a program SAVEd by one
 * instance is LOADed by the next, as a reboot of XP10 finds it on the bridge. */
#define TEST_PROGRAMS_MAX 8u
struct test_program {
    char name[PROTO_PROGRAM_NAME_MAX + 1];
    uint8_t *text;
    uint32_t length;
};
static struct test_program test_programs[TEST_PROGRAMS_MAX];

void test_programs_reset(void) {
    for (unsigned i = 0; i < TEST_PROGRAMS_MAX; i++) {
        free(test_programs[i].text);
        memset(&test_programs[i], 0, sizeof(test_programs[i]));
    }
}

static struct test_program *test_program_find(const struct proto_text *name, bool create) {
    char key[PROTO_PROGRAM_NAME_MAX + 1];
    for (uint32_t i = 0; i < name->length; i++) {
        char c = (char)name->bytes[i];
        key[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    key[name->length] = '\0';
    struct test_program *empty = 0;
    for (unsigned i = 0; i < TEST_PROGRAMS_MAX; i++) {
        if (strcmp(test_programs[i].name, key) == 0) return &test_programs[i];
        if (!empty && !test_programs[i].name[0]) empty = &test_programs[i];
    }
    if (create && empty) memcpy(empty->name, key, name->length + 1);
    return create ? empty : 0;
}

/* PROGRAM as the bridge answers it; replies longer than the caller's buffer are cut, as
 * the console's core_call cuts them. */
static int host_program(const uint8_t *payload, uint32_t length, uint8_t *reply, uint32_t reply_capacity,
                        uint32_t *reply_length, char *message, size_t capacity) {
    struct proto_program_request r;
    int error = proto_program_request_decode(payload, length, &r);
    if (error) FAIL_WITH(error, "bad PROGRAM request");
    size_t n = 0;
    if (r.operation == PROTO_PROGRAM_SAVE) {
        struct test_program *p = test_program_find(&r.name, true);
        if (!p) FAIL_WITH(PROTO_ERR_TOO_LARGE, "the test store is full");
        free(p->text);
        p->text = malloc(r.text.length + 1u);
        memcpy(p->text, r.text.bytes, r.text.length);
        p->length = r.text.length;
    } else if (r.operation == PROTO_PROGRAM_LIST) {
        struct proto_program_entry entries[TEST_PROGRAMS_MAX];
        uint16_t count = 0;
        for (unsigned i = 0; i < TEST_PROGRAMS_MAX; i++) {
            if (!test_programs[i].name[0]) continue;
            entries[count].name.bytes = (const uint8_t *)test_programs[i].name;
            entries[count].name.length = (uint32_t)strlen(test_programs[i].name);
            entries[count].size = test_programs[i].length;
            entries[count++].updated = 0;
        }
        n = proto_program_list_encode(entries, count, reply, reply_capacity);
    } else {
        struct test_program *p = test_program_find(&r.name, false);
        if (!p) FAIL_WITH(PROTO_ERR_NOT_FOUND, "no such program");
        if (r.operation == PROTO_PROGRAM_DELETE) {
            free(p->text);
            memset(p, 0, sizeof(*p));
        } else {
            n = p->length < reply_capacity ? p->length : reply_capacity;
            memcpy(reply, p->text, n);
        }
    }
    *reply_length = (uint32_t)n;
    return 0;
}

static int host_core(void *context, uint8_t opcode, const uint8_t *payload, uint32_t length, uint8_t *reply,
                     uint32_t reply_capacity, uint32_t *reply_length, char *message, size_t capacity) {
    struct test_host *t = context;
    t->core_calls++;
    if (t->core_fail_code) FAIL_WITH(t->core_fail_code, "the test core fails every call");
    size_t n = 0;
    switch (opcode) {
    case PROTO_OP_BLOCK_SET: {
        struct proto_block_set_request r;
        if (proto_block_set_request_decode(payload, length, &r) != 0) FAIL_WITH(PROTO_ERR_BAD_PAYLOAD, "bad");
        if (r.at.x >= 1000 || r.at.y >= 1000 || r.at.z >= 1000) FAIL_WITH(PROTO_ERR_OUT_OF_RANGE, "outside 1000^3");
        struct test_cell *c = cell_at(t, &r.at, true);
        if (!c) FAIL_WITH(PROTO_ERR_BUSY, "full");
        c->value = r.value;
        struct proto_block_set_reply out = { .ledger_index = t->core_calls };
        n = proto_block_set_reply_encode(&out, reply, reply_capacity);
        break;
    }
    case PROTO_OP_BLOCK_GET: {
        struct proto_coords at;
        if (proto_coords_decode(payload, length, &at) != 0) FAIL_WITH(PROTO_ERR_BAD_PAYLOAD, "bad");
        if (at.x >= 1000 || at.y >= 1000 || at.z >= 1000) FAIL_WITH(PROTO_ERR_OUT_OF_RANGE, "outside 1000^3");
        struct test_cell *c = cell_at(t, &at, false);
        struct proto_block_get_reply out = { .active = c != 0, .value = c ? c->value : 0 };
        n = proto_block_get_reply_encode(&out, reply, reply_capacity);
        break;
    }
    case PROTO_OP_LLM_QUERY: {
        struct proto_llm_request r;
        if (proto_llm_request_decode(payload, length, &r) != 0) FAIL_WITH(PROTO_ERR_BAD_PAYLOAD, "bad");
        char text[512];
        int k = snprintf(text, sizeof(text), "echo(%.*s) at %u,%u,%u n=%u", (int)r.prompt.length,
                         (const char *)r.prompt.bytes, r.at.x, r.at.y, r.at.z, r.max_tokens);
        if (k >= (int)sizeof(text)) k = (int)sizeof(text) - 1;
        struct proto_llm_reply out = { .kappa = 0.5, .tokens = 3, .text = { (const uint8_t *)text, (uint32_t)k } };
        n = proto_llm_reply_encode(&out, reply, reply_capacity);
        break;
    }
    case PROTO_OP_CUBE_MSG: {
        struct proto_cube_request r;
        if (proto_cube_request_decode(payload, length, &r) != 0) FAIL_WITH(PROTO_ERR_BAD_PAYLOAD, "bad");
        char text[512];
        int k = snprintf(text, sizeof(text), "cube %u vertex %u heard: %.*s", r.cube, r.vertex, (int)r.text.length,
                         (const char *)r.text.bytes);
        if (k >= (int)sizeof(text)) k = (int)sizeof(text) - 1;
        struct proto_cube_reply out = { .vertex = r.vertex, .kappa = 0.5, .text = { (const uint8_t *)text, (uint32_t)k } };
        n = proto_cube_reply_encode(&out, reply, reply_capacity);
        break;
    }
    case PROTO_OP_TENSOR_OP: {
        struct proto_tensor_request r;
        if (proto_tensor_request_decode(payload, length, &r) != 0) FAIL_WITH(PROTO_ERR_BAD_PAYLOAD, "bad");
        static float out[1024];
        struct proto_tensor result = r.inputs[0];
        const struct proto_tensor *a = &r.inputs[0], *bt = &r.inputs[1];
        if (r.operation == PROTO_TENSOR_ADD) {
            if (a->count != bt->count) FAIL_WITH(PROTO_ERR_OUT_OF_RANGE, "shapes differ");
            for (uint32_t i = 0; i < a->count; i++) out[i] = proto_tensor_element(a, i) + proto_tensor_element(bt, i);
        } else if (r.operation == PROTO_TENSOR_RELU) {
            for (uint32_t i = 0; i < a->count; i++) {
                float v = proto_tensor_element(a, i);
                out[i] = v > 0 ? v : 0;
            }
        } else if (r.operation == PROTO_TENSOR_MATMUL) {
            if (a->rank != 2 || bt->rank != 2 || a->dims[1] != bt->dims[0]) FAIL_WITH(PROTO_ERR_OUT_OF_RANGE, "shapes");
            result.rank = 2;
            result.dims[0] = a->dims[0];
            result.dims[1] = bt->dims[1];
            result.count = (uint32_t)a->dims[0] * bt->dims[1];
            for (uint32_t i = 0; i < a->dims[0]; i++)
                for (uint32_t j = 0; j < bt->dims[1]; j++) {
                    float s = 0;
                    for (uint32_t k = 0; k < a->dims[1]; k++)
                        s += proto_tensor_element(a, i * a->dims[1] + k) * proto_tensor_element(bt, k * bt->dims[1] + j);
                    out[i * bt->dims[1] + j] = s;
                }
        } else {
            FAIL_WITH(PROTO_ERR_UNSUPPORTED, "op");
        }
        n = proto_tensor_reply_encode(&result, out, reply, reply_capacity);
        break;
    }
    case PROTO_OP_PROGRAM: return host_program(payload, length, reply, reply_capacity, reply_length, message, capacity);
    default: FAIL_WITH(PROTO_ERR_UNSUPPORTED, "opcode");
    }
    *reply_length = (uint32_t)n;
    return 0;
}

void test_host_init(struct test_host *t) {
    /* everything but the big output buffer: the fuzzer starts 100,000 hosts */
    memset(t, 0, offsetof(struct test_host, output));
    memset(&t->output_length, 0, sizeof(*t) - offsetof(struct test_host, output_length));
    t->output[0] = '\0';
    t->host.context = t;
    t->host.write = host_write;
    t->host.read_line = host_read_line;
    t->host.step = host_step;
    t->host.step_interval = 1;
    t->host.millis = host_millis;
    t->host.sleep = host_sleep;
    t->host.core_call = host_core;
    t->now_ms = 1000;
}

const char *test_basic_run(struct test_host *t, struct basic *b, const char *program) {
    t->output_length = 0;
    t->output[0] = '\0';
    char line[1024];
    const char *p = program;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n >= sizeof(line)) n = sizeof(line) - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        basic_enter_line(b, line);
        p += n;
        if (*p == '\n') p++;
    }
    return t->output;
}
