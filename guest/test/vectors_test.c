/* Runs tests/vectors/frames.json against the C codec: CRC, frame encoding and decoding
 * (whole and split at every chunk boundary), fragmentation, decoder streams, payloads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proto/crc16.h"
#include "proto/decoder.h"
#include "proto/fragment.h"
#include "proto/frame.h"
#include "proto/payload.h"
#include "test/check.h"
#include "test/json.h"

#define BUF_MAX (2u * 1024u * 1024u)

static uint8_t *scratch_a, *scratch_b;

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(text);
        return NULL;
    }
    text[size] = '\0';
    fclose(f);
    return text;
}

/* Collects what a decoder produced. */
struct capture {
    size_t frames;
    uint8_t contents[64][PROTO_MAX_CONTENT];
    size_t lengths[64];
    struct proto_frame last;
    uint8_t last_payload[PROTO_MAX_PAYLOAD];
};

static void capture_frame(void *context, const struct proto_frame *frame) {
    struct capture *c = context;
    if (c->frames < 64) {
        size_t n = proto_frame_content(frame, c->contents[c->frames], PROTO_MAX_CONTENT);
        c->lengths[c->frames] = n;
    }
    c->last = *frame;
    memcpy(c->last_payload, frame->payload, frame->length);
    c->last.payload = c->last_payload;
    c->frames++;
}

static void test_crc(const struct json *list) {
    for (size_t i = 0; i < list->count; i++) {
        const struct json *v = json_at(list, i);
        long n = hex_decode(json_string(v, "data_hex"), scratch_a, BUF_MAX);
        unsigned expected = (unsigned)strtoul(json_string(v, "crc"), NULL, 16);
        CHECK(proto_crc16(scratch_a, (size_t)n) == expected, "crc16 %s", json_string(v, "name"));
    }
}

static struct proto_frame frame_from_vector(const struct json *v, uint8_t *payload) {
    long n = hex_decode(json_string(v, "payload_hex"), payload, PROTO_MAX_PAYLOAD);
    struct proto_frame f = {
        .flags = (uint8_t)json_number(v, "flags"),
        .opcode = (uint8_t)json_number(v, "opcode"),
        .seq = (uint16_t)json_number(v, "seq"),
        .channel = (uint8_t)json_number(v, "channel"),
        .fragment = (uint8_t)json_number(v, "fragment"),
        .payload = payload,
        .length = (uint16_t)n,
    };
    return f;
}

static void decode_split(const uint8_t *wire, size_t length, size_t split, struct capture *c) {
    struct proto_decoder *d = malloc(sizeof(*d));
    proto_decoder_init(d, capture_frame, NULL, c);
    proto_decoder_push(d, wire, split);
    proto_decoder_push(d, wire + split, length - split);
    free(d);
}

static void test_frames(const struct json *list) {
    static uint8_t payload[PROTO_MAX_PAYLOAD];
    struct capture *c = malloc(sizeof(*c));
    for (size_t i = 0; i < list->count; i++) {
        const struct json *v = json_at(list, i);
        const char *name = json_string(v, "name");
        struct proto_frame f = frame_from_vector(v, payload);
        size_t n = proto_frame_content(&f, scratch_a, BUF_MAX);
        CHECK(bytes_equal_hex(scratch_a, n, json_string(v, "content_hex")), "frame content %s", name);
        n = proto_frame_encode(&f, scratch_a, BUF_MAX);
        CHECK(bytes_equal_hex(scratch_a, n, json_string(v, "wire_hex")), "frame wire %s", name);
        long wire_length = hex_decode(json_string(v, "wire_hex"), scratch_b, BUF_MAX);
        size_t step = wire_length > 64 ? (size_t)wire_length / 16 : 1; /* every boundary for small frames */
        bool all_ok = true;
        for (size_t split = 0; split <= (size_t)wire_length; split += step) {
            memset(c, 0, sizeof(c->frames));
            c->frames = 0;
            decode_split(scratch_b, (size_t)wire_length, split, c);
            bool ok = c->frames == 1 && c->last.flags == f.flags && c->last.opcode == f.opcode &&
                      c->last.seq == f.seq && c->last.channel == f.channel && c->last.fragment == f.fragment &&
                      c->last.length == f.length && memcmp(c->last.payload, payload, f.length) == 0;
            all_ok = all_ok && ok;
        }
        CHECK(all_ok, "frame decode at every split %s", name);
    }
    free(c);
}

