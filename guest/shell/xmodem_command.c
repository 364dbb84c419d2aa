/* `xmodem receive NAME` and `xmodem send NAME`: file transfer with the caller's terminal
 * program over the COM2 line (the protocol is xfer/xmodem.c). Files are programs in the
 * bridge's program store (docs/PROTOCOL.md PROGRAM 0x15), so an uploaded BASIC program can be
 * LOADed and RUN, and a SAVEd one downloaded. A file is kept whole in memory during the
 * transfer (up to the store's 1 MiB) and reaches the store only after the transfer succeeded:
 * a failed or cancelled upload leaves nothing half-saved. One message carries at most 64 KiB,
 * so a larger file is saved as SAVE + APPENDs and read back with READs. */
#include "lib/string.h"
#include "mm/heap.h"
#include "drivers/pit.h"
#include "proto/payload.h"
#include "shell/remote_job.h"
#include "shell/shell.h"
#include "shell/xmodem_command.h"
#include "xfer/xmodem.h"

/* SAVE/APPEND pieces stay under one message's text limit with room for the name header. */
#define STORE_PIECE (PROTO_PROGRAM_TEXT_MAX - 1024u)
/* Room past the store's limit for the padding of the last 1K block. */
#define RECEIVE_SLACK XMODEM_BLOCK_1K
/* After a transfer the terminal program may still be finishing; let the line go quiet before
 * the next prompt so it does not land inside the sender's last retries. */
#define SETTLE_MS 500u

static int line_read(void *context, uint32_t timeout_ms) {
    struct shell *shell = context;
    uint32_t started = pit_millis();
    for (;;) {
        if (shell_hung_up(shell)) return XMODEM_READ_HANGUP;
        int c = shell_read_char(shell);
        if (c >= 0) return c;
        uint32_t waited = pit_millis() - started;
        if (waited >= timeout_ms) return XMODEM_READ_TIMEOUT;
        shell->console->wait_input(timeout_ms - waited);
    }
}

static void line_write(void *context, const uint8_t *data, size_t length) {
    struct shell *shell = context;
    shell->console->write_bytes(data, length);
}

static void settle(const struct xmodem_port *port) {
    while (port->read(port->context, SETTLE_MS) >= 0) {
    }
}

/* Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF), as the store requires. */
static bool utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t extra;
        uint32_t min;
        if (c < 0x80u) { i++; continue; }
        if ((c & 0xE0u) == 0xC0u) extra = 1, min = 0x80u;
        else if ((c & 0xF0u) == 0xE0u) extra = 2, min = 0x800u;
        else if ((c & 0xF8u) == 0xF0u) extra = 3, min = 0x10000u;
        else return false;
        if (i + extra >= n) return false;
        uint32_t cp = c & (0x3Fu >> extra);
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xC0u) != 0x80u) return false;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu)) return false;
        i += extra + 1;
    }
    return true;
}

/* One PROGRAM request; the reply stays in job->call (free the job after reading it). */
static struct agent_job *store_call(struct shell *shell, const struct proto_program_request *request,
                                    uint8_t *scratch, size_t capacity) {
    struct agent_job *job = remote_job_new(PROTO_OP_PROGRAM);
    if (!job) {
        shell_print(shell, "?OUT OF MEMORY\n");
        return 0;
    }
    size_t length = proto_program_request_encode(request, scratch, capacity);
    job->large_payload = scratch;
    job->length = (uint32_t)length;
    if (length == 0 || !remote_job_run(shell, job)) {
        remote_job_free(job);
        return 0;
    }
    return job;
}

static bool save(struct shell *shell, struct proto_text name, const uint8_t *data, size_t length) {
    uint8_t *scratch = kmalloc(2u + PROTO_PROGRAM_NAME_MAX + STORE_PIECE);
    if (!scratch) {
        shell_print(shell, "?OUT OF MEMORY\n");
        return false;
    }
    size_t offset = 0;
    bool ok = true;
    do {
        size_t piece = proto_utf8_prefix(data + offset, length - offset, STORE_PIECE);
        struct proto_program_request request = {
            offset == 0 ? PROTO_PROGRAM_SAVE : PROTO_PROGRAM_APPEND, name, { data + offset, (uint32_t)piece }, 0
        };
        struct agent_job *job = store_call(shell, &request, scratch, 2u + PROTO_PROGRAM_NAME_MAX + STORE_PIECE);
        if (!job) { ok = false; break; }
        remote_job_free(job);
        offset += piece;
    } while (offset < length);
    if (!ok && offset > 0) {
        /* Do not leave the first pieces behind as if they were the file. */
        struct proto_program_request remove = { PROTO_PROGRAM_DELETE, name, { 0, 0 }, 0 };
        struct agent_job *job = store_call(shell, &remove, scratch, 2u + PROTO_PROGRAM_NAME_MAX + STORE_PIECE);
        if (job) remote_job_free(job);
    }
    kfree(scratch);
    return ok;
}

