#include "drivers/serial.h"

#include "arch/idt.h"
#include "arch/io.h"
#include "drivers/pic.h"
#include "kernel/task.h"

enum {
    COM1_BASE = 0x3F8,
    COM2_BASE = 0x2F8,
    COM1_IRQ = 4,
    COM2_IRQ = 3,

    UART_DATA = 0,          /* RBR on read, THR on write; divisor low when DLAB */
    UART_IER = 1,           /* divisor high when DLAB */
    UART_IIR = 2,           /* FCR on write */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,

    IER_RX_AVAILABLE = 0x01,
    IER_TX_EMPTY = 0x02,
    IER_LINE_STATUS = 0x04,
    IER_MODEM_STATUS = 0x08,

    IIR_NO_INTERRUPT = 0x01,
    IIR_ID_MASK = 0x0E,
    IIR_MODEM_STATUS = 0x00,
    IIR_TX_EMPTY = 0x02,
    IIR_RX_AVAILABLE = 0x04,
    IIR_LINE_STATUS = 0x06,
    IIR_RX_TIMEOUT = 0x0C,

    FCR_ENABLE = 0x01,
    FCR_CLEAR_RX = 0x02,
    FCR_CLEAR_TX = 0x04,
    FCR_TRIGGER_14 = 0xC0,

    LCR_8N1 = 0x03,
    LCR_DLAB = 0x80,

    MCR_DTR = 0x01,
    MCR_RTS = 0x02,
    MCR_OUT2 = 0x08,        /* gates the UART's IRQ line on PC hardware */

    LSR_DATA_READY = 0x01,
    LSR_ERRORS = 0x1E,      /* overrun, parity, framing, break */
    LSR_THR_EMPTY = 0x20,

    MSR_RING = 0x40,
    MSR_CARRIER = 0x80,
};

#define UART_BASE_CLOCK_DIVISOR_115200 1
#define ISR_MAX_ROUNDS 64

#define COM1_RX_SIZE 32768
#define COM1_TX_SIZE 16384
#define COM2_RX_SIZE 4096
#define COM2_TX_SIZE 16384

static uint8_t com1_rx_storage[COM1_RX_SIZE], com1_tx_storage[COM1_TX_SIZE];
static uint8_t com2_rx_storage[COM2_RX_SIZE], com2_tx_storage[COM2_TX_SIZE];

struct serial_port com1 = { .name = "COM1", .base = COM1_BASE, .irq = COM1_IRQ };
struct serial_port com2 = { .name = "COM2", .base = COM2_BASE, .irq = COM2_IRQ };

static void serial_update_modem(struct serial_port *port) {
    uint8_t msr = inb(port->base + UART_MSR);
    bool carrier = (msr & MSR_CARRIER) != 0;
    port->ring = (msr & MSR_RING) != 0;
    if (carrier != port->carrier) {
        port->carrier = carrier;
        port->carrier_generation++;
    }
    port->stats.modem_changes++;
    sched_wake(port);
}

/* Interrupt sources follow the rings: receive only while the receive ring has room (see
 * serial_receive), transmit-empty only while the transmit ring holds bytes. Caller has IRQs off. */
static void serial_update_ier(struct serial_port *port) {
    uint8_t ier = IER_LINE_STATUS | IER_MODEM_STATUS;
    if (!port->rx_held) ier |= IER_RX_AVAILABLE;
    if (!ringbuf_empty(&port->tx)) ier |= IER_TX_EMPTY;
    outb(port->base + UART_IER, ier);
}

/* Moves queued bytes into the transmitter while it has room, and wakes writers waiting for
 * room in the ring. Caller has IRQs off. */
static void serial_drain_tx(struct serial_port *port) {
    bool moved = false;
    while (!ringbuf_empty(&port->tx) && (inb(port->base + UART_LSR) & LSR_THR_EMPTY)) {
        outb(port->base + UART_DATA, (uint8_t)ringbuf_get(&port->tx));
        port->stats.tx_bytes++;
        moved = true;
    }
    if (moved && port->tx_waiters) sched_wake(&port->tx);
    serial_update_ier(port);
}

/* Receive flow control. A sender may write far more than the ring holds in one go (the
 * bridge writes a whole fragmented message, up to 64 KiB, into COM1 at once). Bytes that
 * found the ring full used to be dropped, and since a retransmission repeats the same
 * bytes in the same order, the same tail was lost every time. Instead, a full ring leaves
 * further bytes in the UART: RTS drops and the receive interrupt is masked until the
 * reader has emptied the ring to half (serial_read_byte). v86 keeps everything it was
 * given; a real modem stops on RTS; a real sender that ignores RTS overruns the UART's
 * FIFO, which the line-status interrupt counts. Caller has IRQs off. */
static void serial_hold_rx(struct serial_port *port, bool hold) {
    if (port->rx_held == hold) return;
    port->rx_held = hold;
    if (hold) port->stats.rx_holds++;
    outb(port->base + UART_MCR, MCR_DTR | MCR_OUT2 | (hold ? 0 : MCR_RTS));
    serial_update_ier(port);
}

