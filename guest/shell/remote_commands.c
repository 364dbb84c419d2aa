/* Shell commands carried out by the Konomi core: each builds a request payload, hands it
 * to a shell agent (which blocks on the COM1 link) and prints the decoded reply. */
#include "agents/agents.h"
#include "drivers/pit.h"
#include "lib/parse.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proto/payload.h"
#include "shell/remote_job.h"
#include "shell/shell.h"
#include "shell/agent_commands.h"
#include "shell/xmodem_command.h"

#define COORD_MAX 0xFFFFu
#define LLM_DEFAULT_TOKENS 32u
#define TENSOR_ELEMENTS_MAX 64u
#define TENSOR_PRINT_DECIMALS "%.4f"

static bool parse_coords(struct shell *shell, char **argv, struct proto_coords *at) {
    uint32_t x, y, z;
    if (!parse_u32(argv[0], COORD_MAX, &x) || !parse_u32(argv[1], COORD_MAX, &y) || !parse_u32(argv[2], COORD_MAX, &z)) {
        shell_print(shell, "Coordinates must be whole numbers 0..65535.\n");
        return false;
    }
    at->x = (uint16_t)x, at->y = (uint16_t)y, at->z = (uint16_t)z;
    return true;
}

static void print_hash(struct shell *shell, const uint8_t *hash) {
    for (unsigned i = 0; i < PROTO_HASH_SIZE; i++) shell_print(shell, "%02x", hash[i]);
}

static const char *skip_words(const char *text, int words) {
    for (int w = 0; w < words; w++) {
        while (*text == ' ') text++;
        while (*text && *text != ' ') text++;
    }
    while (*text == ' ') text++;
    return text;
}

static void cmd_ping(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)argc, (void)argv;
    struct agent_job *job = remote_job_new(PROTO_OP_PING);
    if (!job) return;
    const char *text = *rest ? rest : "XP10";
    job->length = (uint32_t)strlen(text);
    memcpy(job->payload, text, job->length);
    uint32_t started = pit_millis();
    if (remote_job_run(shell, job)) {
        bool echoed = job->call.reply_length == job->length && memcmp(job->call.reply, job->payload, job->length) == 0;
        shell_print(shell, "Reply from Konomi core: bytes=%u time=%ums%s\n", job->call.reply_length,
                    pit_millis() - started, echoed ? "" : " (echo MISMATCH)");
    }
    remote_job_free(job);
}

static void block_get(struct shell *shell, char **argv) {
    struct proto_coords at;
    if (!parse_coords(shell, argv, &at)) return;
    struct agent_job *job = remote_job_new(PROTO_OP_BLOCK_GET);
    if (!job) return;
    job->length = (uint32_t)proto_coords_encode(&at, job->payload, sizeof(job->payload));
    struct proto_block_get_reply reply;
    if (remote_job_run(shell, job)) {
        if (proto_block_get_reply_decode(job->call.reply, job->call.reply_length, &reply) != 0) {
            shell_print(shell, "Error BAD_PAYLOAD: the core's BLOCK_GET reply does not parse\n");
        } else {
            shell_print(shell, "Block (%u,%u,%u): %s value=%.6f\n  leaf ", at.x, at.y, at.z,
                        reply.active ? "active" : "inactive", reply.value);
            print_hash(shell, reply.hash);
            shell_print(shell, "\n");
        }
    }
    remote_job_free(job);
}

static void block_set(struct shell *shell, char **argv) {
    struct proto_block_set_request request;
    if (!parse_coords(shell, argv, &request.at)) return;
    if (!parse_double(argv[3], &request.value, 0)) {
        shell_print(shell, "Value must be a number, e.g. 1.5\n");
        return;
    }
    /* One canonical zero before a value reaches the ledger's hash: -0 and +0 are the same
     * number, but not the same bytes, and a store may keep only one of them (issue 11). */
    if (request.value == 0.0) request.value = 0.0;
    struct agent_job *job = remote_job_new(PROTO_OP_BLOCK_SET);
    if (!job) return;
    job->length = (uint32_t)proto_block_set_request_encode(&request, job->payload, sizeof(job->payload));
    struct proto_block_set_reply reply;
    if (remote_job_run(shell, job)) {
        if (proto_block_set_reply_decode(job->call.reply, job->call.reply_length, &reply) != 0) {
            shell_print(shell, "Error BAD_PAYLOAD: the core's BLOCK_SET reply does not parse\n");
        } else {
            shell_print(shell, "Block (%u,%u,%u) set to %.6f: ledger entry #%llu\n  hash ", request.at.x,
                        request.at.y, request.at.z, request.value, reply.ledger_index);
            print_hash(shell, reply.hash);
            shell_print(shell, "\n");
        }
    }
    remote_job_free(job);
}