struct emitted {
    size_t count;
    char **wire_hex;
    struct proto_reassembler *reassembler;
    bool complete;
    struct proto_message message;
};

static void emit_frame(void *context, const struct proto_frame *frame) {
    struct emitted *e = context;
    static uint8_t wire[PROTO_MAX_WIRE];
    size_t n = proto_frame_encode(frame, wire, sizeof(wire));
    char *hex = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) sprintf(hex + 2 * i, "%02x", wire[i]);
    e->wire_hex = realloc(e->wire_hex, (e->count + 1) * sizeof(char *));
    e->wire_hex[e->count++] = hex;
    struct proto_message m;
    int error;
    if (proto_reassembler_push(e->reassembler, frame, 0, &m, &error) == PROTO_REASSEMBLY_COMPLETE) {
        e->complete = true;
        e->message = m;
    }
}

static void test_messages(const struct json *list) {
    struct proto_reassembler *r = malloc(sizeof(*r));
    for (size_t i = 0; i < list->count; i++) {
        const struct json *v = json_at(list, i);
        const char *name = json_string(v, "name");
        long n = hex_decode(json_string(v, "payload_hex"), scratch_a, BUF_MAX);
        struct proto_message m = { (uint8_t)json_number(v, "flags"), (uint8_t)json_number(v, "opcode"),
                                   (uint16_t)json_number(v, "seq"), (uint8_t)json_number(v, "channel"), scratch_a,
                                   (uint32_t)n };
        proto_reassembler_init(r, PROTO_REASSEMBLY_MAX, 1000);
        struct emitted e = { 0, NULL, r, false, { 0 } };
        proto_fragment(&m, PROTO_MAX_PAYLOAD, emit_frame, &e);
        const struct json *frames = json_get(v, "frames_wire_hex");
        bool same = frames && frames->count == e.count;
        for (size_t k = 0; same && k < e.count; k++) same = strcmp(frames->items[k]->string, e.wire_hex[k]) == 0;
        CHECK(same, "message fragments %s (%zu frames)", name, e.count);
        CHECK(e.complete && e.message.length == (uint32_t)n && memcmp(e.message.payload, scratch_a, (size_t)n) == 0 &&
                  e.message.flags == m.flags && e.message.seq == m.seq,
              "message reassembly %s", name);
        for (size_t k = 0; k < e.count; k++) free(e.wire_hex[k]);
        free(e.wire_hex);
    }
    free(r);
}

static void test_streams(const struct json *list) {
    static const char *const error_names[PROTO_DECODE_ERROR_COUNT] = {
        "BAD_CRC", "TOO_SHORT", "TOO_LONG", "BAD_ESCAPE", "BAD_VERSION", "LENGTH_MISMATCH",
    };
    struct capture *c = malloc(sizeof(*c));
    struct proto_decoder *d = malloc(sizeof(*d));
    for (size_t i = 0; i < list->count; i++) {
        const struct json *v = json_at(list, i);
        const char *name = json_string(v, "name");
        long n = hex_decode(json_string(v, "wire_hex"), scratch_a, BUF_MAX);
        for (int byte_at_a_time = 0; byte_at_a_time < 2; byte_at_a_time++) {
            c->frames = 0;
            proto_decoder_init(d, capture_frame, NULL, c);
            if (byte_at_a_time)
                for (long k = 0; k < n; k++) proto_decoder_push(d, scratch_a + k, 1);
            else
                proto_decoder_push(d, scratch_a, (size_t)n);
            const struct json *expected = json_get(v, "frames_content_hex");
            bool same = expected && expected->count == c->frames;
            for (size_t k = 0; same && k < c->frames; k++)
                same = bytes_equal_hex(c->contents[k], c->lengths[k], expected->items[k]->string);
            CHECK(same, "stream frames %s (%s)", name, byte_at_a_time ? "byte by byte" : "one chunk");
            const struct json *errors = json_get(v, "errors");
            for (int e = 0; e < PROTO_DECODE_ERROR_COUNT; e++) {
                double want = json_number(errors, error_names[e]);
                CHECK(d->stats.errors[e] == (uint32_t)want, "stream %s: %s %u != %.0f", name, error_names[e],
                      d->stats.errors[e], want);
            }
            if (json_get(v, "bytes_discarded"))
                CHECK(d->stats.bytes_discarded == (uint32_t)json_number(v, "bytes_discarded"),
                      "stream %s: bytes_discarded %u != %.0f", name, d->stats.bytes_discarded,
                      json_number(v, "bytes_discarded"));
        }
    }
    free(d);
    free(c);
}

