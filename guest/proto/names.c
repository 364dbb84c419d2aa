#include "proto/proto.h"

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
    case PROTO_OP_NAK: return "NAK";
    default: return "UNKNOWN";
    }
}