static void cmd_block(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)rest;
    if (argc == 5 && strcmp(argv[1], "get") == 0) {
        block_get(shell, argv + 2);
    } else if (argc == 6 && strcmp(argv[1], "set") == 0) {
        block_set(shell, argv + 2);
    } else {
        shell_print(shell, "Usage: block get X Y Z | block set X Y Z V\n");
    }
}

/* llm teach X Y Z TEXT: the model at a block learns TEXT (its own parameters; the core's
 * default number of steps, bounded by its time budget). */
static void llm_teach(struct shell *shell, char **argv, const char *rest) {
    struct proto_teach_request request = { .steps = 0 };
    if (!parse_coords(shell, argv, &request.at)) return;
    const char *text = skip_words(rest, 4);
    request.text.bytes = (const uint8_t *)text;
    request.text.length = (uint32_t)strlen(text);
    if (request.text.length < 2) {
        shell_print(shell, "Give the text to learn: at least 2 characters.\n");
        return;
    }
    struct agent_job *job = remote_job_new(PROTO_OP_LLM_TEACH);
    if (!job) return;
    job->length = (uint32_t)proto_teach_request_encode(&request, job->payload, sizeof(job->payload));
    struct proto_teach_reply reply;
    shell_print(shell, "Teaching the FemtoLLM at (%u,%u,%u)...\n", request.at.x, request.at.y, request.at.z);
    if (remote_job_run(shell, job)) {
        if (proto_teach_reply_decode(job->call.reply, job->call.reply_length, &reply) != 0) {
            shell_print(shell, "Error BAD_PAYLOAD: the core's LLM_TEACH reply does not parse\n");
        } else {
            shell_print(shell, "Taught in %u steps: %.3f -> %.3f bits/char\n", reply.steps,
                        (double)reply.bits_before, (double)reply.bits_after);
        }
    }
    remote_job_free(job);
}

static void cmd_llm(struct shell *shell, int argc, char **argv, const char *rest) {
    struct proto_llm_request request = { .max_tokens = LLM_DEFAULT_TOKENS };
    if (argc >= 2 && strcmp(argv[1], "teach") == 0) {
        if (argc < 6) {
            shell_print(shell, "Usage: llm teach X Y Z TEXT\n");
            return;
        }
        llm_teach(shell, argv + 2, rest);
        return;
    }
    if (argc < 5) {
        shell_print(shell, "Usage: llm X Y Z TEXT | llm teach X Y Z TEXT\n");
        return;
    }
    if (!parse_coords(shell, argv + 1, &request.at)) return;
    const char *prompt = skip_words(rest, 3);
    request.prompt.bytes = (const uint8_t *)prompt;
    request.prompt.length = (uint32_t)strlen(prompt);
    struct agent_job *job = remote_job_new(PROTO_OP_LLM_QUERY);
    if (!job) return;
    job->length = (uint32_t)proto_llm_request_encode(&request, job->payload, sizeof(job->payload));
    struct proto_llm_reply reply;
    if (remote_job_run(shell, job)) {
        if (proto_llm_reply_decode(job->call.reply, job->call.reply_length, &reply) != 0) {
            shell_print(shell, "Error BAD_PAYLOAD: the core's LLM_QUERY reply does not parse\n");
        } else {
            shell->console->write((const char *)reply.text.bytes, reply.text.length);
            shell_print(shell, "\n[%u tokens, kappa=%.4f]\n", reply.tokens, reply.kappa);
        }
    }
    remote_job_free(job);
}

