import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { SerialLink, type LinkState } from './SerialLink.js';

// Node 20 has no global WebSocket; `ws` implements the same browser-facing API the page uses
// (binaryType 'arraybuffer', addEventListener, send, close, readyState).
beforeAll(() => {
  const g = globalThis as { WebSocket?: unknown };
  g.WebSocket ??= NodeWebSocket;
});

/** The guest's side: records what the link delivers, `emit` plays bytes the guest sends. */
class GuestLine implements Line {
  readonly name = 'guest';
  readonly isOpen = true;
  received: number[] = [];
  private listeners = new Set<(c: Uint8Array) => void>();
  write(data: Uint8Array): void { this.received.push(...data); }
  onData(l: (c: Uint8Array) => void): Disposable { this.listeners.add(l); return { dispose: () => this.listeners.delete(l) }; }
  onClose(): Disposable { return { dispose: () => {} }; }
  close(): void {}
  emit(bytes: Uint8Array): void { for (const l of this.listeners) l(bytes); }
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function bridge(port = 0): Promise<{ server: WebSocketServer; port: number; sockets: Set<NodeWebSocket>; received: number[] }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const sockets = new Set<NodeWebSocket>();
  const received: number[] = [];
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('message', (data: Buffer) => received.push(...data));
    socket.on('close', () => sockets.delete(socket));
  });
  return { server, port: (server.address() as AddressInfo).port, sockets, received };
}

async function closeServer(server: WebSocketServer): Promise<void> {
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SerialLink over a real WebSocket on loopback', () => {
  it('carries every byte value both ways unchanged', async () => {
    const b = await bridge();
    cleanup.push(() => closeServer(b.server));
    const guest = new GuestLine();
    const link = new SerialLink(guest, `ws://127.0.0.1:${b.port}/line/serial0`);
    cleanup.push(() => link.dispose());
    const states: string[] = [];
    link.onState((s) => states.push(s.kind));
    link.start();
    // The server sees the connection before the page's socket is open; bytes before `open` are dropped by design.
    await until(() => b.sockets.size === 1 && states.at(-1) === 'open', 'connected');
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    guest.emit(all);
    for (const socket of b.sockets) socket.send(all.slice().reverse());
    await until(() => b.received.length === 256 && guest.received.length === 256, 'bytes both ways');
    expect(b.received).toEqual([...all]);
    expect(guest.received).toEqual([...all].reverse());
    expect(states).toEqual(['connecting', 'open']);
  });

  it('reports the bridge as down with a retry delay, and reconnects when it is back', async () => {
    const first = await bridge();
    const port = first.port;
    const guest = new GuestLine();
    const link = new SerialLink(guest, `ws://127.0.0.1:${port}/line/serial0`, 50, 200);
    cleanup.push(() => link.dispose());
    const states: LinkState[] = [];
    link.onState((s) => states.push(s));
    link.start();
    await until(() => first.sockets.size === 1, 'first connection');
    await closeServer(first.server);
    await until(() => states.some((s) => s.kind === 'down'), 'down reported');
    const down = states.find((s) => s.kind === 'down');
    expect(down?.kind === 'down' && down.retryInMs).toBeGreaterThan(0);
    const second = await bridge(port);
    cleanup.push(() => closeServer(second.server));
    await until(() => second.sockets.size === 1 && states.at(-1)?.kind === 'open', 'reconnected');
    guest.emit(Uint8Array.of(0x7e, 0x7d, 0x00));
    await until(() => second.received.length === 3, 'bytes after reconnect');
    expect(second.received).toEqual([0x7e, 0x7d, 0x00]);
    expect(states.at(-1)?.kind).toBe('open');
  });

  it('keeps retrying with capped back-off while nothing listens, and stops after dispose', async () => {
    const probe = await bridge();
    const port = probe.port;
    await closeServer(probe.server);
    const link = new SerialLink(new GuestLine(), `ws://127.0.0.1:${port}/line/serial0`, 20, 40);
    const delays: number[] = [];
    link.onState((s) => { if (s.kind === 'down') delays.push(s.retryInMs); });
    link.start();
    await until(() => delays.length >= 4, 'several retries');
    expect(delays.slice(0, 4)).toEqual([20, 40, 40, 40]);
    link.dispose();
    const count = delays.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(delays.length).toBe(count);
  });
});
