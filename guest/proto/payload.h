/* Encoders and decoders for every opcode's payload (layouts in docs/PROTOCOL.md).
 * Encoders return the payload length, or 0 when it does not fit. Decoders return 0 or
 * PROTO_ERR_BAD_PAYLOAD; strings and byte fields they return are views into the input. */
#ifndef XP10_PROTO_PAYLOAD_H
#define XP10_PROTO_PAYLOAD_H

#include <stdbool.h>

#include "proto/proto.h"

#define PROTO_HASH_SIZE 32u
#define PROTO_ERROR_MESSAGE_MAX 1024u
#define PROTO_HELLO_MAX_VERTICES 32u
#define PROTO_WINDOW_MIN 1u
#define PROTO_WINDOW_MAX 64u
#define PROTO_LLM_MAX_TOKENS 256u
/* LLM_TEACH bounds (protocol/payloads/llmTeach.ts): text bytes, optimiser steps (0 = default). */
#define PROTO_TEACH_MAX_TEXT 4096u
#define PROTO_TEACH_MAX_STEPS 1000u
#define PROTO_TENSOR_MAX_RANK 4u
#define PROTO_TENSOR_MAX_INPUTS 2u
#define PROTO_TENSOR_MAX_PARAMS 4u
#define PROTO_VERTEX_CENTRAL 8u
#define PROTO_VERTEX_WHOLE_CUBE 0xFFu

struct proto_text {
    const uint8_t *bytes;
    uint32_t length;
};

struct proto_hosted_vertex {
    uint16_t cube;
    uint8_t vertex;
    uint8_t channel;
};

struct proto_hello {
    uint8_t version;
    uint16_t max_content;
    uint8_t window;
    struct proto_text name;
    struct proto_text token;
    uint8_t vertex_count;
    struct proto_hosted_vertex vertices[PROTO_HELLO_MAX_VERTICES];
    /* Trailing field: differs on every start of the sender, 0 = absent (not encoded). A peer
     * forgets the requests it answered only when this changes (docs/PROTOCOL.md, Duplicates). */
    uint32_t boot_id;
};

struct proto_coords {
    uint16_t x, y, z;
};

struct proto_block_get_reply {
    bool active;
    double value;
    uint8_t hash[PROTO_HASH_SIZE];
};

struct proto_block_set_request {
    struct proto_coords at;
    double value;
};

struct proto_block_set_reply {
    uint64_t ledger_index;
    uint8_t hash[PROTO_HASH_SIZE];
};

struct proto_llm_request {
    struct proto_coords at;
    uint16_t max_tokens;
    struct proto_text prompt;
};

struct proto_llm_reply {
    double kappa;
    uint16_t tokens;
    struct proto_text text;
};

/* LLM_TEACH: teach the model at `at` a text (its own parameters; the base stays shared). */
struct proto_teach_request {
    struct proto_coords at;
    uint16_t steps;
    struct proto_text text;
};

struct proto_teach_reply {
    uint16_t steps;
    float bits_before;
    float bits_after;
};

struct proto_cube_request {
    uint16_t cube;
    uint8_t vertex;
    struct proto_text text;
};

struct proto_cube_reply {
    uint8_t vertex;
    double kappa;
    struct proto_text text;
};

enum proto_tensor_operation {
    PROTO_TENSOR_MATMUL = 0x01,
    PROTO_TENSOR_ADD = 0x02,
    PROTO_TENSOR_MUL = 0x03,
    PROTO_TENSOR_CONV2D = 0x04,
    PROTO_TENSOR_MAXPOOL2D = 0x05,
    PROTO_TENSOR_AVGPOOL2D = 0x06,
    PROTO_TENSOR_RELU = 0x10,
    PROTO_TENSOR_SIGMOID = 0x11,
    PROTO_TENSOR_TANH = 0x12,
    PROTO_TENSOR_GELU = 0x13,
    PROTO_TENSOR_SOFTMAX = 0x14,
};

#define PROTO_DTYPE_F32 0u

/* A tensor on the wire: elements stay big-endian f32 bytes; read them with proto_tensor_element. */
struct proto_tensor {
    uint8_t rank;
    uint16_t dims[PROTO_TENSOR_MAX_RANK];
    uint32_t count;
    const uint8_t *elements;
};