/* Sends one CUBE_MSG and prints the answering vertex, its kappa and its text. */
static void cube_send(struct shell *shell, uint32_t cube, uint8_t vertex, const char *text, size_t length) {
    struct proto_cube_request request = { (uint16_t)cube, vertex, { (const uint8_t *)text, (uint32_t)length } };
    struct agent_job *job = remote_job_new(PROTO_OP_CUBE_MSG);
    if (!job) return;
    job->length = (uint32_t)proto_cube_request_encode(&request, job->payload, sizeof(job->payload));
    struct proto_cube_reply reply;
    if (remote_job_run(shell, job)) {
        if (proto_cube_reply_decode(job->call.reply, job->call.reply_length, &reply) != 0) {
            shell_print(shell, "Error BAD_PAYLOAD: the core's CUBE_MSG reply does not parse\n");
        } else {
            shell_print(shell, "[vertex %u, kappa=%.4f] ", reply.vertex, reply.kappa);
            shell->console->write((const char *)reply.text.bytes, reply.text.length);
            shell_print(shell, "\n");
        }
    }
    remote_job_free(job);
}

static void cmd_cube(struct shell *shell, int argc, char **argv, const char *rest) {
    uint32_t cube;
    int vertex = argc >= 4 ? proto_vertex_parse(argv[2], strlen(argv[2])) : -1;
    if (argc < 4 || !parse_u32(argv[1], COORD_MAX, &cube) || vertex < 0) {
        shell_print(shell, "Usage: cube CUBE VERTEX TEXT\n"
                           "  VERTEX: NEU NED NWU NWD SEU SED SWU SWD CENTRAL ALL, or 0..8, 255\n");
        return;
    }
    const char *text = skip_words(rest, 2);
    cube_send(shell, cube, (uint8_t)vertex, text, strlen(text));
}

/* The header line of a choice vote in CUBE_MSG text (docs/PROTOCOL.md, choice votes). */
#define CHOICES_PREFIX "?choices "

static bool has_bar(const char *word) {
    for (; *word; word++)
        if (*word == '|') return true;
    return false;
}

/* `vote 1 yes|no Is the grid up?`: the whole cube votes; each vertex scores the choices with
 * its own model and CENTRAL answers the choice, the quorum, the votes and who dissented. */
static void cmd_vote(struct shell *shell, int argc, char **argv, const char *rest) {
    uint32_t cube;
    if (argc < 4 || !parse_u32(argv[1], COORD_MAX, &cube) || !has_bar(argv[2])) {
        shell_print(shell, "Usage: vote CUBE A|B[|C...] QUERY   e.g. vote 1 yes|no Is the grid up?\n");
        return;
    }
    const char *query = skip_words(rest, 2);
    char text[sizeof(CHOICES_PREFIX) + 2 * LINEEDIT_LINE_MAX];
    size_t n = 0;
    const char *parts[] = { CHOICES_PREFIX, argv[2], "\n", query };
    for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t k = strlen(parts[i]);
        if (n + k >= sizeof(text)) k = sizeof(text) - 1 - n;
        memcpy(text + n, parts[i], k);
        n += k;
    }
    cube_send(shell, cube, PROTO_VERTEX_WHOLE_CUBE, text, n);
}

struct tensor_literal {
    struct proto_tensor shape;
    float values[TENSOR_ELEMENTS_MAX];
};

/* "[1,2;3,4]" is a 2x2 matrix, "[1,2,3]" a vector of 3. */
static bool parse_tensor(const char *text, struct tensor_literal *out) {
    uint32_t rows = 1, columns = 0, count = 0, row_count = 0;
    if (*text++ != '[') return false;
    for (;;) {
        double value;
        if (count == TENSOR_ELEMENTS_MAX || !parse_double(text, &value, &text)) return false;
        out->values[count++] = (float)value;
        row_count++;
        if (*text == ',') {
            text++;
        } else if (*text == ';' || *text == ']') {
            if (columns == 0) columns = row_count;
            if (row_count != columns) return false;
            row_count = 0;
            if (*text++ == ']') break;
            rows++;
        } else {
            return false;
        }
    }
    if (*text) return false;
    out->shape.rank = rows > 1 ? 2 : 1;
    out->shape.dims[0] = (uint16_t)(rows > 1 ? rows : columns);
    out->shape.dims[1] = (uint16_t)columns;
    out->shape.count = count;
    return true;
}

struct tensor_operation_name {
    const char *name;
    uint8_t operation;
    uint8_t inputs;
};