static bool text_is(struct proto_text t, const char *s) {
    return s && t.length == strlen(s) && memcmp(t.bytes, s, t.length) == 0;
}

static bool bytes_equal_text(const uint8_t *bytes, size_t length, const char *s) {
    return s && length == strlen(s) && memcmp(bytes, s, length) == 0;
}

static bool hash_is(const uint8_t *hash, const struct json *fields) {
    return bytes_equal_hex(hash, PROTO_HASH_SIZE, json_string(fields, "hash_hex"));
}

static void check_reencode(const char *name, const uint8_t *bytes, size_t length, const char *hex) {
    CHECK(length > 0 && bytes_equal_hex(bytes, length, hex), "payload re-encode %s", name);
}

static bool tensor_matches(const struct proto_tensor *t, const struct json *spec, float *values) {
    const struct json *shape = json_get(spec, "shape"), *data = json_get(spec, "data");
    if (!shape || !data || shape->count != t->rank || data->count != t->count) return false;
    for (size_t d = 0; d < shape->count; d++)
        if (t->dims[d] != (uint16_t)shape->items[d]->number) return false;
    for (size_t k = 0; k < data->count; k++) {
        values[k] = proto_tensor_element(t, (uint32_t)k);
        if (values[k] != (float)data->items[k]->number) return false;
    }
    return true;
}

static void test_payload_hello(const char *name, const uint8_t *p, size_t n, const struct json *fields, const char *hex) {
    struct proto_hello h;
    CHECK(proto_hello_decode(p, n, &h) == 0, "decode %s", name);
    uint8_t token[256];
    long token_length = hex_decode(json_string(fields, "token_hex"), token, sizeof(token));
    const struct json *vertices = json_get(fields, "vertices");
    bool ok = h.version == json_number(fields, "version") && h.max_content == json_number(fields, "max_content") &&
              h.window == json_number(fields, "window") && text_is(h.name, json_string(fields, "name")) &&
              h.token.length == (uint32_t)token_length && memcmp(h.token.bytes, token, (size_t)token_length) == 0 &&
              vertices && h.vertex_count == vertices->count &&
              h.boot_id == (json_get(fields, "boot_id") ? (uint32_t)json_number(fields, "boot_id") : 0u);
    for (size_t i = 0; ok && i < h.vertex_count; i++) {
        const struct json *vx = vertices->items[i];
        ok = h.vertices[i].cube == json_number(vx, "cube") && h.vertices[i].vertex == json_number(vx, "vertex") &&
             h.vertices[i].channel == json_number(vx, "channel");
    }
    CHECK(ok, "fields %s", name);
    check_reencode(name, scratch_b, proto_hello_encode(&h, scratch_b, BUF_MAX), hex);
}

static void test_payload_tensor(const char *name, const char *kind, const uint8_t *p, size_t n,
                                const struct json *fields, const char *hex) {
    static float values[PROTO_TENSOR_MAX_INPUTS][4096];
    if (strcmp(kind, "reply") == 0) {
        struct proto_tensor_reply r;
        CHECK(proto_tensor_reply_decode(p, n, &r) == 0, "decode %s", name);
        CHECK(r.dtype == json_number(fields, "dtype") && tensor_matches(&r.result, json_get(fields, "output"), values[0]),
              "fields %s", name);
        check_reencode(name, scratch_b, proto_tensor_reply_encode(&r.result, values[0], scratch_b, BUF_MAX), hex);
        return;
    }
    struct proto_tensor_request r;
    CHECK(proto_tensor_request_decode(p, n, &r) == 0, "decode %s", name);
    const struct json *params = json_get(fields, "params"), *inputs = json_get(fields, "inputs");
    bool ok = r.operation == json_number(fields, "op") && r.dtype == json_number(fields, "dtype") && params &&
              inputs && r.param_count == params->count && r.input_count == inputs->count;
    for (size_t i = 0; ok && i < r.param_count; i++) ok = r.params[i] == (uint16_t)params->items[i]->number;
    for (size_t i = 0; ok && i < r.input_count; i++) ok = tensor_matches(&r.inputs[i], inputs->items[i], values[i]);
    CHECK(ok, "fields %s", name);
    const float *elements[PROTO_TENSOR_MAX_INPUTS] = { values[0], values[1] };
    check_reencode(name, scratch_b, proto_tensor_request_encode(&r, elements, scratch_b, BUF_MAX), hex);
}

