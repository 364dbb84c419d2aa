#include "proto/payload.h"

#include "lib/string.h"
#include "proto/wire.h"

#define TEXT_U8_MAX 255u

static size_t writer_result(const struct wire_writer *w) { return w->overflow ? 0 : w->length; }

static int reader_result(const struct wire_reader *r, bool must_be_consumed) {
    if (r->error) return PROTO_ERR_BAD_PAYLOAD;
    if (must_be_consumed && r->offset != r->length) return PROTO_ERR_BAD_PAYLOAD;
    return 0;
}

static void put_short_text(struct wire_writer *w, const struct proto_text *text) {
    if (text->length > TEXT_U8_MAX) {
        w->overflow = true;
        return;
    }
    wire_put_u8(w, (uint8_t)text->length);
    wire_put_bytes(w, text->bytes, text->length);
}

static void get_short_text(struct wire_reader *r, struct proto_text *text) {
    text->length = wire_get_u8(r);
    text->bytes = wire_get_bytes(r, text->length);
}

static void get_rest_text(struct wire_reader *r, struct proto_text *text) {
    text->length = (uint32_t)wire_remaining(r);
    text->bytes = wire_get_bytes(r, text->length);
}

size_t proto_hello_encode(const struct proto_hello *hello, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    wire_put_u8(&w, hello->version);
    wire_put_u16(&w, hello->max_content);
    wire_put_u8(&w, hello->window);
    put_short_text(&w, &hello->name);
    put_short_text(&w, &hello->token);
    if (hello->vertex_count > PROTO_HELLO_MAX_VERTICES) return 0;
    wire_put_u8(&w, hello->vertex_count);
    for (unsigned i = 0; i < hello->vertex_count; i++) {
        wire_put_u16(&w, hello->vertices[i].cube);
        wire_put_u8(&w, hello->vertices[i].vertex);
        wire_put_u8(&w, hello->vertices[i].channel);
    }
    if (hello->boot_id) wire_put_u32(&w, hello->boot_id);
    return writer_result(&w);
}

int proto_hello_decode(const uint8_t *payload, size_t length, struct proto_hello *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->version = wire_get_u8(&r);
    out->max_content = wire_get_u16(&r);
    out->window = wire_get_u8(&r);
    get_short_text(&r, &out->name);
    get_short_text(&r, &out->token);
    out->vertex_count = wire_get_u8(&r);
    if (r.error || out->vertex_count > PROTO_HELLO_MAX_VERTICES) return PROTO_ERR_BAD_PAYLOAD;
    for (unsigned i = 0; i < out->vertex_count; i++) {
        out->vertices[i].cube = wire_get_u16(&r);
        out->vertices[i].vertex = wire_get_u8(&r);
        out->vertices[i].channel = wire_get_u8(&r);
    }
    if (!r.error && (out->window < PROTO_WINDOW_MIN || out->window > PROTO_WINDOW_MAX)) return PROTO_ERR_BAD_PAYLOAD;
    if (!r.error && (out->max_content <= PROTO_MIN_CONTENT || out->max_content > PROTO_MAX_CONTENT))
        return PROTO_ERR_BAD_PAYLOAD;
    out->boot_id = !r.error && wire_remaining(&r) >= 4 ? wire_get_u32(&r) : 0;
    /* Fields may be appended in later versions: trailing bytes are allowed. */
    return reader_result(&r, false);
}

static void put_coords(struct wire_writer *w, const struct proto_coords *at) {
    wire_put_u16(w, at->x);
    wire_put_u16(w, at->y);
    wire_put_u16(w, at->z);
}

static void get_coords(struct wire_reader *r, struct proto_coords *at) {
    at->x = wire_get_u16(r);
    at->y = wire_get_u16(r);
    at->z = wire_get_u16(r);
}

size_t proto_coords_encode(const struct proto_coords *at, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    put_coords(&w, at);
    return writer_result(&w);
}

int proto_coords_decode(const uint8_t *payload, size_t length, struct proto_coords *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    get_coords(&r, out);
    return reader_result(&r, true);
}

size_t proto_block_get_reply_encode(const struct proto_block_get_reply *reply, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    wire_put_u8(&w, reply->active ? 1 : 0);
    wire_put_f64(&w, reply->value);
    wire_put_bytes(&w, reply->hash, PROTO_HASH_SIZE);
    return writer_result(&w);
}