struct proto_tensor_request {
    uint8_t operation;
    uint8_t dtype;
    uint8_t input_count;
    uint8_t param_count;
    uint16_t params[PROTO_TENSOR_MAX_PARAMS];
    struct proto_tensor inputs[PROTO_TENSOR_MAX_INPUTS];
};

struct proto_tensor_reply {
    uint8_t dtype;
    struct proto_tensor result;
};

/* PROGRAM: the program store on the bridge (SAVE, LOAD, LIST, DELETE). */
enum proto_program_operation {
    PROTO_PROGRAM_SAVE = 0x01,
    PROTO_PROGRAM_LOAD = 0x02,
    PROTO_PROGRAM_LIST = 0x03,
    PROTO_PROGRAM_DELETE = 0x04,
    PROTO_PROGRAM_APPEND = 0x05, /* text added to an existing program (files over one message) */
    PROTO_PROGRAM_READ = 0x06,   /* a piece from a byte offset; the reply: u32 size, text */
};

#define PROTO_PROGRAM_NAME_MAX 32u
#define PROTO_PROGRAM_TEXT_MAX (64u * 1024u)   /* text in one SAVE/APPEND request or LOAD reply */
#define PROTO_PROGRAM_SIZE_MAX (1024u * 1024u) /* a stored program */
#define PROTO_PROGRAM_READ_MAX (32u * 1024u)   /* text in one READ reply */
#define PROTO_PROGRAM_LIST_MAX 1024u

/* name: 1..32 of A-Z a-z 0-9 _ - (the bridge stores it upper case); text only for SAVE and
 * APPEND; offset only for READ. */
struct proto_program_request {
    uint8_t operation;
    struct proto_text name;
    struct proto_text text;
    uint32_t offset;
};

struct proto_program_entry {
    struct proto_text name;
    uint32_t size;
    uint32_t updated; /* Unix seconds */
};

/* A LIST reply is walked entry by entry (proto_program_list_next), so no table is needed. */
struct proto_program_list {
    uint16_t count;
    const uint8_t *entries;
    uint32_t length;
};

struct proto_error_payload {
    uint8_t code;
    struct proto_text message;
};

/* A READ reply: the whole program's size and the piece from the requested offset. */
struct proto_program_piece {
    uint32_t size;
    struct proto_text text;
};

/* Vertex names (NEU..CENTRAL; ALL for the whole cube) and their parse: a name in any case, ALL or
 * CUBE, or a number 0..8 or 255; -1 when it is none (proto/names.c). */
const char *proto_vertex_name(unsigned vertex);
int proto_vertex_parse(const char *text, size_t length);
/* True when text[0..length) is `word`, ignoring ASCII case (names, keywords, vertex names). */
bool proto_word_equal(const char *text, size_t length, const char *word);

size_t proto_hello_encode(const struct proto_hello *hello, uint8_t *out, size_t capacity);
int proto_hello_decode(const uint8_t *payload, size_t length, struct proto_hello *out);

size_t proto_coords_encode(const struct proto_coords *at, uint8_t *out, size_t capacity);
int proto_coords_decode(const uint8_t *payload, size_t length, struct proto_coords *out);
size_t proto_block_get_reply_encode(const struct proto_block_get_reply *reply, uint8_t *out, size_t capacity);
int proto_block_get_reply_decode(const uint8_t *payload, size_t length, struct proto_block_get_reply *out);
size_t proto_block_set_request_encode(const struct proto_block_set_request *req, uint8_t *out, size_t capacity);
int proto_block_set_request_decode(const uint8_t *payload, size_t length, struct proto_block_set_request *out);
size_t proto_block_set_reply_encode(const struct proto_block_set_reply *reply, uint8_t *out, size_t capacity);
int proto_block_set_reply_decode(const uint8_t *payload, size_t length, struct proto_block_set_reply *out);

