/* Interrupt-driven 16550 UART driver. COM1 carries the 56k packet link (binary),
 * COM2 is the console line people dial into (text, follows carrier detect). */
#ifndef XP10_DRIVERS_SERIAL_H
#define XP10_DRIVERS_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ringbuf.h"

struct serial_stats {
    uint32_t rx_bytes;
    uint32_t tx_bytes;
    uint32_t rx_holds;     /* times the receive ring filled and RTS dropped (flow control) */
    uint32_t line_errors;  /* parity/framing/overrun reported by the UART */
    uint32_t modem_changes;
};

struct serial_port {
    const char *name;
    uint16_t base;
    uint8_t irq;
    struct ringbuf rx;
    struct ringbuf tx;
    volatile bool carrier;       /* DCD as last seen */
    volatile bool ring;          /* RI as last seen */
    volatile uint32_t carrier_generation; /* bumped on every DCD edge */
    struct serial_stats stats;
    volatile uint32_t tx_waiters; /* tasks sleeping on &tx for room in the ring */
    volatile bool rx_held;        /* receive ring full: RTS low, receive interrupt masked */
};

extern struct serial_port com1;
extern struct serial_port com2;

void serial_init(void);
/* Queues bytes for transmission. While the transmit ring is full a task sleeps until the TX
 * interrupt makes room; before the scheduler runs (or with IRQs off) it polls the UART. */
void serial_write(struct serial_port *port, const uint8_t *data, size_t length);
/* Returns the next received byte, or -1 when none is buffered. Never blocks. */
int serial_read_byte(struct serial_port *port);
/* Blocks the calling task until a byte is buffered or `timeout_ms` passes (0 = forever). */
void serial_wait_readable(struct serial_port *port, uint32_t timeout_ms);

/* Busy-waits on the transmitter, bypassing the ring: for panics, with interrupts off. */
void serial_write_polled(struct serial_port *port, const uint8_t *data, size_t length);

#endif