int proto_block_get_reply_decode(const uint8_t *payload, size_t length, struct proto_block_get_reply *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    uint8_t active = wire_get_u8(&r);
    out->value = wire_get_f64(&r);
    const uint8_t *hash = wire_get_bytes(&r, PROTO_HASH_SIZE);
    if (r.error || active > 1) return PROTO_ERR_BAD_PAYLOAD;
    out->active = active == 1;
    memcpy(out->hash, hash, PROTO_HASH_SIZE);
    return reader_result(&r, true);
}

size_t proto_block_set_request_encode(const struct proto_block_set_request *req, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    put_coords(&w, &req->at);
    wire_put_f64(&w, req->value);
    return writer_result(&w);
}

int proto_block_set_request_decode(const uint8_t *payload, size_t length, struct proto_block_set_request *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    get_coords(&r, &out->at);
    out->value = wire_get_f64(&r);
    return reader_result(&r, true);
}

size_t proto_block_set_reply_encode(const struct proto_block_set_reply *reply, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    wire_put_u64(&w, reply->ledger_index);
    wire_put_bytes(&w, reply->hash, PROTO_HASH_SIZE);
    return writer_result(&w);
}

int proto_block_set_reply_decode(const uint8_t *payload, size_t length, struct proto_block_set_reply *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->ledger_index = wire_get_u64(&r);
    const uint8_t *hash = wire_get_bytes(&r, PROTO_HASH_SIZE);
    if (r.error) return PROTO_ERR_BAD_PAYLOAD;
    memcpy(out->hash, hash, PROTO_HASH_SIZE);
    return reader_result(&r, true);
}

size_t proto_llm_request_encode(const struct proto_llm_request *req, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    put_coords(&w, &req->at);
    wire_put_u16(&w, req->max_tokens);
    wire_put_bytes(&w, req->prompt.bytes, req->prompt.length);
    return writer_result(&w);
}

int proto_llm_request_decode(const uint8_t *payload, size_t length, struct proto_llm_request *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    get_coords(&r, &out->at);
    out->max_tokens = wire_get_u16(&r);
    get_rest_text(&r, &out->prompt);
    if (!r.error && (out->max_tokens < 1 || out->max_tokens > PROTO_LLM_MAX_TOKENS)) return PROTO_ERR_BAD_PAYLOAD;
    return reader_result(&r, true);
}

size_t proto_llm_reply_encode(const struct proto_llm_reply *reply, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    wire_put_f64(&w, reply->kappa);
    wire_put_u16(&w, reply->tokens);
    wire_put_bytes(&w, reply->text.bytes, reply->text.length);
    return writer_result(&w);
}

int proto_llm_reply_decode(const uint8_t *payload, size_t length, struct proto_llm_reply *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->kappa = wire_get_f64(&r);
    out->tokens = wire_get_u16(&r);
    get_rest_text(&r, &out->text);
    return reader_result(&r, true);
}

size_t proto_teach_request_encode(const struct proto_teach_request *req, uint8_t *out, size_t capacity) {
    if (req->steps > PROTO_TEACH_MAX_STEPS || req->text.length > PROTO_TEACH_MAX_TEXT) return 0;
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    put_coords(&w, &req->at);
    wire_put_u16(&w, req->steps);
    wire_put_bytes(&w, req->text.bytes, req->text.length);
    return writer_result(&w);
}

int proto_teach_request_decode(const uint8_t *payload, size_t length, struct proto_teach_request *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    get_coords(&r, &out->at);
    out->steps = wire_get_u16(&r);
    get_rest_text(&r, &out->text);
    if (!r.error && (out->steps > PROTO_TEACH_MAX_STEPS || out->text.length > PROTO_TEACH_MAX_TEXT)) return PROTO_ERR_BAD_PAYLOAD;
    return reader_result(&r, true);
}

size_t proto_teach_reply_encode(const struct proto_teach_reply *reply, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    wire_put_u16(&w, reply->steps);
    wire_put_f32(&w, reply->bits_before);
    wire_put_f32(&w, reply->bits_after);
    return writer_result(&w);
}

int proto_teach_reply_decode(const uint8_t *payload, size_t length, struct proto_teach_reply *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->steps = wire_get_u16(&r);
    out->bits_before = wire_get_f32(&r);
    out->bits_after = wire_get_f32(&r);
    return reader_result(&r, true);
}

