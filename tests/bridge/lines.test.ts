import type { ChildProcess } from 'node:child_process';
import { openPtyPair } from '../support/ptyPair.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Line } from '../../protocol/Line.js';
import { SerialPortLine } from '../../bridge/lines/SerialPortLine.js';
import { connectTcpLine, TcpLine } from '../../bridge/lines/TcpLine.js';
import { READ_TURN_BYTES } from '../../bridge/lines/ReadTurnBudget.js';
import { TcpLineServer } from '../../bridge/lines/TcpLineServer.js';
import { connectWebSocketLine, WebSocketLine } from '../../bridge/lines/WebSocketLine.js';
import { openLine } from '../../bridge/lines/openLine.js';

/** Collects bytes from a line until `n` have arrived. */
function receive(line: Line, n: number): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const out = new Uint8Array(n);
    let got = 0;
    const sub = line.onData((chunk) => {
      out.set(chunk.subarray(0, n - got), got);
      got += Math.min(chunk.length, n - got);
      if (got === n) {
        sub.dispose();
        resolve(out);
      }
    });
  });
}

function closed(line: Line): Promise<Error | undefined> {
  return new Promise((resolve) => line.onClose(resolve));
}

function pattern(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

/** Counts the event-loop turns in which a line delivered data, and the most bytes in one turn. */
function countTurns(line: Line): { turns: number; mostInOneTurn: number } {
  const result = { turns: 0, mostInOneTurn: 0 };
  let thisTurn = 0;
  line.onData((chunk) => {
    if (thisTurn === 0) {
      result.turns++;
      setImmediate(() => {
        result.mostInOneTurn = Math.max(result.mostInOneTurn, thisTurn);
        thisTurn = 0;
      });
    }
    thisTurn += chunk.length;
  });
  return result;
}

/** Checks that every byte value and a large burst cross the pair intact in both directions. */
async function exchange(a: Line, b: Line): Promise<void> {
  const all = new Uint8Array(256).map((_, i) => i);
  const gotAll = receive(b, 256);
  a.write(all);
  expect(await gotAll).toEqual(all);
  const big = pattern(200_000);
  const gotBig = receive(a, big.length);
  for (let i = 0; i < big.length; i += 1000) b.write(big.subarray(i, i + 1000));
  expect(await gotBig).toEqual(big);
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('TcpLine', () => {
  async function pair(): Promise<[TcpLine, TcpLine, TcpLineServer]> {
    const server = new TcpLineServer();
    cleanups.push(() => server.close());
    const { port } = await server.listen(0);
    const accepted = new Promise<TcpLine>((resolve) => server.onConnection(resolve));
    const client = await connectTcpLine('127.0.0.1', port);
    return [client, await accepted, server];
  }

  it('carries bytes both ways, binary safe', async () => {
    const [client, serverSide] = await pair();
    expect(serverSide.name).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
    await exchange(client, serverSide);
  });

  it('keeps every tick\'s bytes intact while it reuses staging buffers, also when the peer reads late', async () => {
    const [client, serverSide] = await pair();
    // Ticks of 130 KiB (a large reply's slice), each tick's bytes different, written while the
    // receiving side is paused, so earlier ticks are still being written when later ones stage.
    const ticks = Array.from({ length: 56 }, (_, t) => new Uint8Array(130 * 1024).map((_, i) => (i * 7 + t * 13) & 0xff));
    const total = ticks.reduce((n, t) => n + t.length, 0);
    const socket = (client as unknown as { socket: import('node:net').Socket }).socket;
    socket.pause();
    const got = receive(client, total);
    for (const tick of ticks) {
      for (let i = 0; i < tick.length; i += 4096) serverSide.write(tick.subarray(i, i + 4096));
      await new Promise((r) => setImmediate(r));
    }
    socket.resume();
    const expected = new Uint8Array(total);
    ticks.reduce((o, t) => (expected.set(t, o), o + t.length), 0);
    expect(Buffer.from(await got).equals(Buffer.from(expected))).toBe(true);
  });

  it('lets the event loop turn between reads of a long burst, and keeps every byte', async () => {
    const [client, serverSide] = await pair();
    // 4 MB, first held in the kernel while the receiving socket is paused: libuv reads a ready
    // socket up to 32 times (64 KiB each) before any other callback runs, unless the line yields.
    const socket = (serverSide as unknown as { socket: import('node:net').Socket }).socket;
    socket.pause();
    const burst = pattern(4 * 1024 * 1024);
    const got = receive(serverSide, burst.length);
    const turns = countTurns(serverSide);
    client.write(burst);
    await new Promise((r) => setTimeout(r, 200));
    socket.resume();
    expect(Buffer.from(await got).equals(Buffer.from(burst))).toBe(true);
    expect(turns.turns).toBeGreaterThanOrEqual(burst.length / (READ_TURN_BYTES + 64 * 1024));
    // At most the budget plus the read that crossed it.
    expect(turns.mostInOneTurn).toBeLessThanOrEqual(READ_TURN_BYTES + 64 * 1024);
  });

  it('fires onClose once on both sides when one side closes, and drops writes after', async () => {
    const [client, serverSide, server] = await pair();
    let count = 0;
    serverSide.onClose(() => count++);
    const remoteClosed = closed(serverSide);
    client.close();
    client.close();
    await remoteClosed;
    expect(client.isOpen).toBe(false);
    expect(serverSide.isOpen).toBe(false);
    expect(() => serverSide.write(new Uint8Array([1]))).not.toThrow();
    expect(count).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(server.connectionCount).toBe(0);
  });

  it('keeps bytes that arrive before the first listener', async () => {
    const server = new TcpLineServer();
    cleanups.push(() => server.close());
    const { port } = await server.listen(0);
    server.onConnection((line) => line.write(new Uint8Array([7, 8, 9])));
    const client = await connectTcpLine('127.0.0.1', port);
    await new Promise((r) => setTimeout(r, 50));
    expect(await receive(client, 3)).toEqual(new Uint8Array([7, 8, 9]));
    client.close();
  });

  it('reports a refused connection as an error naming the target', async () => {
    const server = new TcpLineServer();
    const { port } = await server.listen(0);
    await server.close();
    await expect(connectTcpLine('127.0.0.1', port)).rejects.toThrow(`tcp://127.0.0.1:${port}`);
  });

  it('refuses connections past maxConnections', async () => {
    const server = new TcpLineServer({ maxConnections: 1 });
    cleanups.push(() => server.close());
    const { port } = await server.listen(0);
    const first = await connectTcpLine('127.0.0.1', port);
    cleanups.push(() => first.close());
    await new Promise((r) => setTimeout(r, 20));
    const second = await connectTcpLine('127.0.0.1', port);
    await closed(second);
    expect(first.isOpen).toBe(true);
  });

  it('is opened by openLine from a tcp:// url', async () => {
    const server = new TcpLineServer();
    cleanups.push(() => server.close());
    const { port } = await server.listen(0);
    const accepted = new Promise<TcpLine>((resolve) => server.onConnection(resolve));
    const line = await openLine(`tcp://127.0.0.1:${port}`);
    await exchange(line, await accepted);
    line.close();
  });
});

describe('WebSocketLine', () => {
  async function pair(): Promise<[WebSocketLine, WebSocketLine]> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(); http.close(() => r()); }));
    const accepted = new Promise<WebSocketLine>((resolve) => wss.on('connection', (ws) => resolve(new WebSocketLine(ws, { name: 'ws:server' }))));
    const { port } = http.address() as AddressInfo;
    const client = await connectWebSocketLine(`ws://127.0.0.1:${port}/line/serial0`);
    return [client, await accepted];
  }

  it('carries binary chunks both ways', async () => {
    const [client, serverSide] = await pair();
    await exchange(client, serverSide);
  });

  it('lets the event loop turn between the messages of a long burst, and keeps every byte', async () => {
    const [client, serverSide] = await pair();
    // 4 MB in 16 KiB messages, held in the kernel while the receiving WebSocket is paused.
    const ws = (serverSide as unknown as { socket: import('ws').WebSocket }).socket;
    ws.pause();
    const burst = pattern(4 * 1024 * 1024);
    const got = receive(serverSide, burst.length);
    const turns = countTurns(serverSide);
    for (let i = 0; i < burst.length; i += 16 * 1024) client.write(burst.subarray(i, i + 16 * 1024));
    await new Promise((r) => setTimeout(r, 200));
    ws.resume();
    expect(Buffer.from(await got).equals(Buffer.from(burst))).toBe(true);
    // ws still delivers the messages it already parsed from a read after the pause: up to one
    // read (64 KiB of frames) beyond the budget's own bound.
    expect(turns.turns).toBeGreaterThanOrEqual(burst.length / (READ_TURN_BYTES + 128 * 1024));
    expect(turns.mostInOneTurn).toBeLessThanOrEqual(READ_TURN_BYTES + 128 * 1024);
  });

  it('closes both sides once', async () => {
    const [client, serverSide] = await pair();
    const remoteClosed = closed(serverSide);
    client.close();
    await remoteClosed;
    expect(serverSide.isOpen).toBe(false);
  });

  it('treats a text message as a protocol violation', async () => {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(); http.close(() => r()); }));
    const accepted = new Promise<WebSocketLine>((resolve) => wss.on('connection', (ws) => resolve(new WebSocketLine(ws))));
    const { port } = http.address() as AddressInfo;
    const { default: WebSocket } = await import('ws');
    const raw = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((r) => raw.once('open', r));
    const line = await accepted;
    const reason = closed(line);
    raw.send('hello');
    expect((await reason)?.message).toMatch(/text message/);
  });
});

describe('SerialPortLine over a socat pty pair', () => {
  async function ptyPair(): Promise<[string, string, ChildProcess]> {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    return [pair.paths[0], pair.paths[1], pair.socat];
  }

  it('carries bytes both ways through real pty devices', async () => {
    const [pathA, pathB] = await ptyPair();
    const a = await SerialPortLine.open(pathA);
    const b = await openLine(pathB);
    cleanups.push(() => { a.close(); b.close(); });
    expect(a.name).toBe(`serial:${pathA}`);
    await exchange(a, b);
  });

  it('rejects a missing device with its path in the message', async () => {
    await expect(SerialPortLine.open('/dev/does-not-exist-konomi')).rejects.toThrow('/dev/does-not-exist-konomi');
  });
});

describe('openLine', () => {
  it('rejects unknown targets with a clear message', async () => {
    await expect(openLine('udp://x:1')).rejects.toThrow(/unsupported line target/);
    await expect(openLine('tcp://127.0.0.1')).rejects.toThrow(/port is required/);
  });
});
