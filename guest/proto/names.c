#include "proto/proto.h"

#include "proto/payload.h"

const char *proto_error_name(int code) {
    switch (code) {
    case PROTO_ERR_BAD_PAYLOAD: return "BAD_PAYLOAD";
    case PROTO_ERR_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case PROTO_ERR_TOO_LARGE: return "TOO_LARGE";
    case PROTO_ERR_UNSUPPORTED: return "UNSUPPORTED";
    case PROTO_ERR_BUSY: return "BUSY";
    case PROTO_ERR_NOT_FOUND: return "NOT_FOUND";
    case PROTO_ERR_INTERNAL: return "INTERNAL";
    case PROTO_ERR_UNAUTHORIZED: return "UNAUTHORIZED";
    case PROTO_ERR_UNAVAILABLE: return "UNAVAILABLE";
    case PROTO_ERR_TIMEOUT: return "TIMEOUT";
    case PROTO_ERR_CANCELLED: return "CANCELLED";
    case PROTO_ERR_LINE_CLOSED: return "LINE_CLOSED";
    default: return "UNKNOWN";
    }
}

const char *proto_opcode_name(int opcode) {
    switch (opcode) {
    case PROTO_OP_HELLO: return "HELLO";
    case PROTO_OP_PING: return "PING";
    case PROTO_OP_TENSOR_OP: return "TENSOR_OP";
    case PROTO_OP_LLM_QUERY: return "LLM_QUERY";
    case PROTO_OP_BLOCK_GET: return "BLOCK_GET";
    case PROTO_OP_BLOCK_SET: return "BLOCK_SET";
    case PROTO_OP_CUBE_MSG: return "CUBE_MSG";
    case PROTO_OP_LLM_TEACH: return "LLM_TEACH";
    case PROTO_OP_PROGRAM: return "PROGRAM";
    case PROTO_OP_AGENTS: return "AGENTS";
    case PROTO_OP_NAK: return "NAK";
    default: return "UNKNOWN";
    }
}

/* One table of vertex names for the whole kernel (the shell, BASIC, the agents), in wire order. */
static const char *const vertex_names[PROTO_VERTEX_CENTRAL + 1] = { "NEU", "NED", "NWU", "NWD", "SEU",
                                                                    "SED", "SWU", "SWD", "CENTRAL" };

const char *proto_vertex_name(unsigned vertex) {
    if (vertex <= PROTO_VERTEX_CENTRAL) return vertex_names[vertex];
    return vertex == PROTO_VERTEX_WHOLE_CUBE ? "ALL" : "?";
}

static char upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c; }

bool proto_word_equal(const char *text, size_t length, const char *word) {
    size_t i = 0;
    for (; i < length && word[i]; i++)
        if (upper(text[i]) != upper(word[i])) return false;
    return i == length && word[i] == '\0';
}

int proto_vertex_parse(const char *text, size_t length) {
    if (length > 0 && length <= 3) {
        unsigned value = 0;
        size_t i = 0;
        while (i < length && text[i] >= '0' && text[i] <= '9') value = value * 10u + (unsigned)(text[i++] - '0');
        if (i == length) return value <= PROTO_VERTEX_CENTRAL || value == PROTO_VERTEX_WHOLE_CUBE ? (int)value : -1;
    }
    for (unsigned v = 0; v <= PROTO_VERTEX_CENTRAL; v++)
        if (proto_word_equal(text, length, vertex_names[v])) return (int)v;
    if (proto_word_equal(text, length, "ALL") || proto_word_equal(text, length, "CUBE")) return PROTO_VERTEX_WHOLE_CUBE;
    return -1;
}
