/* XMODEM both ways against scripted peers written from the protocol's description (not from
 * xfer/xmodem.c), over a line that can corrupt chosen blocks or lose ACKs. Time is simulated:
 * a read with nothing queued lets the peer act, then times out at once. */
#include <stdlib.h>
#include <string.h>

#include "test/check.h"
#include "xfer/xmodem.h"

#define QUEUE_MAX 4096
#define FILE_MAX 200000

struct peer {
    /* bytes travelling to the engine */
    uint8_t queue[QUEUE_MAX];
    size_t head, count;
    /* what the peer sends or received */
    const uint8_t *file;
    size_t file_length;
    uint8_t got[FILE_MAX + 2048];
    size_t got_length;
    /* sender peer */
    bool one_k;
    size_t offset;       /* of the block being offered */
    uint8_t number;
    bool eot_sent, finished;
    /* receiver peer */
    bool checksum_mode;
    uint8_t inbox[3 + 1024 + 2];
    size_t inbox_length;
    uint8_t expected;
    bool start_sent;
    /* faults */
    unsigned corrupt_block;   /* 1-based block whose first `corrupt_times` sends are damaged */
    unsigned corrupt_times;
    unsigned corrupted;
    unsigned lose_ack_block;  /* the receiver peer's ACK of this block is lost once */
    bool ack_lost;
    bool silent;              /* never answers */
    unsigned cans_seen;
    unsigned naks_seen;
};

static void enqueue(struct peer *p, const uint8_t *bytes, size_t n) {
    for (size_t i = 0; i < n && p->count < QUEUE_MAX; i++) p->queue[(p->head + p->count++) % QUEUE_MAX] = bytes[i];
}

static void enqueue_byte(struct peer *p, uint8_t b) { enqueue(p, &b, 1); }

static uint16_t ref_crc(const uint8_t *data, size_t n) {
    /* CRC-16/XMODEM, bit by bit from its definition: polynomial x^16+x^12+x^5+1, init 0. */
    uint32_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        for (int bit = 7; bit >= 0; bit--) {
            uint32_t in = (data[i] >> bit) & 1u;
            uint32_t top = (crc >> 15) & 1u;
            crc = (crc << 1) & 0xFFFFu;
            if (top ^ in) crc ^= 0x1021u;
        }
    }
    return (uint16_t)crc;
}

/* ---- a sender peer (tests xmodem_receive) ---- */

static void sender_offer(struct peer *p) {
    if (p->offset >= p->file_length) {
        enqueue_byte(p, XMODEM_EOT);
        p->eot_sent = true;
        return;
    }
    size_t size = p->one_k && p->file_length - p->offset >= 1024 ? 1024 : 128;
    uint8_t block[3 + 1024 + 2];
    block[0] = size == 1024 ? XMODEM_STX : XMODEM_SOH;
    block[1] = p->number;
    block[2] = (uint8_t)~p->number;
    for (size_t i = 0; i < size; i++) {
        size_t at = p->offset + i;
        block[3 + i] = at < p->file_length ? p->file[at] : XMODEM_SUB;
    }
    uint16_t crc = ref_crc(block + 3, size);
    block[3 + size] = (uint8_t)(crc >> 8);
    block[4 + size] = (uint8_t)crc;
    unsigned index = (unsigned)p->number; /* blocks in these tests stay under 256 when faults are used */
    if (index == p->corrupt_block && p->corrupted < p->corrupt_times) {
        p->corrupted++;
        block[3 + size / 2] ^= 0x20;
    }
    enqueue(p, block, 5 + size);
}

static void sender_on_bytes(struct peer *p, const uint8_t *data, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint8_t b = data[i];
        if (b == XMODEM_CAN) p->cans_seen++;
        if (p->finished) continue;
        if (b == 'C' && p->offset == 0 && p->number == 1) {
            sender_offer(p);
        } else if (b == XMODEM_NAK) {
            p->naks_seen++;
            sender_offer(p);
        } else if (b == XMODEM_ACK) {
            if (p->eot_sent) {
                p->finished = true;
                continue;
            }
            size_t size = p->one_k && p->file_length - p->offset >= 1024 ? 1024 : 128;
            p->offset += size;
            p->number++;
            sender_offer(p);
        }
    }
}

/* ---- a receiver peer (tests xmodem_send) ---- */

