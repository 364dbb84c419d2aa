/* SAVE "name", LOAD "name", FILES and KILL "name": programs kept in the bridge's program
 * store (docs/PROTOCOL.md, PROGRAM 0x15), not on a disk XP10 does not have. Each is one
 * PROGRAM request through the host's core_call, the same seam as the core built-ins
 * (core.c), so a saved program survives a reboot of XP10 and every XP10 on the bridge sees
 * it. SAVE sends the program as LIST shows it; LOAD replaces the program with the lines of
 * the text, only once the text has arrived (a LOAD that fails keeps the program). Buffers
 * come from the instance's budget for the length of the command: a program that does not
 * fit is ?OUT OF MEMORY, never a partial load. */
#include "basic/internal.h"

#include "lib/string.h"
#include "proto/payload.h"

#define NAME_HEADER_MAX (2u + PROTO_PROGRAM_NAME_MAX)
#define LIST_REPLY_MAX (2u + PROTO_PROGRAM_LIST_MAX * (1u + PROTO_PROGRAM_NAME_MAX + 8u))
#define REPLY_MIN 256u

static const char *skip_spaces(const char *p) {
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* "name" (the closing quote may be left off, as people remember) or a bare name; false
 * (?BAD FILE NAME) when it is missing or no program name. */
static bool parse_name(struct basic *b, const char *p, struct proto_text *name) {
    p = skip_spaces(p);
    bool quoted = *p == '"';
    if (quoted) p++;
    const char *start = p;
    while (*p && *p != '"' && (quoted || (*p != ' ' && *p != '\t'))) p++;
    name->bytes = (const uint8_t *)start;
    name->length = (uint32_t)(p - start);
    if (quoted && *p == '"') p++;
    if (*skip_spaces(p) != '\0') {
        bas_fail(b, BAS_ERR_SYNTAX);
        return false;
    }
    if (!proto_program_name_valid(name->bytes, name->length)) {
        bas_fail(b, BAS_ERR_BAD_FILE_NAME);
        return false;
    }
    return true;
}

/* A reply buffer of up to `wanted` bytes that leaves half of what is free for the rest of
 * the command (LOAD's lines): its size in *capacity, or NULL (?OUT OF MEMORY). */
static uint8_t *reply_buffer(struct basic *b, uint32_t wanted, uint32_t *capacity) {
    uint32_t free_bytes = b->memory.budget > b->memory.used ? b->memory.budget - b->memory.used : 0;
    uint32_t size = wanted < free_bytes / 2 ? wanted : free_bytes / 2;
    if (size < REPLY_MIN) {
        bas_fail(b, BAS_ERR_OUT_OF_MEMORY);
        return 0;
    }
    *capacity = size;
    return bas_alloc(b, size);
}

/* One PROGRAM request: the reply length, or -1 with the error set (NOT_FOUND is ?FILE NOT FOUND). */
static int32_t program_call(struct basic *b, const uint8_t *payload, uint32_t length, uint8_t *reply,
                            uint32_t capacity) {
    int32_t n = bas_core_call(b, PROTO_OP_PROGRAM, payload, length, reply, capacity);
    if (n < 0 && b->error == BAS_ERR_LINE_FAILED && b->core_error == PROTO_ERR_NOT_FOUND) {
        b->error = BAS_OK;
        bas_fail(b, BAS_ERR_FILE_NOT_FOUND);
    }
    return n;
}

/* The program as LIST shows it, one LF-ended line each: written to `out` when it is not NULL;
 * returns its length either way (so a caller can size the buffer first). */
uint32_t bas_program_listing(const struct basic *b, uint8_t *out) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->line_count; i++) {
        char number[16];
        uint32_t digits = (uint32_t)bas_number_format(b->lines[i]->number, number);
        if (out) {
            memcpy(out + n, number, digits);
            out[n + digits] = ' ';
            memcpy(out + n + digits + 1u, b->lines[i]->data, b->lines[i]->text_length);
            out[n + digits + 1u + b->lines[i]->text_length] = '\n';
        }
        n += digits + 1u + b->lines[i]->text_length + 1u;
    }
    return n;
}

static void save(struct basic *b, const struct proto_text *name) {
    uint32_t text_length = bas_program_listing(b, 0);
    if (text_length > PROTO_PROGRAM_TEXT_MAX) {
        b->core_error = PROTO_ERR_TOO_LARGE;
        bas_fail(b, BAS_ERR_LINE_FAILED);
        return;
    }
    uint8_t *payload = bas_alloc(b, NAME_HEADER_MAX + text_length);
    if (!payload) return;
    struct proto_program_request request = { PROTO_PROGRAM_SAVE, *name, { 0, 0 }, 0 };
    /* The header (operation, name), then the text written straight after it: no second copy. */
    uint32_t n = (uint32_t)proto_program_request_encode(&request, payload, NAME_HEADER_MAX);
    n += bas_program_listing(b, payload + n);
    uint8_t reply[16];
    int32_t got = program_call(b, payload, n, reply, sizeof(reply));
    if (got > 0) {
        b->core_error = PROTO_ERR_BAD_PAYLOAD;
        bas_fail(b, BAS_ERR_LINE_FAILED);
    }
    bas_free(b, payload);
}

/* Stores the numbered lines of `text` (LF or CRLF line ends) into an empty program: LOAD's
 * file, and an agent's listing (basic_enter_program). */