/* PROGRAM replies do not repeat the operation; the vector's fields name it. */
static void test_payload_program(const char *name, bool request, const uint8_t *p, size_t n,
                                 const struct json *fields, const char *hex) {
    int operation = (int)json_number(fields, "operation");
    if (request) {
        struct proto_program_request r;
        CHECK(proto_program_request_decode(p, n, &r) == 0 && r.operation == operation, "decode %s", name);
        bool ok = true;
        if (json_get(fields, "name")) ok = text_is(r.name, json_string(fields, "name"));
        else ok = r.name.length == 0;
        if (json_get(fields, "text")) ok = ok && text_is(r.text, json_string(fields, "text"));
        else ok = ok && r.text.length == 0;
        ok = ok && r.offset == (json_get(fields, "offset") ? (uint32_t)json_number(fields, "offset") : 0u);
        CHECK(ok, "fields %s", name);
        check_reencode(name, scratch_b, proto_program_request_encode(&r, scratch_b, BUF_MAX), hex);
        return;
    }
    switch (operation) {
    case PROTO_PROGRAM_SAVE:
    case PROTO_PROGRAM_APPEND:
    case PROTO_PROGRAM_DELETE: CHECK(n == 0, "fields %s: empty reply", name); return;
    case PROTO_PROGRAM_READ: {
        struct proto_program_piece piece;
        CHECK(proto_program_piece_decode(p, n, &piece) == 0 && piece.size == (uint32_t)json_number(fields, "size") &&
                  text_is(piece.text, json_string(fields, "text")),
              "fields %s", name);
        check_reencode(name, scratch_b, proto_program_piece_encode(&piece, scratch_b, BUF_MAX), hex);
        return;
    }
    case PROTO_PROGRAM_LOAD: CHECK(n > 0 && bytes_equal_text(p, n, json_string(fields, "text")), "fields %s", name); return;
    case PROTO_PROGRAM_LIST: {
        struct proto_program_list list;
        const struct json *programs = json_get(fields, "programs");
        CHECK(proto_program_list_decode(p, n, &list) == 0 && programs && list.count == programs->count, "decode %s", name);
        struct proto_program_entry entries[8];
        uint32_t offset = 0;
        bool ok = list.count <= 8;
        for (unsigned i = 0; ok && i < list.count; i++) {
            proto_program_list_next(&list, &offset, &entries[i]);
            const struct json *e = programs->items[i];
            ok = text_is(entries[i].name, json_string(e, "name")) && entries[i].size == json_number(e, "size") &&
                 entries[i].updated == json_number(e, "updated");
        }
        CHECK(ok, "fields %s", name);
        if (ok) check_reencode(name, scratch_b, proto_program_list_encode(entries, list.count, scratch_b, BUF_MAX), hex);
        return;
    }
    default: CHECK(false, "program vector %s has unknown operation %d", name, operation); return;
    }
}