static void receiver_on_bytes(struct peer *p, const uint8_t *data, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint8_t b = data[i];
        if (b == XMODEM_CAN) p->cans_seen++;
        if (p->finished) continue;
        if (p->inbox_length == 0) {
            if (b == XMODEM_EOT) {
                enqueue_byte(p, XMODEM_ACK);
                p->finished = true;
                continue;
            }
            if (b != XMODEM_SOH && b != XMODEM_STX) continue;
        }
        p->inbox[p->inbox_length++] = b;
        size_t size = p->inbox[0] == XMODEM_STX ? 1024 : 128;
        size_t total = 3 + size + (p->checksum_mode ? 1 : 2);
        if (p->inbox_length < total) continue;
        p->inbox_length = 0;
        uint8_t *payload = p->inbox + 3;
        bool damaged = false;
        if (p->inbox[1] == p->expected && p->expected == p->corrupt_block && p->corrupted < p->corrupt_times) {
            p->corrupted++;
            damaged = true;
        }
        bool good = (uint8_t)(p->inbox[1] + p->inbox[2]) == 0xFF && !damaged;
        if (p->checksum_mode) {
            uint8_t sum = 0;
            for (size_t k = 0; k < size; k++) sum = (uint8_t)(sum + payload[k]);
            good = good && sum == payload[size];
        } else {
            uint16_t crc = ref_crc(payload, size);
            good = good && payload[size] == (uint8_t)(crc >> 8) && payload[size + 1] == (uint8_t)crc;
        }
        if (!good) {
            enqueue_byte(p, XMODEM_NAK);
            continue;
        }
        if (p->inbox[1] == p->expected) {
            memcpy(p->got + p->got_length, payload, size);
            p->got_length += size;
            p->expected++;
        }
        if (p->inbox[1] == p->lose_ack_block && !p->ack_lost) {
            p->ack_lost = true; /* the ACK vanished on the line: the sender times out and resends */
            continue;
        }
        enqueue_byte(p, XMODEM_ACK);
    }
}

/* ---- the line ---- */

struct line {
    struct peer *peer;
    bool engine_receives; /* peer is the sender */
    unsigned timeouts;
};

static int line_read(void *context, uint32_t timeout_ms) {
    (void)timeout_ms;
    struct line *l = context;
    struct peer *p = l->peer;
    if (p->count == 0 && !l->engine_receives && !p->start_sent && !p->silent) {
        enqueue_byte(p, p->checksum_mode ? XMODEM_NAK : 'C');
        p->start_sent = true;
    }
    if (p->count == 0) {
        if (++l->timeouts > 10000) return XMODEM_READ_HANGUP; /* a runaway loop ends the test */
        return XMODEM_READ_TIMEOUT;
    }
    uint8_t b = p->queue[p->head];
    p->head = (p->head + 1) % QUEUE_MAX;
    p->count--;
    return b;
}

static void line_write(void *context, const uint8_t *data, size_t n) {
    struct line *l = context;
    if (l->peer->silent) return;
    if (l->engine_receives) sender_on_bytes(l->peer, data, n);
    else receiver_on_bytes(l->peer, data, n);
}

static uint8_t *pattern(size_t n) {
    uint8_t *data = malloc(n ? n : 1);
    uint32_t x = 12345u;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 16);
        if (i + 1 == n && data[i] == XMODEM_SUB) data[i] = 'z'; /* a trailing SUB is padding by definition */
    }
    return data;
}

static void test_receive(size_t n, bool one_k) {
    struct peer *p = calloc(1, sizeof(*p));
    uint8_t *file = pattern(n);
    p->file = file, p->file_length = n, p->one_k = one_k, p->number = 1;
    struct line l = { p, true, 0 };
    struct xmodem_port port = { &l, line_read, line_write };
    uint8_t *buffer = malloc(FILE_MAX + 1024);
    size_t length = 99;
    struct xmodem_stats stats;
    enum xmodem_result r = xmodem_receive(&port, buffer, FILE_MAX + 1024, &length, &stats);
    CHECK(r == XMODEM_OK, "receive %zu (1k=%d): %s", n, one_k, xmodem_result_text(r));
    CHECK(length == n && memcmp(buffer, file, n) == 0, "receive %zu (1k=%d): got %zu bytes", n, one_k, length);
    CHECK(p->finished, "receive %zu: the sender's EOT was acknowledged", n);
    CHECK(!one_k || n < 1024 || stats.one_k, "receive %zu: 1K blocks seen", n);
    free(buffer), free(file), free(p);
}

static void test_send(size_t n, bool checksum) {
    struct peer *p = calloc(1, sizeof(*p));
    uint8_t *file = pattern(n);
    p->checksum_mode = checksum, p->expected = 1;
    struct line l = { p, false, 0 };
    struct xmodem_port port = { &l, line_read, line_write };
    struct xmodem_stats stats;
    enum xmodem_result r = xmodem_send(&port, file, n, &stats);
    CHECK(r == XMODEM_OK, "send %zu (checksum=%d): %s", n, checksum, xmodem_result_text(r));
    size_t got = p->got_length;
    while (got > 0 && p->got[got - 1] == XMODEM_SUB && got > n) got--;
    CHECK(got == n && memcmp(p->got, file, n) == 0, "send %zu: receiver holds %zu bytes", n, got);
    CHECK(p->got_length % 128 == 0, "send %zu: whole blocks", n);
    CHECK(checksum ? !stats.one_k : (n < 1024 || stats.one_k), "send %zu: block size follows the start byte", n);
    CHECK(p->finished, "send %zu: EOT acknowledged", n);
    free(file), free(p);
}

