/* The statements that make a BASIC program an agent of the cube: HOST claims a vertex, ON
 * MESSAGE GOSUB names the handler that runs for each CUBE_MSG to it (MSG$ and MSGFROM$ hold
 * the message while it runs), REPLY answers it, TEACH teaches the FemtoLLM at a block.
 *
 * Messages are taken between statements, never inside one: when a handler is set and none is
 * running, the VM asks the host for the next message at each statement and, if one waits,
 * calls the handler as a GOSUB from that statement; its RETURN resumes the statement. A message
 * that comes while the handler runs waits for its RETURN. */
#include "basic/internal.h"

#include "lib/string.h"
#include "proto/payload.h"

#define COORD_MAX 0xFFFF
#define CUBE_MAX 0xFFFF
#define TEACH_DEFAULT_STEPS 0u /* the core's default */

void bas_agent_forget_message(struct basic *b) {
    if (b->message) bas_string_release(b, b->message);
    if (b->message_from) bas_string_release(b, b->message_from);
    b->message = b->message_from = 0;
}

void bas_agent_host(struct basic *b, double cube, const struct bas_value *vertex) {
    int32_t cube_number;
    int v = -1;
    if (vertex->type == BAS_STRING) v = bas_vertex_from_text(vertex->string);
    else if (vertex->number >= 0 && vertex->number <= PROTO_VERTEX_CENTRAL && vertex->number == bas_floor(vertex->number))
        v = (int)vertex->number;
    if (!bas_to_int(cube, 0, CUBE_MAX, &cube_number) || v < 0 || v > (int)PROTO_VERTEX_CENTRAL) {
        return bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
    }
    if (!b->host->host_vertex) return bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION); /* only agents host */
    int code = b->host->host_vertex(b->host->context, (uint32_t)cube_number, (uint8_t)v);
    if (code != 0) {
        b->core_error = (uint32_t)code;
        bas_fail(b, BAS_ERR_LINE_FAILED);
    }
}

void bas_agent_dispatch_message(struct basic *b) {
    const char *text = 0, *from = 0;
    uint32_t length = 0;
    if (!b->host->next_message || !b->host->next_message(b->host->context, &text, &length, &from)) return;
    int32_t index = bas_line_find(b, b->on_message_line);
    if (index < 0) return bas_fail(b, BAS_ERR_UNDEFINED_LINE);
    bas_agent_forget_message(b);
    uint32_t keep = length < BAS_STRING_MAX ? length : BAS_STRING_MAX;
    b->message = bas_string_new(b, text, keep);
    b->message_from = bas_string_new(b, from, strlen(from));
    if (b->error) return;
    if (b->frame_count >= BAS_CONTROL_MAX) return bas_fail(b, BAS_ERR_OUT_OF_MEMORY);
    /* Back to this statement's start on RETURN: it has not run yet. */
    struct bas_frame frame = { .kind = FRAME_GOSUB, .symbol = BAS_FRAME_MESSAGE, .at = b->statement };
    b->frames[b->frame_count++] = frame;
    b->in_message = true;
    b->pc.line = (uint32_t)index;
    b->pc.pc = 0;
}

void bas_agent_reply(struct basic *b, const struct bas_string *text) {
    if (!b->host->reply) return bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
    int code = b->host->reply(b->host->context, bas_string_chars(text), bas_string_length(text));
    if (code != 0) {
        b->core_error = (uint32_t)code;
        bas_fail(b, BAS_ERR_LINE_FAILED);
    }
}

void bas_agent_teach(struct basic *b, const double *at, const struct bas_string *text) {
    int32_t x, y, z;
    if (!bas_to_int(at[0], 0, COORD_MAX, &x) || !bas_to_int(at[1], 0, COORD_MAX, &y) ||
        !bas_to_int(at[2], 0, COORD_MAX, &z))
        return bas_fail(b, BAS_ERR_ILLEGAL_FUNCTION);
    uint8_t *buffer = bas_alloc(b, 2u * BASIC_CORE_PAYLOAD_MAX);
    if (!buffer) return;
    struct proto_teach_request request = {
        { (uint16_t)x, (uint16_t)y, (uint16_t)z },
        TEACH_DEFAULT_STEPS,
        { (const uint8_t *)bas_string_chars(text), bas_string_length(text) },
    };
    size_t length = proto_teach_request_encode(&request, buffer, BASIC_CORE_PAYLOAD_MAX);
    bas_core_call(b, PROTO_OP_LLM_TEACH, buffer, (uint32_t)length, buffer + BASIC_CORE_PAYLOAD_MAX,
                  BASIC_CORE_PAYLOAD_MAX);
    bas_free(b, buffer);
}