void bas_program_from_text(struct basic *b, const char *text, uint32_t length) {
    char line[BASIC_LINE_MAX + 1];
    uint32_t at = 0;
    while (at < length && !b->error) {
        uint32_t end = at;
        while (end < length && text[end] != '\n') end++;
        uint32_t n = end - at;
        if (n && text[at + n - 1] == '\r') n--;
        const char *p = text + at;
        at = end + 1;
        while (n && (*p == ' ' || *p == '\t')) p++, n--;
        if (n == 0) continue;
        if (n > BASIC_LINE_MAX) return bas_fail(b, BAS_ERR_LINE_BUFFER_OVERFLOW);
        memcpy(line, p, n);
        line[n] = '\0';
        uint32_t number = 0, digits = 0;
        while (line[digits] >= '0' && line[digits] <= '9' && number <= BAS_LINE_NUMBER_MAX)
            number = number * 10 + (uint32_t)(line[digits++] - '0');
        if (digits == 0 || number > BAS_LINE_NUMBER_MAX) return bas_fail(b, BAS_ERR_DIRECT_IN_FILE);
        const char *rest = skip_spaces(line + digits);
        if (*rest && !bas_program_store(b, number, rest)) return bas_fail(b, BAS_ERR_OUT_OF_MEMORY);
    }
}

static void load(struct basic *b, const struct proto_text *name) {
    uint8_t request_bytes[NAME_HEADER_MAX];
    struct proto_program_request request = { PROTO_PROGRAM_LOAD, *name, { 0, 0 }, 0 };
    uint32_t length = (uint32_t)proto_program_request_encode(&request, request_bytes, sizeof(request_bytes));
    uint32_t capacity;
    uint8_t *reply = reply_buffer(b, PROTO_PROGRAM_TEXT_MAX + 1u, &capacity);
    if (!reply) return;
    int32_t n = program_call(b, request_bytes, length, reply, capacity);
    if (n >= 0 && (uint32_t)n >= capacity) {
        /* A full buffer may have been cut: the program is larger than what is free. */
        if (capacity > PROTO_PROGRAM_TEXT_MAX) b->core_error = PROTO_ERR_BAD_PAYLOAD, bas_fail(b, BAS_ERR_LINE_FAILED);
        else bas_fail(b, BAS_ERR_OUT_OF_MEMORY);
    } else if (n >= 0) {
        bas_program_new(b);
        bas_program_from_text(b, (const char *)reply, (uint32_t)n);
    }
    bas_free(b, reply);
}

static void print_entry(struct basic *b, const struct proto_program_entry *entry) {
    char text[PROTO_PROGRAM_NAME_MAX + 40];
    uint32_t n = 0;
    memcpy(text, entry->name.bytes, entry->name.length);
    n = entry->name.length;
    while (n < PROTO_PROGRAM_NAME_MAX + 1u) text[n++] = ' ';
    char size[16];
    size_t digits = bas_number_format((double)entry->size, size);
    for (size_t pad = digits; pad < 6; pad++) text[n++] = ' ';
    memcpy(text + n, size, digits);
    n += (uint32_t)digits;
    memcpy(text + n, " bytes\n", 8);
    bas_print(b, text);
}

static void files(struct basic *b) {
    struct proto_program_request request = { PROTO_PROGRAM_LIST, { 0, 0 }, { 0, 0 }, 0 };
    uint8_t request_bytes[4];
    uint32_t length = (uint32_t)proto_program_request_encode(&request, request_bytes, sizeof(request_bytes));
    uint32_t capacity;
    uint8_t *reply = reply_buffer(b, LIST_REPLY_MAX, &capacity);
    if (!reply) return;
    int32_t n = program_call(b, request_bytes, length, reply, capacity);
    struct proto_program_list list;
    if (n >= 0 && proto_program_list_decode(reply, (size_t)n, &list) != 0) {
        b->core_error = PROTO_ERR_BAD_PAYLOAD;
        bas_fail(b, BAS_ERR_LINE_FAILED);
    } else if (n >= 0) {
        uint32_t offset = 0;
        for (uint32_t i = 0; i < list.count; i++) {
            struct proto_program_entry entry;
            proto_program_list_next(&list, &offset, &entry);
            print_entry(b, &entry);
            if (b->host->step && b->host->step(b->host->context)) break;
        }
        char count[16];
        bas_number_format((double)list.count, count);
        bas_print(b, count);
        bas_print(b, list.count == 1 ? " program\n" : " programs\n");
    }
    bas_free(b, reply);
}

static void kill(struct basic *b, const struct proto_text *name) {
    uint8_t request_bytes[NAME_HEADER_MAX];
    struct proto_program_request request = { PROTO_PROGRAM_DELETE, *name, { 0, 0 }, 0 };
    uint32_t length = (uint32_t)proto_program_request_encode(&request, request_bytes, sizeof(request_bytes));
    uint8_t reply[16];
    if (program_call(b, request_bytes, length, reply, sizeof(reply)) > 0) {
        b->core_error = PROTO_ERR_BAD_PAYLOAD;
        bas_fail(b, BAS_ERR_LINE_FAILED);
    }
}

void bas_files_command(struct basic *b, enum bas_keyword command, const char *rest) {
    struct proto_text name;
    if (command == KW_FILES) {
        if (*skip_spaces(rest)) bas_fail(b, BAS_ERR_SYNTAX);
        else files(b);
        return;
    }
    if (!parse_name(b, rest, &name)) return;
    switch (command) {
    case KW_SAVE: save(b, &name); break;
    case KW_LOAD: load(b, &name); break;
    case KW_KILL: kill(b, &name); break;
    default: bas_fail(b, BAS_ERR_SYNTAX); break;
    }
}