/* The guest only encodes AGENTS replies: build them from the vector's records and compare bytes. */
static void test_payload_agents(const char *name, const struct json *fields, const char *hex) {
    const struct json *list = json_get(fields, "agents");
    struct proto_agent_status agents[PROTO_AGENTS_MAX];
    unsigned count = list ? list->count : 0;
    CHECK(list && count <= PROTO_AGENTS_MAX, "%s: agents", name);
    for (unsigned i = 0; i < count && i < PROTO_AGENTS_MAX; i++) {
        const struct json *a = list->items[i];
        const struct json *hosts = json_get(a, "hosts");
        const char *agent_name = json_string(a, "name"), *state = json_string(a, "state"), *line = json_string(a, "lastLine");
        agents[i] = (struct proto_agent_status){
            (uint8_t)json_number(a, "id"),
            { (const uint8_t *)agent_name, (uint32_t)strlen(agent_name) },
            { (const uint8_t *)state, (uint32_t)strlen(state) },
            hosts && hosts->type == JSON_OBJECT,
            hosts && hosts->type == JSON_OBJECT ? (uint16_t)json_number(hosts, "cube") : 0,
            hosts && hosts->type == JSON_OBJECT ? (uint8_t)json_number(hosts, "vertex") : 0,
            (uint32_t)json_number(a, "statements"),
            (uint32_t)json_number(a, "memoryBytes"),
            { (const uint8_t *)line, (uint32_t)strlen(line) },
        };
    }
    check_reencode(name, scratch_b, proto_agents_reply_encode(agents, count, scratch_b, BUF_MAX), hex);
}

static void test_payload(const struct json *v) {
    const char *name = json_string(v, "name"), *kind = json_string(v, "kind"), *hex = json_string(v, "payload_hex");
    const struct json *fields = json_get(v, "fields");
    int opcode = (int)json_number(v, "opcode");
    bool request = strcmp(kind, "request") == 0;
    long n = hex_decode(hex, scratch_a, BUF_MAX);
    const uint8_t *p = scratch_a;
    if (strcmp(kind, "error") == 0) {
        struct proto_error_payload e;
        CHECK(proto_error_decode(p, (size_t)n, &e) == 0 && e.code == json_number(fields, "code") &&
                  text_is(e.message, json_string(fields, "message")),
              "error payload %s", name);
        char message[256];
        snprintf(message, sizeof(message), "%.*s", (int)e.message.length, (const char *)e.message.bytes);
        check_reencode(name, scratch_b, proto_error_encode(e.code, message, scratch_b, BUF_MAX), hex);
        return;
    }
    switch (opcode) {
    case PROTO_OP_AGENTS:
        if (request) CHECK(n == 0, "%s: empty", name);
        else test_payload_agents(name, fields, hex);
        return;
    case PROTO_OP_HELLO: test_payload_hello(name, p, (size_t)n, fields, hex); return;
    case PROTO_OP_PING: CHECK(bytes_equal_hex(p, (size_t)n, json_string(fields, "data_hex")), "ping %s", name); return;
    case PROTO_OP_TENSOR_OP: test_payload_tensor(name, kind, p, (size_t)n, fields, hex); return;
    case PROTO_OP_BLOCK_GET:
        if (request) {
            struct proto_coords at;
            CHECK(proto_coords_decode(p, (size_t)n, &at) == 0 && at.x == json_number(fields, "x") &&
                      at.y == json_number(fields, "y") && at.z == json_number(fields, "z"),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_coords_encode(&at, scratch_b, BUF_MAX), hex);
        } else {
            struct proto_block_get_reply r;
            CHECK(proto_block_get_reply_decode(p, (size_t)n, &r) == 0 && r.active == json_number(fields, "active") &&
                      r.value == json_number(fields, "value") && hash_is(r.hash, fields),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_block_get_reply_encode(&r, scratch_b, BUF_MAX), hex);
        }
        return;
    case PROTO_OP_BLOCK_SET:
        if (request) {
            struct proto_block_set_request r;
            CHECK(proto_block_set_request_decode(p, (size_t)n, &r) == 0 && r.at.x == json_number(fields, "x") &&
                      r.at.y == json_number(fields, "y") && r.at.z == json_number(fields, "z") &&
                      r.value == json_number(fields, "value"),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_block_set_request_encode(&r, scratch_b, BUF_MAX), hex);
        } else {
            struct proto_block_set_reply r;
            const char *index = json_string(fields, "index");
            CHECK(proto_block_set_reply_decode(p, (size_t)n, &r) == 0 && index &&
                      r.ledger_index == strtoull(index, NULL, 10) && hash_is(r.hash, fields),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_block_set_reply_encode(&r, scratch_b, BUF_MAX), hex);
        }
        return;
    case PROTO_OP_LLM_QUERY:
        if (request) {
            struct proto_llm_request r;
            CHECK(proto_llm_request_decode(p, (size_t)n, &r) == 0 && r.at.x == json_number(fields, "x") &&
                      r.at.y == json_number(fields, "y") && r.at.z == json_number(fields, "z") &&
                      r.max_tokens == json_number(fields, "max_tokens") &&
                      text_is(r.prompt, json_string(fields, "prompt")),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_llm_request_encode(&r, scratch_b, BUF_MAX), hex);
        } else {
            struct proto_llm_reply r;
            CHECK(proto_llm_reply_decode(p, (size_t)n, &r) == 0 && r.kappa == json_number(fields, "kappa") &&
                      r.tokens == json_number(fields, "tokens") && text_is(r.text, json_string(fields, "text")),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_llm_reply_encode(&r, scratch_b, BUF_MAX), hex);
        }
        return;
    case PROTO_OP_LLM_TEACH:
        if (request) {
            struct proto_teach_request r;
            CHECK(proto_teach_request_decode(p, (size_t)n, &r) == 0 && r.at.x == json_number(fields, "x") &&
                      r.at.y == json_number(fields, "y") && r.at.z == json_number(fields, "z") &&
                      r.steps == json_number(fields, "steps") && text_is(r.text, json_string(fields, "text")),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_teach_request_encode(&r, scratch_b, BUF_MAX), hex);
        } else {
            struct proto_teach_reply r;
            CHECK(proto_teach_reply_decode(p, (size_t)n, &r) == 0 && r.steps == json_number(fields, "steps") &&
                      r.bits_before == (float)json_number(fields, "bits_before") &&
                      r.bits_after == (float)json_number(fields, "bits_after"),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_teach_reply_encode(&r, scratch_b, BUF_MAX), hex);
        }
        return;
    case PROTO_OP_CUBE_MSG:
        if (request) {
            struct proto_cube_request r;
            CHECK(proto_cube_request_decode(p, (size_t)n, &r) == 0 && r.cube == json_number(fields, "cube") &&
                      r.vertex == json_number(fields, "vertex") && text_is(r.text, json_string(fields, "text")),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_cube_request_encode(&r, scratch_b, BUF_MAX), hex);
        } else {
            struct proto_cube_reply r;
            CHECK(proto_cube_reply_decode(p, (size_t)n, &r) == 0 && r.vertex == json_number(fields, "vertex") &&
                      r.kappa == json_number(fields, "kappa") && text_is(r.text, json_string(fields, "text")),
                  "fields %s", name);
            check_reencode(name, scratch_b, proto_cube_reply_encode(&r, scratch_b, BUF_MAX), hex);
        }
        return;
    case PROTO_OP_PROGRAM: test_payload_program(name, request, p, (size_t)n, fields, hex); return;
    default: CHECK(false, "payload vector %s has unknown opcode %d", name, opcode); return;
    }
}

