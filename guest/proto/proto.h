/* The 56k packet protocol, version 1: constants shared by every part of the C
 * implementation (docs/PROTOCOL.md is the specification). Compiled into the kernel and,
 * from the same sources, into the host test program. */
#ifndef XP10_PROTO_PROTO_H
#define XP10_PROTO_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1u
#define PROTO_FLAG_BYTE 0x7Eu
#define PROTO_ESCAPE_BYTE 0x7Du
#define PROTO_ESCAPE_XOR 0x20u
#define PROTO_HEADER_SIZE 8u
#define PROTO_CRC_SIZE 2u
#define PROTO_MAX_CONTENT 4096u
#define PROTO_MAX_PAYLOAD (PROTO_MAX_CONTENT - PROTO_HEADER_SIZE - PROTO_CRC_SIZE)
#define PROTO_MAX_FRAGMENTS 256u
#define PROTO_MIN_CONTENT (PROTO_HEADER_SIZE + PROTO_CRC_SIZE)
/* Worst case on the wire: every content byte escaped, plus two flags. */
#define PROTO_MAX_WIRE (2u * PROTO_MAX_CONTENT + 2u)

enum proto_flag {
    PROTO_FLAG_REPLY = 0x1,
    PROTO_FLAG_ERROR = 0x2,
    PROTO_FLAG_MORE = 0x4,
    PROTO_FLAG_NOREPLY = 0x8,
};

enum proto_opcode {
    PROTO_OP_HELLO = 0x01,
    PROTO_OP_PING = 0x02,
    PROTO_OP_TENSOR_OP = 0x10,
    PROTO_OP_LLM_QUERY = 0x11,
    PROTO_OP_BLOCK_GET = 0x12,
    PROTO_OP_BLOCK_SET = 0x13,
    PROTO_OP_CUBE_MSG = 0x14,
    PROTO_OP_PROGRAM = 0x15,
    PROTO_OP_LLM_TEACH = 0x16,
    PROTO_OP_AGENTS = 0x17, /* the bridge asks a guest which agents run (payloads: proto_agents_reply_encode) */
    PROTO_OP_NAK = 0x7F,
};

/* Wire error codes (payload of an ERROR reply: u8 code, UTF-8 message). */
enum proto_error {
    PROTO_ERR_BAD_PAYLOAD = 0x01,
    PROTO_ERR_OUT_OF_RANGE = 0x02,
    PROTO_ERR_TOO_LARGE = 0x03,
    PROTO_ERR_UNSUPPORTED = 0x04,
    PROTO_ERR_BUSY = 0x05,
    PROTO_ERR_NOT_FOUND = 0x06,
    PROTO_ERR_INTERNAL = 0x07,
    PROTO_ERR_UNAUTHORIZED = 0x08,
    PROTO_ERR_UNAVAILABLE = 0x09,
    /* Local outcomes that never travel on the wire. */
    PROTO_ERR_TIMEOUT = 0x100,
    PROTO_ERR_CANCELLED = 0x101,
    PROTO_ERR_LINE_CLOSED = 0x102,
};

/* One frame: the header fields plus a view of the payload (not owned). */
struct proto_frame {
    uint8_t flags;
    uint8_t opcode;
    uint16_t seq;
    uint8_t channel;
    uint8_t fragment;
    const uint8_t *payload;
    uint16_t length;
};

const char *proto_error_name(int code);
const char *proto_opcode_name(int opcode);

#endif
