/* XMODEM-CRC / XMODEM-1K, both directions (see xmodem.h for why it is here).
 *
 * A block on the line:  SOH|STX  n  255-n  data[128|1024]  CRC-hi CRC-lo   (or one checksum
 * byte in the original mode). Block numbers start at 1 and wrap at 256. The receiver ACKs a
 * good block, NAKs a bad one, and ACKs again a repeat of the last block (its ACK was lost)
 * without storing it twice. EOT ends the file; CAN CAN ends the transfer. */
#include "xfer/xmodem.h"

#include "lib/string.h"

#define CANCEL_COUNT 2u
#define PURGE_QUIET_MS 200u
#define CRC_POLY 0x1021u

uint16_t xmodem_crc16(const uint8_t *data, size_t length) {
    uint16_t crc = 0;
    for (size_t i = 0; i < length; i++) {
        crc = (uint16_t)(crc ^ ((uint16_t)data[i] << 8));
        for (unsigned bit = 0; bit < 8; bit++) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ CRC_POLY) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

static uint8_t checksum8(const uint8_t *data, size_t length) {
    uint8_t sum = 0;
    for (size_t i = 0; i < length; i++) sum = (uint8_t)(sum + data[i]);
    return sum;
}

static void put_byte(const struct xmodem_port *port, uint8_t byte) { port->write(port->context, &byte, 1); }

/* Drops what is still arriving (the rest of a bad block) until the line is quiet, so the
 * NAK that follows is answered by a clean resend rather than read amid garbage. */
static bool purge(const struct xmodem_port *port) {
    for (;;) {
        int c = port->read(port->context, PURGE_QUIET_MS);
        if (c == XMODEM_READ_TIMEOUT) return true;
        if (c == XMODEM_READ_HANGUP) return false;
    }
}

void xmodem_cancel(const struct xmodem_port *port) {
    static const uint8_t cancel[] = { XMODEM_CAN, XMODEM_CAN, XMODEM_CAN, XMODEM_CAN, XMODEM_CAN };
    purge(port);
    port->write(port->context, cancel, sizeof(cancel));
}

const char *xmodem_result_text(enum xmodem_result result) {
    switch (result) {
    case XMODEM_OK: return "done";
    case XMODEM_NO_START: return "the other side never started";
    case XMODEM_CANCELLED: return "cancelled by the other side";
    case XMODEM_TOO_MANY_ERRORS: return "too many errors";
    case XMODEM_HANGUP: return "carrier lost";
    case XMODEM_TOO_LARGE: return "file too large";
    }
    return "failed";
}

/* ---- receive ------------------------------------------------------------------------ */

enum block_outcome { BLOCK_GOOD, BLOCK_BAD, BLOCK_HANGUP };

/* Reads the rest of a block after its SOH/STX: number, complement, data, check. */
static enum block_outcome read_block(const struct xmodem_port *port, uint8_t *block, size_t size, bool crc,
                                     uint8_t *number) {
    int n = port->read(port->context, XMODEM_BYTE_TIMEOUT_MS);
    int complement = n < 0 ? n : port->read(port->context, XMODEM_BYTE_TIMEOUT_MS);
    if (n == XMODEM_READ_HANGUP || complement == XMODEM_READ_HANGUP) return BLOCK_HANGUP;
    if (n < 0 || complement < 0) return BLOCK_BAD;
    for (size_t i = 0; i < size; i++) {
        int c = port->read(port->context, XMODEM_BYTE_TIMEOUT_MS);
        if (c == XMODEM_READ_HANGUP) return BLOCK_HANGUP;
        if (c < 0) return BLOCK_BAD;
        block[i] = (uint8_t)c;
    }
    uint8_t check[2];
    for (unsigned i = 0; i < (crc ? 2u : 1u); i++) {
        int c = port->read(port->context, XMODEM_BYTE_TIMEOUT_MS);
        if (c == XMODEM_READ_HANGUP) return BLOCK_HANGUP;
        if (c < 0) return BLOCK_BAD;
        check[i] = (uint8_t)c;
    }
    if ((uint8_t)(n ^ complement) != 0xFFu) return BLOCK_BAD;
    if (crc) {
        uint16_t expected = xmodem_crc16(block, size);
        if (check[0] != (uint8_t)(expected >> 8) || check[1] != (uint8_t)expected) return BLOCK_BAD;
    } else if (check[0] != checksum8(block, size)) {
        return BLOCK_BAD;
    }
    *number = (uint8_t)n;
    return BLOCK_GOOD;
}

enum xmodem_result xmodem_receive(const struct xmodem_port *port, uint8_t *buffer, size_t capacity, size_t *length,
                                  struct xmodem_stats *stats) {
    uint8_t block[XMODEM_BLOCK_1K];
    struct xmodem_stats s = { 0, 0, true, false };
    size_t received = 0;
    size_t last_block_size = 0;
    uint8_t expected = 1;
    unsigned errors = 0;
    unsigned cancels = 0;
    bool started = false;
    unsigned start_tries = 0;
    enum xmodem_result result = XMODEM_OK;

    put_byte(port, XMODEM_CRC_REQUEST);
    for (;;) {
        int c = port->read(port->context, started ? XMODEM_ACK_TIMEOUT_MS : XMODEM_START_INTERVAL_MS);
        if (c == XMODEM_READ_HANGUP) { result = XMODEM_HANGUP; break; }
        if (c == XMODEM_READ_TIMEOUT) {
            if (!started) {
                if (++start_tries >= XMODEM_START_TRIES) { result = XMODEM_NO_START; break; }
                put_byte(port, XMODEM_CRC_REQUEST);
                continue;
            }
            s.retries++;
            if (++errors >= XMODEM_RETRIES) { result = XMODEM_TOO_MANY_ERRORS; break; }
            put_byte(port, XMODEM_NAK);
            continue;
        }
        if (c == XMODEM_CAN) {
            if (++cancels >= CANCEL_COUNT) { result = XMODEM_CANCELLED; break; }
            continue;
        }
        cancels = 0;
        if (c == XMODEM_EOT) {
            put_byte(port, XMODEM_ACK);
            break;
        }
        if (c != XMODEM_SOH && c != XMODEM_STX) {
            continue; /* line noise between blocks (or a terminal's leftovers before the start) */
        }
        size_t size = c == XMODEM_STX ? XMODEM_BLOCK_1K : XMODEM_BLOCK;
        uint8_t number = 0;
        enum block_outcome outcome = read_block(port, block, size, true, &number);
        if (outcome == BLOCK_HANGUP) { result = XMODEM_HANGUP; break; }
        if (outcome == BLOCK_GOOD && number == (uint8_t)(expected - 1u) && started) {
            s.retries++; /* our ACK was lost: the sender repeats the last block */
            put_byte(port, XMODEM_ACK);
            continue;
        }
        if (outcome == BLOCK_BAD || number != expected) {
            s.retries++;
            if (++errors >= XMODEM_RETRIES) { result = XMODEM_TOO_MANY_ERRORS; break; }
            if (!purge(port)) { result = XMODEM_HANGUP; break; }
            put_byte(port, XMODEM_NAK);
            continue;
        }
        if (received + size > capacity) { result = XMODEM_TOO_LARGE; break; }
        memcpy(buffer + received, block, size);
        received += size;
        last_block_size = size;
        started = true;
        errors = 0;
        expected++;
        s.blocks++;
        if (size == XMODEM_BLOCK_1K) s.one_k = true;
        put_byte(port, XMODEM_ACK);
    }
    if (result == XMODEM_TOO_MANY_ERRORS || result == XMODEM_TOO_LARGE) xmodem_cancel(port);
    /* Only the last block is padded; SUBs inside earlier blocks are data. */
    size_t floor = received - last_block_size;
    while (received > floor && buffer[received - 1] == XMODEM_SUB) received--;
    *length = result == XMODEM_OK ? received : 0;
    if (stats) *stats = s;
    return result;
}

/* ---- send --------------------------------------------------------------------------- */

/* Waits for the receiver's start: 'C' asks for CRC, NAK for the checksum. */
static enum xmodem_result await_start(const struct xmodem_port *port, bool *crc) {
    unsigned cancels = 0;
    for (unsigned waited = 0; waited < XMODEM_START_TRIES; waited++) {
        int c = port->read(port->context, XMODEM_START_INTERVAL_MS);
        if (c == XMODEM_READ_HANGUP) return XMODEM_HANGUP;
        if (c == XMODEM_CRC_REQUEST) return *crc = true, XMODEM_OK;
        if (c == XMODEM_NAK) return *crc = false, XMODEM_OK;
        if (c == XMODEM_CAN && ++cancels >= CANCEL_COUNT) return XMODEM_CANCELLED;
    }
    return XMODEM_NO_START;
}

/* Waits for the answer to what was just sent: ACK, NAK (or noise/timeout: resend), CAN CAN. */
static int await_answer(const struct xmodem_port *port) {
    unsigned cancels = 0;
    for (;;) {
        int c = port->read(port->context, XMODEM_ACK_TIMEOUT_MS);
        if (c == XMODEM_READ_HANGUP || c == XMODEM_READ_TIMEOUT || c == XMODEM_ACK || c == XMODEM_NAK) return c;
        if (c == XMODEM_CAN) {
            if (++cancels >= CANCEL_COUNT) return XMODEM_CAN;
            continue;
        }
        /* A receiver that started in CRC mode repeats 'C' until our first block lands; anything
         * else is noise. Either way it is no answer yet. */
    }
}

/* Sends a block (or the EOT) until the receiver ACKs it: NAK, noise or silence resend it,
 * XMODEM_RETRIES failures in a row give up, CAN CAN or a hang-up end at once. */
static enum xmodem_result deliver(const struct xmodem_port *port, const uint8_t *bytes, size_t length, uint32_t *retries) {
    for (unsigned errors = 0;;) {
        port->write(port->context, bytes, length);
        int answer = await_answer(port);
        if (answer == XMODEM_ACK) return XMODEM_OK;
        if (answer == XMODEM_READ_HANGUP) return XMODEM_HANGUP;
        if (answer == XMODEM_CAN) return XMODEM_CANCELLED;
        (*retries)++;
        if (++errors >= XMODEM_RETRIES) return XMODEM_TOO_MANY_ERRORS;
    }
}

enum xmodem_result xmodem_send(const struct xmodem_port *port, const uint8_t *data, size_t length,
                               struct xmodem_stats *stats) {
    uint8_t frame[3 + XMODEM_BLOCK_1K + 2];
    struct xmodem_stats s = { 0, 0, false, false };
    bool crc = false;
    enum xmodem_result result = await_start(port, &crc);
    s.crc = crc;
    size_t offset = 0;
    uint8_t number = 1;
    while (result == XMODEM_OK && offset < length) {
        size_t left = length - offset;
        size_t size = crc && left >= XMODEM_BLOCK_1K ? XMODEM_BLOCK_1K : XMODEM_BLOCK;
        size_t take = left < size ? left : size;
        frame[0] = size == XMODEM_BLOCK_1K ? XMODEM_STX : XMODEM_SOH;
        frame[1] = number;
        frame[2] = (uint8_t)(0xFFu - number);
        memcpy(frame + 3, data + offset, take);
        memset(frame + 3 + take, XMODEM_SUB, size - take);
        size_t frame_length = 3 + size;
        if (crc) {
            uint16_t check = xmodem_crc16(frame + 3, size);
            frame[frame_length++] = (uint8_t)(check >> 8);
            frame[frame_length++] = (uint8_t)check;
        } else {
            frame[frame_length++] = checksum8(frame + 3, size);
        }
        result = deliver(port, frame, frame_length, &s.retries);
        if (result != XMODEM_OK) break;
        if (size == XMODEM_BLOCK_1K) s.one_k = true;
        s.blocks++;
        number++;
        offset += take;
    }
    if (result == XMODEM_OK) {
        static const uint8_t eot = XMODEM_EOT;
        result = deliver(port, &eot, 1, &s.retries);
    }
    if (result == XMODEM_TOO_MANY_ERRORS) xmodem_cancel(port);
    if (stats) *stats = s;
    return result;
}
