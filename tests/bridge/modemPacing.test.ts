import { createServer, type AddressInfo, type Server } from 'node:net';
import { connect } from 'node:net';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { openPtyPair } from '../support/ptyPair.js';

// What a terminal receives through the bridge's modem arrives at the call's line rate (V.90:
// 56,000 bit/s, 10 bits a byte) and is never dropped, also when the terminal stops reading.

const SIZE = 16_800; // 3 s at 5,600 bytes/s
const pattern = Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * 7 + (i >> 8)) & 0xff));

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A raw TCP service that sends the whole pattern at once on connect (far faster than 56k). */
async function blaster(): Promise<number> {
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(pattern);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

async function bridgeWithBlaster(extra: Parameters<typeof BridgeServer.start>[0]): Promise<BridgeServer> {
  const port = await blaster();
  const server = await BridgeServer.start({ port: 0, packetPort: 0, ...extra });
  cleanup.push(() => server.stop());
  const res = await fetch(`${server.httpUrl}/phonebook`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ number: '99', target: `127.0.0.1:${port}`, protocol: 'raw' }]),
  });
  expect(res.status).toBe(200);
  return server;
}

/** Collects what follows `CONNECT 56000\r\n` and when each byte count was reached. */
class Receiver {
  constructor(private readonly expected = SIZE) {}
  bytes = Buffer.alloc(0);
  connectedAt = 0;
  doneAt = 0;
  push(chunk: Buffer): void {
    this.bytes = Buffer.concat([this.bytes, chunk]);
    if (!this.connectedAt) {
      const at = this.bytes.indexOf('CONNECT 56000\r\n');
      if (at < 0) return;
      this.connectedAt = Date.now();
      this.bytes = this.bytes.subarray(at + 'CONNECT 56000\r\n'.length);
    }
    if (this.bytes.length >= this.expected && !this.doneAt) this.doneAt = Date.now();
  }
  async done(timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.doneAt) {
      if (Date.now() > end) throw new Error(`got ${this.bytes.length} of ${this.expected} bytes`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('modem pacing and no loss', () => {
  it('a telnet-port caller gets a fast service at V.90 pace, every byte in order', async () => {
    const server = await bridgeWithBlaster({ telnetPort: 0 });
    const rx = new Receiver(SIZE + pattern.filter((b) => b === 255).length);
    const socket = connect({ port: server.telnetAddress!.port, host: '127.0.0.1' }, () => socket.write('ATDT99\r'));
    cleanup.push(() => socket.destroy());
    socket.on('data', (c: Buffer) => rx.push(c));
    await rx.done();
    const seconds = (rx.doneAt - rx.connectedAt) / 1000;
    // 16,800 bytes at 5,600 bytes/s: 3 s (the first tick's credit makes it a little less).
    expect(seconds).toBeGreaterThan(2.7);
    expect(seconds).toBeLessThan(12);
    // A raw client: the pattern's 255s come doubled (IAC escaping), nothing else changes.
    const data = undouble(rx.bytes);
    expect(data.subarray(0, SIZE)).toEqual(pattern);
    // The service closed after sending: the caller hears NO CARRIER only after the last byte.
    expect(data.subarray(SIZE).toString("latin1")).toBe("\r\nNO CARRIER\r\n");
  }, 30_000);

  it('--modem-serial: a terminal on the pty pair that stops reading for a second still gets every byte, paced', async () => {
    const pty = await openPtyPair();
    cleanup.push(() => pty.close());
    await bridgeWithBlaster({ modemSerial: pty.paths[0] });
    const rx = new Receiver();
    const port = new SerialPort({ path: pty.paths[1], baudRate: 115200, rtscts: true, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    cleanup.push(() => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())));
    port.on('data', (c: Buffer) => rx.push(c));
    port.write('ATDT 99\r');
    for (let i = 0; i < 200 && !rx.connectedAt; i++) await new Promise((r) => setTimeout(r, 20));
    expect(rx.connectedAt).toBeGreaterThan(0);
    // The terminal is busy: the pty's buffer fills and the bridge's writes must wait, not drop.
    port.pause();
    await new Promise((r) => setTimeout(r, 1_500));
    port.resume();
    await rx.done();
    expect(rx.bytes.subarray(0, SIZE)).toEqual(pattern);
    expect((rx.doneAt - rx.connectedAt) / 1000).toBeGreaterThan(2.7);
  }, 30_000);
});

function undouble(bytes: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    out.push(bytes[i]!);
    if (bytes[i] === 255 && bytes[i + 1] === 255) i++;
  }
  return Buffer.from(out);
}