static void test_faults(void) {
    /* receive: block 3 corrupted twice -> NAKs, then success */
    struct peer *p = calloc(1, sizeof(*p));
    uint8_t *file = pattern(1000);
    p->file = file, p->file_length = 1000, p->number = 1, p->corrupt_block = 3, p->corrupt_times = 2;
    struct line l = { p, true, 0 };
    struct xmodem_port port = { &l, line_read, line_write };
    uint8_t *buffer = malloc(FILE_MAX);
    size_t length = 0;
    struct xmodem_stats stats;
    CHECK(xmodem_receive(&port, buffer, FILE_MAX, &length, &stats) == XMODEM_OK, "corrupted twice: recovers");
    CHECK(length == 1000 && memcmp(buffer, file, 1000) == 0, "corrupted twice: same bytes");
    CHECK(p->naks_seen == 2 && stats.retries == 2, "corrupted twice: two NAKs (%u, retries %u)", p->naks_seen,
          stats.retries);

    /* receive: a block that never arrives intact -> too many errors, CAN to the sender, nothing kept */
    memset(p, 0, sizeof(*p));
    p->file = file, p->file_length = 1000, p->number = 1, p->corrupt_block = 2, p->corrupt_times = 1000;
    l = (struct line){ p, true, 0 };
    length = 7;
    CHECK(xmodem_receive(&port, buffer, FILE_MAX, &length, &stats) == XMODEM_TOO_MANY_ERRORS, "hopeless: gives up");
    CHECK(length == 0 && p->cans_seen >= 2, "hopeless: length 0, CAN sent (%u)", p->cans_seen);
    CHECK(p->naks_seen == XMODEM_RETRIES - 1, "hopeless: %u NAKs before the cancel", p->naks_seen);

    /* receive: too large for the buffer */
    memset(p, 0, sizeof(*p));
    p->file = file, p->file_length = 1000, p->number = 1;
    l = (struct line){ p, true, 0 };
    CHECK(xmodem_receive(&port, buffer, 512, &length, &stats) == XMODEM_TOO_LARGE && p->cans_seen >= 2, "too large");

    /* receive: nobody sends */
    memset(p, 0, sizeof(*p));
    p->silent = true;
    l = (struct line){ p, true, 0 };
    CHECK(xmodem_receive(&port, buffer, FILE_MAX, &length, &stats) == XMODEM_NO_START, "silent sender: no start");

    /* receive: the sender cancels */
    memset(p, 0, sizeof(*p));
    p->file = file, p->file_length = 1000, p->number = 1;
    l = (struct line){ p, true, 0 };
    enqueue_byte(p, XMODEM_CAN), enqueue_byte(p, XMODEM_CAN);
    CHECK(xmodem_receive(&port, buffer, FILE_MAX, &length, &stats) == XMODEM_CANCELLED, "CAN CAN cancels");

    /* send: one corrupted block and one lost ACK -> resends, the receiver stores each block once */
    memset(p, 0, sizeof(*p));
    p->expected = 1, p->corrupt_block = 2, p->corrupt_times = 3, p->lose_ack_block = 4;
    l = (struct line){ p, false, 0 };
    CHECK(xmodem_send(&port, file, 1000, &stats) == XMODEM_OK, "send with faults: ok");
    CHECK(p->got_length == 1024 && memcmp(p->got, file, 1000) == 0, "send with faults: each block once");
    CHECK(stats.retries == 4, "send with faults: 3 NAKs + 1 timeout = %u retries", stats.retries);

    /* send: hopeless receiver -> too many errors and CAN */
    memset(p, 0, sizeof(*p));
    p->expected = 1, p->corrupt_block = 1, p->corrupt_times = 1000;
    l = (struct line){ p, false, 0 };
    CHECK(xmodem_send(&port, file, 1000, &stats) == XMODEM_TOO_MANY_ERRORS && p->cans_seen >= 2, "send: gives up");

    /* send: nobody receives */
    memset(p, 0, sizeof(*p));
    p->silent = true;
    l = (struct line){ p, false, 0 };
    CHECK(xmodem_send(&port, file, 1000, &stats) == XMODEM_NO_START, "send: no receiver");
    free(buffer), free(file), free(p);
}

int run_xmodem_tests(void) {
    CHECK(xmodem_crc16((const uint8_t *)"123456789", 9) == 0x31C3, "CRC-16/XMODEM check value");
    static const size_t sizes[] = { 0, 1, 127, 128, 129, 1023, 1024, 1025, 100000 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        test_receive(sizes[i], false);
        test_receive(sizes[i], true);
        test_send(sizes[i], false);
        test_send(sizes[i], true);
    }
    test_faults();
    printf("xmodem    ok\n");
    return 0;
}