static void serial_receive(struct serial_port *port) {
    bool received = false;
    while (inb(port->base + UART_LSR) & LSR_DATA_READY) {
        if (ringbuf_full(&port->rx)) {
            serial_hold_rx(port, true);
            break;
        }
        ringbuf_put(&port->rx, inb(port->base + UART_DATA));
        port->stats.rx_bytes++;
        received = true;
    }
    if (received) sched_wake(port);
}

static void serial_service(struct serial_port *port) {
    for (int round = 0; round < ISR_MAX_ROUNDS; round++) {
        uint8_t iir = inb(port->base + UART_IIR);
        if (iir & IIR_NO_INTERRUPT) return;
        switch (iir & IIR_ID_MASK) {
        case IIR_LINE_STATUS:
            if (inb(port->base + UART_LSR) & LSR_ERRORS) port->stats.line_errors++;
            break;
        case IIR_RX_AVAILABLE:
        case IIR_RX_TIMEOUT: serial_receive(port); break;
        case IIR_TX_EMPTY: serial_drain_tx(port); break;
        case IIR_MODEM_STATUS: serial_update_modem(port); break;
        default: return;
        }
    }
}

static void com1_irq(struct regs *frame) {
    (void)frame;
    serial_service(&com1);
}

static void com2_irq(struct regs *frame) {
    (void)frame;
    serial_service(&com2);
}

static void serial_setup(struct serial_port *port, uint8_t *rx, uint32_t rx_size, uint8_t *tx, uint32_t tx_size,
                         void (*handler)(struct regs *)) {
    ringbuf_init(&port->rx, rx, rx_size);
    ringbuf_init(&port->tx, tx, tx_size);
    outb(port->base + UART_IER, 0);
    outb(port->base + UART_LCR, LCR_DLAB);
    outb(port->base + UART_DATA, UART_BASE_CLOCK_DIVISOR_115200 & 0xFF);
    outb(port->base + UART_IER, UART_BASE_CLOCK_DIVISOR_115200 >> 8);
    outb(port->base + UART_LCR, LCR_8N1);
    outb(port->base + UART_IIR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER_14);
    outb(port->base + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    uint8_t msr = inb(port->base + UART_MSR);
    port->carrier = (msr & MSR_CARRIER) != 0;
    port->ring = (msr & MSR_RING) != 0;
    irq_register(port->irq, handler);
    outb(port->base + UART_IER, IER_RX_AVAILABLE | IER_LINE_STATUS | IER_MODEM_STATUS);
    pic_unmask(port->irq);
    /* Bytes that arrived before the IRQ was wired up would otherwise never raise one. */
    uint32_t flags = irq_save();
    serial_receive(port);
    irq_restore(flags);
}

void serial_init(void) {
    serial_setup(&com1, com1_rx_storage, COM1_RX_SIZE, com1_tx_storage, COM1_TX_SIZE, com1_irq);
    serial_setup(&com2, com2_rx_storage, COM2_RX_SIZE, com2_tx_storage, COM2_TX_SIZE, com2_irq);
}

#define SERIAL_TX_WAIT_MS 100u /* a lost wake-up costs at most this */

/* The ring is full; called with IRQs off. A task sleeps until the TX interrupt drains some
 * bytes. Where nothing can sleep (before the scheduler runs, the idle task, IRQs already off
 * in the caller), the transmitter is polled until it takes a byte instead. */
static void serial_wait_tx_room(struct serial_port *port, uint32_t caller_flags) {
    if (sched_can_block() && (caller_flags & EFLAGS_IF)) {
        port->tx_waiters++;
        sched_block_on(&port->tx, SERIAL_TX_WAIT_MS);
        port->tx_waiters--;
        return;
    }
    while (!(inb(port->base + UART_LSR) & LSR_THR_EMPTY)) {
    }
    serial_drain_tx(port);
}

void serial_write(struct serial_port *port, const uint8_t *data, size_t length) {
    size_t sent = 0;
    while (sent < length) {
        uint32_t flags = irq_save();
        /* Check before putting: a full ring here means "wait", not a dropped byte. */
        while (sent < length && !ringbuf_full(&port->tx)) ringbuf_put(&port->tx, data[sent++]);
        serial_drain_tx(port);
        if (sent < length) serial_wait_tx_room(port, flags);
        irq_restore(flags);
    }
}

int serial_read_byte(struct serial_port *port) {
    uint32_t flags = irq_save();
    int byte = ringbuf_get(&port->rx);
    if (port->rx_held && ringbuf_used(&port->rx) <= port->rx.mask / 2) serial_hold_rx(port, false);
    irq_restore(flags);
    return byte;
}

void serial_wait_readable(struct serial_port *port, uint32_t timeout_ms) {
    uint32_t flags = irq_save();
    if (ringbuf_empty(&port->rx)) sched_block_on(port, timeout_ms);
    irq_restore(flags);
}

void serial_write_polled(struct serial_port *port, const uint8_t *data, size_t length) {
    for (size_t i = 0; i < length; i++) {
        while (!(inb(port->base + UART_LSR) & LSR_THR_EMPTY)) {
        }
        outb(port->base + UART_DATA, data[i]);
    }
}