size_t proto_cube_request_encode(const struct proto_cube_request *req, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    wire_put_u16(&w, req->cube);
    wire_put_u8(&w, req->vertex);
    wire_put_bytes(&w, req->text.bytes, req->text.length);
    return writer_result(&w);
}

static bool vertex_valid(uint8_t vertex) { return vertex <= PROTO_VERTEX_CENTRAL || vertex == PROTO_VERTEX_WHOLE_CUBE; }

int proto_cube_request_decode(const uint8_t *payload, size_t length, struct proto_cube_request *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->cube = wire_get_u16(&r);
    out->vertex = wire_get_u8(&r);
    get_rest_text(&r, &out->text);
    if (!r.error && !vertex_valid(out->vertex)) return PROTO_ERR_BAD_PAYLOAD;
    return reader_result(&r, true);
}

size_t proto_cube_reply_encode(const struct proto_cube_reply *reply, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    wire_put_u8(&w, reply->vertex);
    wire_put_f64(&w, reply->kappa);
    wire_put_bytes(&w, reply->text.bytes, reply->text.length);
    return writer_result(&w);
}

int proto_cube_reply_decode(const uint8_t *payload, size_t length, struct proto_cube_reply *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->vertex = wire_get_u8(&r);
    out->kappa = wire_get_f64(&r);
    get_rest_text(&r, &out->text);
    return reader_result(&r, true);
}