int run_vector_tests(const char *path) {
    char *text = read_file(path);
    if (!text) {
        fprintf(stderr, "cannot read vectors file %s\n", path);
        return -1;
    }
    struct json *root = json_parse(text);
    if (!root || json_number(root, "version") != 1) {
        fprintf(stderr, "%s: not a version 1 vectors file\n", path);
        return -1;
    }
    scratch_a = malloc(BUF_MAX);
    scratch_b = malloc(BUF_MAX);
    const char *sections[] = { "crc16", "frames", "messages", "streams", "payloads" };
    for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
        const struct json *list = json_get(root, sections[s]);
        CHECK(list && list->type == JSON_ARRAY && list->count > 0, "vectors section %s present", sections[s]);
        if (!list) continue;
        int before = check_failures;
        switch (s) {
        case 0: test_crc(list); break;
        case 1: test_frames(list); break;
        case 2: test_messages(list); break;
        case 3: test_streams(list); break;
        default:
            for (size_t i = 0; i < list->count; i++) test_payload(json_at(list, i));
            break;
        }
        printf("vectors %-9s %3zu vectors, %s\n", sections[s], list->count, check_failures == before ? "ok" : "FAILED");
    }
    free(scratch_a);
    free(scratch_b);
    free(text);
    return 0;
}
