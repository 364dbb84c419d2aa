/* XMODEM-CRC and XMODEM-1K: the file transfer every terminal program of the modem era
 * speaks (Ward Christensen 1977; CRC and 1K blocks by Chuck Forsberg). XP10 uses it so a
 * person can upload a BASIC program from minicom, SyncTERM or lrzsz's `sx`, and download a
 * saved one with `rx`, over the same COM2 line they dialled in on.
 *
 * This file knows nothing of serial ports, tasks or the program store: both directions run
 * over a `struct xmodem_port` (read a byte with a timeout, write bytes), so the host tests
 * drive them against scripted peers and a corrupting line. */
#ifndef XP10_XFER_XMODEM_H
#define XP10_XFER_XMODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XMODEM_SOH 0x01u /* 128-byte block follows */
#define XMODEM_STX 0x02u /* 1024-byte block follows (XMODEM-1K) */
#define XMODEM_EOT 0x04u
#define XMODEM_ACK 0x06u
#define XMODEM_NAK 0x15u
#define XMODEM_CAN 0x18u
#define XMODEM_SUB 0x1Au /* pads the last block */
#define XMODEM_CRC_REQUEST 'C'

#define XMODEM_BLOCK 128u
#define XMODEM_BLOCK_1K 1024u

/* read(): a byte 0..255, or one of these. */
#define XMODEM_READ_TIMEOUT (-1)
#define XMODEM_READ_HANGUP (-2)

struct xmodem_port {
    void *context;
    int (*read)(void *context, uint32_t timeout_ms);
    void (*write)(void *context, const uint8_t *data, size_t length);
};

enum xmodem_result {
    XMODEM_OK = 0,
    XMODEM_NO_START,        /* the other side never began */
    XMODEM_CANCELLED,       /* the other side sent CAN CAN */
    XMODEM_TOO_MANY_ERRORS, /* one block failed XMODEM_RETRIES times in a row */
    XMODEM_HANGUP,          /* carrier lost */
    XMODEM_TOO_LARGE,       /* the file does not fit the receiver's buffer */
};

struct xmodem_stats {
    uint32_t blocks;  /* accepted (receive) or acknowledged (send) */
    uint32_t retries; /* NAKs sent or received, timeouts, duplicates */
    bool crc;         /* CRC-16 rather than the 8-bit checksum */
    bool one_k;       /* 1024-byte blocks were used */
};

/* Limits: a block is given up after this many failures in a row, as in Christensen's
 * reference and lrzsz; the receiver asks for a start this many times before giving up. */
#define XMODEM_RETRIES 10u
#define XMODEM_START_TRIES 20u
#define XMODEM_START_INTERVAL_MS 3000u
#define XMODEM_BYTE_TIMEOUT_MS 1000u
#define XMODEM_ACK_TIMEOUT_MS 10000u

/* Receives a file into buffer[0..capacity): asks for CRC mode ('C') and accepts 128- and
 * 1024-byte blocks. *length is the bytes received, the last block's trailing SUB padding
 * removed (XMODEM carries no length: a file that itself ends in 0x1A loses those bytes). */
enum xmodem_result xmodem_receive(const struct xmodem_port *port, uint8_t *buffer, size_t capacity, size_t *length,
                                  struct xmodem_stats *stats);

/* Sends data[0..length): waits for the receiver's 'C' (CRC, 1024-byte blocks where a whole
 * one is left, 128 for the tail) or NAK (checksum, 128-byte blocks only, as the original
 * receivers expect). An empty file is just EOT. */
enum xmodem_result xmodem_send(const struct xmodem_port *port, const uint8_t *data, size_t length,
                               struct xmodem_stats *stats);

/* Tells the other side to stop (CAN CAN, after a pause so it is not read as data). */
void xmodem_cancel(const struct xmodem_port *port);

const char *xmodem_result_text(enum xmodem_result result);

/* CRC-16/XMODEM (poly 0x1021, init 0): differs from the packet link's CRC (proto/crc16.h). */
uint16_t xmodem_crc16(const uint8_t *data, size_t length);

#endif