/* Reads a whole program with READs; the caller frees *data. */
static bool load(struct shell *shell, struct proto_text name, uint8_t **data, size_t *length) {
    uint8_t scratch[2u + PROTO_PROGRAM_NAME_MAX + 4u];
    uint8_t *buffer = 0;
    size_t size = 0, offset = 0;
    for (;;) {
        struct proto_program_request request = { PROTO_PROGRAM_READ, name, { 0, 0 }, (uint32_t)offset };
        struct agent_job *job = store_call(shell, &request, scratch, sizeof(scratch));
        if (!job) break;
        struct proto_program_piece piece;
        bool fits = proto_program_piece_decode(job->call.reply, job->call.reply_length, &piece) == 0 &&
                    piece.size <= PROTO_PROGRAM_SIZE_MAX && (offset == 0 || piece.size == size) &&
                    offset + piece.text.length <= piece.size;
        if (fits && offset == 0) {
            size = piece.size;
            buffer = kmalloc(size ? size : 1u);
            if (!buffer) shell_print(shell, "?OUT OF MEMORY\n");
        }
        if (!fits) shell_print(shell, "?the store's reply does not fit the file\n");
        if (fits && buffer) memcpy(buffer + offset, piece.text.bytes, piece.text.length);
        bool progress = piece.text.length > 0;
        offset += fits ? piece.text.length : 0;
        remote_job_free(job);
        if (!fits || !buffer) break;
        if (offset == size) {
            *data = buffer, *length = size;
            return true;
        }
        if (!progress) break;
    }
    kfree(buffer);
    return false;
}

static void print_stats(struct shell *shell, const struct xmodem_stats *stats) {
    shell_print(shell, "%u blocks (%s%s), %u retries", stats->blocks, stats->crc ? "CRC" : "checksum",
                stats->one_k ? ", 1K" : "", stats->retries);
}

static void receive_file(struct shell *shell, const struct xmodem_port *port, struct proto_text name) {
    uint8_t *buffer = kmalloc(PROTO_PROGRAM_SIZE_MAX + RECEIVE_SLACK);
    if (!buffer) {
        shell_print(shell, "?OUT OF MEMORY\n");
        return;
    }
    shell_print(shell, "Receiving %s by XMODEM (CRC, 128 or 1K blocks). Start your sender now;"
                       " Ctrl-X Ctrl-X cancels.\n", (const char *)name.bytes);
    size_t length = 0;
    struct xmodem_stats stats;
    enum xmodem_result result = xmodem_receive(port, buffer, PROTO_PROGRAM_SIZE_MAX + RECEIVE_SLACK, &length, &stats);
    if (result == XMODEM_HANGUP) {
        kfree(buffer);
        return;
    }
    settle(port);
    if (result == XMODEM_OK && length > PROTO_PROGRAM_SIZE_MAX) result = XMODEM_TOO_LARGE;
    if (result != XMODEM_OK) {
        shell_print(shell, "\nTransfer failed: %s. Nothing was saved.\n", xmodem_result_text(result));
    } else if (!utf8_valid(buffer, length)) {
        shell_print(shell, "\nReceived %u bytes, but they are not UTF-8 text: the program store keeps text."
                           " Nothing was saved.\n", (unsigned)length);
    } else if (save(shell, name, buffer, length)) {
        shell_print(shell, "\nSaved %s: %u bytes, ", (const char *)name.bytes, (unsigned)length);
        print_stats(shell, &stats);
        shell_print(shell, ".\n");
    }
    kfree(buffer);
}

static void send_file(struct shell *shell, const struct xmodem_port *port, struct proto_text name) {
    uint8_t *data = 0;
    size_t length = 0;
    if (!load(shell, name, &data, &length)) return;
    shell_print(shell, "Sending %s (%u bytes) by XMODEM. Start your receiver now; Ctrl-X Ctrl-X cancels.\n",
                (const char *)name.bytes, (unsigned)length);
    struct xmodem_stats stats;
    enum xmodem_result result = xmodem_send(port, data, length, &stats);
    kfree(data);
    if (result == XMODEM_HANGUP) return;
    settle(port);
    if (result != XMODEM_OK) {
        shell_print(shell, "\nTransfer failed: %s.\n", xmodem_result_text(result));
        return;
    }
    shell_print(shell, "\nSent %s: %u bytes, ", (const char *)name.bytes, (unsigned)length);
    print_stats(shell, &stats);
    shell_print(shell, ".\n");
}

void cmd_xmodem(struct shell *shell, int argc, char **argv, const char *rest) {
    (void)rest;
    bool receiving = argc == 3 && strcmp(argv[1], "receive") == 0;
    bool sending = argc == 3 && strcmp(argv[1], "send") == 0;
    if (!receiving && !sending) {
        shell_print(shell, "Usage: xmodem receive NAME | xmodem send NAME\n");
        return;
    }
    /* argv[2] is NUL-terminated, so name.bytes prints with %s. */
    struct proto_text name = { (const uint8_t *)argv[2], (uint32_t)strlen(argv[2]) };
    if (!proto_program_name_valid(name.bytes, name.length)) {
        shell_print(shell, "A name is 1..32 of A-Z 0-9 _ -.\n");
        return;
    }
    if (!shell->console->write_bytes) {
        shell_print(shell, "xmodem needs a terminal program on a line: dial in to use it.\n");
        return;
    }
    struct xmodem_port port = { shell, line_read, line_write };
    if (receiving) receive_file(shell, &port, name);
    else send_file(shell, &port, name);
}