size_t proto_llm_request_encode(const struct proto_llm_request *req, uint8_t *out, size_t capacity);
int proto_llm_request_decode(const uint8_t *payload, size_t length, struct proto_llm_request *out);
size_t proto_llm_reply_encode(const struct proto_llm_reply *reply, uint8_t *out, size_t capacity);
int proto_llm_reply_decode(const uint8_t *payload, size_t length, struct proto_llm_reply *out);
size_t proto_teach_request_encode(const struct proto_teach_request *req, uint8_t *out, size_t capacity);
int proto_teach_request_decode(const uint8_t *payload, size_t length, struct proto_teach_request *out);
size_t proto_teach_reply_encode(const struct proto_teach_reply *reply, uint8_t *out, size_t capacity);
int proto_teach_reply_decode(const uint8_t *payload, size_t length, struct proto_teach_reply *out);

size_t proto_cube_request_encode(const struct proto_cube_request *req, uint8_t *out, size_t capacity);
int proto_cube_request_decode(const uint8_t *payload, size_t length, struct proto_cube_request *out);
size_t proto_cube_reply_encode(const struct proto_cube_reply *reply, uint8_t *out, size_t capacity);
int proto_cube_reply_decode(const uint8_t *payload, size_t length, struct proto_cube_reply *out);

/* `elements[i]` are host floats for input i; encoded big-endian. */
size_t proto_tensor_request_encode(const struct proto_tensor_request *req, const float *const *elements, uint8_t *out,
                                   size_t capacity);
int proto_tensor_request_decode(const uint8_t *payload, size_t length, struct proto_tensor_request *out);
size_t proto_tensor_reply_encode(const struct proto_tensor *result, const float *elements, uint8_t *out,
                                 size_t capacity);
int proto_tensor_reply_decode(const uint8_t *payload, size_t length, struct proto_tensor_reply *out);
float proto_tensor_element(const struct proto_tensor *tensor, uint32_t index);

size_t proto_program_request_encode(const struct proto_program_request *req, uint8_t *out, size_t capacity);
int proto_program_request_decode(const uint8_t *payload, size_t length, struct proto_program_request *out);
/* true when `name` is a valid program name */
bool proto_program_name_valid(const uint8_t *name, size_t length);
/* LIST reply: checks every entry; then entry i is read with proto_program_list_entry. */
int proto_program_list_decode(const uint8_t *payload, size_t length, struct proto_program_list *out);
/* Reads the entry at *offset of a decoded list and advances *offset. */
void proto_program_list_next(const struct proto_program_list *list, uint32_t *offset, struct proto_program_entry *out);
size_t proto_program_list_encode(const struct proto_program_entry *entries, uint16_t count, uint8_t *out,
                                 size_t capacity);
size_t proto_program_piece_encode(const struct proto_program_piece *piece, uint8_t *out, size_t capacity);
int proto_program_piece_decode(const uint8_t *payload, size_t length, struct proto_program_piece *out);

/* AGENTS reply: one UTF-8 line per agent, fields split by TAB:
 *   id, name, state, hosted vertex ("CUBE/VERTEX" or "-"), statements, memory bytes, last output line
 * (docs/PROTOCOL.md). Names, states and the last line must hold no TAB or LF (callers replace them). */
#define PROTO_AGENTS_MAX 16u
#define PROTO_AGENTS_REPLY_MAX 4096u
#define PROTO_AGENT_LINE_MAX 64u /* bytes of an agent's last output line kept in a reply */

struct proto_agent_status {
    uint8_t id;
    struct proto_text name;
    struct proto_text state;
    bool hosting;
    uint16_t cube;
    uint8_t vertex;
    uint32_t statements;
    uint32_t memory;
    struct proto_text last_line;
};

size_t proto_agents_reply_encode(const struct proto_agent_status *agents, unsigned count, uint8_t *out, size_t capacity);

/* ERROR payload: the code, then the message cut to PROTO_ERROR_MESSAGE_MAX bytes (and to what
 * fits in `capacity`) at a UTF-8 character boundary. Returns 0 only when not even the code fits. */
size_t proto_error_encode(uint8_t code, const char *message, uint8_t *out, size_t capacity);
/* The longest prefix of `bytes` (length bytes) of at most `max` bytes that does not end inside a
 * UTF-8 character. */
size_t proto_utf8_prefix(const uint8_t *bytes, size_t length, size_t max);
int proto_error_decode(const uint8_t *payload, size_t length, struct proto_error_payload *out);

#endif