static const struct tensor_operation_name tensor_operations[] = {
    { "matmul", PROTO_TENSOR_MATMUL, 2 }, { "add", PROTO_TENSOR_ADD, 2 },         { "mul", PROTO_TENSOR_MUL, 2 },
    { "relu", PROTO_TENSOR_RELU, 1 },     { "sigmoid", PROTO_TENSOR_SIGMOID, 1 }, { "tanh", PROTO_TENSOR_TANH, 1 },
    { "gelu", PROTO_TENSOR_GELU, 1 },     { "softmax", PROTO_TENSOR_SOFTMAX, 1 },
};

static void print_tensor(struct shell *shell, const struct proto_tensor *t) {
    uint32_t columns = t->rank >= 2 ? t->dims[t->rank - 1] : t->count;
    shell_print(shell, "Result shape [");
    for (unsigned d = 0; d < t->rank; d++) shell_print(shell, d ? "x%u" : "%u", t->dims[d]);
    shell_print(shell, "]:\n");
    for (uint32_t i = 0; i < t->count; i++) {
        shell_print(shell, "%s" TENSOR_PRINT_DECIMALS, i % (columns ? columns : 1) == 0 ? "  " : " ",
                    (double)proto_tensor_element(t, i));
        if (columns && (i + 1) % columns == 0) shell_print(shell, "\n");
    }
    if (columns == 0 || t->count % columns != 0) shell_print(shell, "\n");
}

static void cmd_tensor(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)rest;
    const struct tensor_operation_name *op = 0;
    for (unsigned i = 0; argc >= 2 && i < sizeof(tensor_operations) / sizeof(tensor_operations[0]); i++)
        if (strcmp(argv[1], tensor_operations[i].name) == 0) op = &tensor_operations[i];
    struct tensor_literal literals[PROTO_TENSOR_MAX_INPUTS];
    if (!op || argc != 2 + op->inputs || !parse_tensor(argv[2], &literals[0]) ||
        (op->inputs == 2 && !parse_tensor(argv[3], &literals[1]))) {
        shell_print(shell, "Usage: tensor OP A [B]   e.g. tensor matmul [1,2;3,4] [5;6]\n"
                           "                              tensor relu [-1,2]\n"
                           "  OP: matmul add mul relu sigmoid tanh gelu softmax\n");
        return;
    }
    struct proto_tensor_request request = { .operation = op->operation, .dtype = PROTO_DTYPE_F32,
                                            .input_count = op->inputs };
    const float *elements[PROTO_TENSOR_MAX_INPUTS];
    for (unsigned i = 0; i < op->inputs; i++) {
        request.inputs[i] = literals[i].shape;
        elements[i] = literals[i].values;
    }
    struct agent_job *job = remote_job_new(PROTO_OP_TENSOR_OP);
    if (!job) return;
    job->length = (uint32_t)proto_tensor_request_encode(&request, elements, job->payload, sizeof(job->payload));
    struct proto_tensor_reply reply;
    if (remote_job_run(shell, job)) {
        if (proto_tensor_reply_decode(job->call.reply, job->call.reply_length, &reply) != 0)
            shell_print(shell, "Error BAD_PAYLOAD: the core's TENSOR_OP reply does not parse\n");
        else
            print_tensor(shell, &reply.result);
    }
    remote_job_free(job);
}

const struct shell_command shell_remote_commands[] = {
    { "ping", "ping [TEXT]", "echo through the Konomi core", cmd_ping },
    { "block", "block get|set X Y Z [V]", "read or write a BlockArray cell", cmd_block },
    { "llm", "llm [teach] X Y Z TEXT", "ask (or teach) the FemtoLLM at a block", cmd_llm },
    { "tensor", "tensor OP A [B]", "eVGPU op, e.g. tensor relu [-1,2]", cmd_tensor },
    { "cube", "cube CUBE VERTEX TEXT", "message a cube vertex", cmd_cube },
    { "vote", "vote CUBE A|B QUERY", "the whole cube votes on choices", cmd_vote },
    { "agent", "agent list|start|stop", "BASIC agents: start NAME, stop ID, log ID, autorun", cmd_agent },
    { "xmodem", "xmodem send|receive", "NAME to or from your terminal program (XMODEM)", cmd_xmodem },
    { 0, 0, 0, 0 },
};