bool proto_program_name_valid(const uint8_t *name, size_t length) {
    if (length < 1 || length > PROTO_PROGRAM_NAME_MAX) return false;
    for (size_t i = 0; i < length; i++) {
        uint8_t c = name[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

static bool program_has_name(uint8_t operation) { return operation != PROTO_PROGRAM_LIST; }

static bool program_has_text(uint8_t operation) {
    return operation == PROTO_PROGRAM_SAVE || operation == PROTO_PROGRAM_APPEND;
}

size_t proto_program_request_encode(const struct proto_program_request *req, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    if (req->operation < PROTO_PROGRAM_SAVE || req->operation > PROTO_PROGRAM_READ) return 0;
    wire_put_u8(&w, req->operation);
    if (program_has_name(req->operation)) {
        if (!proto_program_name_valid(req->name.bytes, req->name.length)) return 0;
        put_short_text(&w, &req->name);
    }
    if (program_has_text(req->operation)) {
        if (req->text.length > PROTO_PROGRAM_TEXT_MAX) return 0;
        wire_put_bytes(&w, req->text.bytes, req->text.length);
    }
    if (req->operation == PROTO_PROGRAM_READ) wire_put_u32(&w, req->offset);
    return writer_result(&w);
}

int proto_program_request_decode(const uint8_t *payload, size_t length, struct proto_program_request *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->operation = wire_get_u8(&r);
    out->name.bytes = 0, out->name.length = 0;
    out->text.bytes = 0, out->text.length = 0;
    out->offset = 0;
    if (r.error) return PROTO_ERR_BAD_PAYLOAD;
    if (out->operation < PROTO_PROGRAM_SAVE || out->operation > PROTO_PROGRAM_READ) return PROTO_ERR_UNSUPPORTED;
    if (program_has_name(out->operation)) {
        get_short_text(&r, &out->name);
        if (r.error || !proto_program_name_valid(out->name.bytes, out->name.length)) return PROTO_ERR_BAD_PAYLOAD;
    }
    if (program_has_text(out->operation)) {
        if (wire_remaining(&r) > PROTO_PROGRAM_TEXT_MAX) return PROTO_ERR_TOO_LARGE;
        get_rest_text(&r, &out->text);
    }
    if (out->operation == PROTO_PROGRAM_READ) out->offset = wire_get_u32(&r);
    return reader_result(&r, true);
}

static void get_program_entry(struct wire_reader *r, struct proto_program_entry *entry) {
    get_short_text(r, &entry->name);
    entry->size = wire_get_u32(r);
    entry->updated = wire_get_u32(r);
}

int proto_program_list_decode(const uint8_t *payload, size_t length, struct proto_program_list *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->count = wire_get_u16(&r);
    if (r.error || out->count > PROTO_PROGRAM_LIST_MAX) return PROTO_ERR_BAD_PAYLOAD;
    out->entries = payload + r.offset;
    out->length = (uint32_t)wire_remaining(&r);
    for (unsigned i = 0; i < out->count && !r.error; i++) {
        struct proto_program_entry entry;
        get_program_entry(&r, &entry);
        if (!r.error && !proto_program_name_valid(entry.name.bytes, entry.name.length)) return PROTO_ERR_BAD_PAYLOAD;
    }
    return reader_result(&r, true);
}

void proto_program_list_next(const struct proto_program_list *list, uint32_t *offset, struct proto_program_entry *out) {
    struct wire_reader r;
    wire_reader_init(&r, list->entries, list->length);
    r.offset = *offset;
    get_program_entry(&r, out);
    *offset = (uint32_t)r.offset;
}

size_t proto_program_list_encode(const struct proto_program_entry *entries, uint16_t count, uint8_t *out,
                                 size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    if (count > PROTO_PROGRAM_LIST_MAX) return 0;
    wire_put_u16(&w, count);
    for (unsigned i = 0; i < count; i++) {
        if (!proto_program_name_valid(entries[i].name.bytes, entries[i].name.length)) return 0;
        put_short_text(&w, &entries[i].name);
        wire_put_u32(&w, entries[i].size);
        wire_put_u32(&w, entries[i].updated);
    }
    return writer_result(&w);
}

static uint32_t tensor_count(const struct proto_tensor *t) {
    uint32_t count = 1;
    for (unsigned d = 0; d < t->rank; d++) count *= t->dims[d];
    return count;
}

static void put_tensor(struct wire_writer *w, const struct proto_tensor *t, const float *elements) {
    if (t->rank < 1 || t->rank > PROTO_TENSOR_MAX_RANK) {
        w->overflow = true;
        return;
    }
    wire_put_u8(w, t->rank);
    for (unsigned d = 0; d < t->rank; d++) wire_put_u16(w, t->dims[d]);
    uint32_t count = tensor_count(t);
    for (uint32_t i = 0; i < count && !w->overflow; i++) wire_put_f32(w, elements[i]);
}

/* Dimensions are u16 each, so bound the element count by what is left in the payload
 * before multiplying further: a hostile header cannot make us read past the end. */
static void get_tensor(struct wire_reader *r, struct proto_tensor *t, bool rank_prefixed, uint8_t rank) {
    t->rank = rank_prefixed ? wire_get_u8(r) : rank;
    if (r->error || t->rank < 1 || t->rank > PROTO_TENSOR_MAX_RANK) {
        r->error = true;
        return;
    }
    uint64_t count = 1;
    for (unsigned d = 0; d < t->rank; d++) {
        t->dims[d] = wire_get_u16(r);
        count *= t->dims[d];
        if (count > wire_remaining(r) / sizeof(float) + 1) {
            r->error = true;
            return;
        }
    }
    if (r->error) return;
    t->count = (uint32_t)count;
    t->elements = wire_get_bytes(r, (size_t)count * sizeof(float));
}

size_t proto_tensor_request_encode(const struct proto_tensor_request *req, const float *const *elements, uint8_t *out,
                                   size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    if (req->input_count < 1 || req->input_count > PROTO_TENSOR_MAX_INPUTS) return 0;
    if (req->param_count > PROTO_TENSOR_MAX_PARAMS) return 0;
    wire_put_u8(&w, req->operation);
    wire_put_u8(&w, req->dtype);
    wire_put_u8(&w, req->input_count);
    wire_put_u8(&w, req->param_count);
    for (unsigned i = 0; i < req->param_count; i++) wire_put_u16(&w, req->params[i]);
    for (unsigned i = 0; i < req->input_count; i++) put_tensor(&w, &req->inputs[i], elements[i]);
    return writer_result(&w);
}

int proto_tensor_request_decode(const uint8_t *payload, size_t length, struct proto_tensor_request *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->operation = wire_get_u8(&r);
    out->dtype = wire_get_u8(&r);
    out->input_count = wire_get_u8(&r);
    out->param_count = wire_get_u8(&r);
    if (r.error || out->input_count < 1 || out->input_count > PROTO_TENSOR_MAX_INPUTS ||
        out->param_count > PROTO_TENSOR_MAX_PARAMS)
        return PROTO_ERR_BAD_PAYLOAD;
    for (unsigned i = 0; i < out->param_count; i++) out->params[i] = wire_get_u16(&r);
    for (unsigned i = 0; i < out->input_count; i++) get_tensor(&r, &out->inputs[i], true, 0);
    return reader_result(&r, true);
}

size_t proto_tensor_reply_encode(const struct proto_tensor *result, const float *elements, uint8_t *out,
                                 size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    wire_put_u8(&w, PROTO_DTYPE_F32);
    put_tensor(&w, result, elements);
    return writer_result(&w);
}

int proto_tensor_reply_decode(const uint8_t *payload, size_t length, struct proto_tensor_reply *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->dtype = wire_get_u8(&r);
    get_tensor(&r, &out->result, true, 0);
    return reader_result(&r, true);
}

float proto_tensor_element(const struct proto_tensor *tensor, uint32_t index) {
    struct wire_reader r;
    if (index >= tensor->count) return 0.0f;
    wire_reader_init(&r, tensor->elements + (size_t)index * sizeof(float), sizeof(float));
    return wire_get_f32(&r);
}

size_t proto_utf8_prefix(const uint8_t *bytes, size_t length, size_t max) {
    if (length <= max) return length;
    size_t cut = max;
    /* bytes[cut] is the first byte left out: if it continues a character, so must the cut. */
    while (cut > 0 && (bytes[cut] & 0xC0u) == 0x80u) cut--;
    return cut;
}

size_t proto_error_encode(uint8_t code, const char *message, uint8_t *out, size_t capacity) {
    if (capacity < 1) return 0;
    size_t room = capacity - 1 < PROTO_ERROR_MESSAGE_MAX ? capacity - 1 : PROTO_ERROR_MESSAGE_MAX;
    size_t length = proto_utf8_prefix((const uint8_t *)message, strlen(message), room);
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    wire_put_u8(&w, code);
    wire_put_bytes(&w, message, length);
    return writer_result(&w);
}

int proto_error_decode(const uint8_t *payload, size_t length, struct proto_error_payload *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->code = wire_get_u8(&r);
    get_rest_text(&r, &out->message);
    return reader_result(&r, true);
}

size_t proto_program_piece_encode(const struct proto_program_piece *piece, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity);
    if (piece->text.length > PROTO_PROGRAM_READ_MAX) return 0;
    wire_put_u32(&w, piece->size);
    wire_put_bytes(&w, piece->text.bytes, piece->text.length);
    return writer_result(&w);
}

int proto_program_piece_decode(const uint8_t *payload, size_t length, struct proto_program_piece *out) {
    struct wire_reader r;
    wire_reader_init(&r, payload, length);
    out->size = wire_get_u32(&r);
    if (r.error || wire_remaining(&r) > PROTO_PROGRAM_READ_MAX) return PROTO_ERR_BAD_PAYLOAD;
    get_rest_text(&r, &out->text);
    return reader_result(&r, true);
}

static void put_decimal(struct wire_writer *w, uint32_t value) {
    char digits[10];
    unsigned n = 0;
    do digits[n++] = (char)('0' + value % 10u), value /= 10u;
    while (value);
    while (n) wire_put_u8(w, (uint8_t)digits[--n]);
}

size_t proto_agents_reply_encode(const struct proto_agent_status *agents, unsigned count, uint8_t *out, size_t capacity) {
    struct wire_writer w;
    wire_writer_init(&w, out, capacity < PROTO_AGENTS_REPLY_MAX ? capacity : PROTO_AGENTS_REPLY_MAX);
    if (count > PROTO_AGENTS_MAX) return 0;
    for (unsigned i = 0; i < count; i++) {
        const struct proto_agent_status *a = &agents[i];
        put_decimal(&w, a->id);
        wire_put_u8(&w, '\t');
        wire_put_bytes(&w, a->name.bytes, a->name.length);
        wire_put_u8(&w, '\t');
        wire_put_bytes(&w, a->state.bytes, a->state.length);
        wire_put_u8(&w, '\t');
        if (a->hosting) {
            put_decimal(&w, a->cube);
            wire_put_u8(&w, '/');
            const char *v = proto_vertex_name(a->vertex);
            wire_put_bytes(&w, v, strlen(v));
        } else {
            wire_put_u8(&w, '-');
        }
        wire_put_u8(&w, '\t');
        put_decimal(&w, a->statements);
        wire_put_u8(&w, '\t');
        put_decimal(&w, a->memory);
        wire_put_u8(&w, '\t');
        size_t keep = proto_utf8_prefix(a->last_line.bytes, a->last_line.length, PROTO_AGENT_LINE_MAX);
        wire_put_bytes(&w, a->last_line.bytes, keep);
        wire_put_u8(&w, '\n');
    }
    return count == 0 ? 0 : writer_result(&w);
}
