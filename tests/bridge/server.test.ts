import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPtyPair } from '../support/ptyPair.js';
import WebSocket from 'ws';
import { Opcode } from '../../protocol/constants.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { Session } from '../../protocol/Session.js';
import { decodeBlockGetReply, encodeBlockGetRequest } from '../../protocol/payloads/blockGet.js';
import { decodeBlockSetReply, encodeBlockSetRequest } from '../../protocol/payloads/blockSet.js';
import { decodeCubeMsgReply, encodeCubeMsgRequest } from '../../protocol/payloads/cubeMsg.js';
import { decodeLlmQueryReply, encodeLlmQueryRequest } from '../../protocol/payloads/llmQuery.js';
import { decodeTensorOpReply, encodeTensorOpRequest, TensorOperation } from '../../protocol/payloads/tensorOp.js';
import { connectTcpLine } from '../../bridge/lines/TcpLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { MemoryLogger } from '../../bridge/server/Logger.js';
import { toHex } from '../../bridge/util/hex.js';

let server: BridgeServer;
const logger = new MemoryLogger();

beforeAll(async () => {
  // No κ ticks: the event assertions below expect exactly the events the requests cause.
  server = await BridgeServer.start({ port: 0, packetPort: 0, logger, webRoot: '/nonexistent-konomi-web', kappaTickMs: 0 });
});
afterAll(async () => {
  await server.stop();
});

async function openSession(): Promise<Session> {
  const line = await connectTcpLine('127.0.0.1', server.packetAddress.port);
  return new Session(line, { name: 'test-client' });
}

async function expectError(promise: Promise<unknown>, code: string): Promise<ProtocolError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(code);
    return err as ProtocolError;
  }
  throw new Error(`expected ${code}`);
}

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

describe('packet port', () => {
  it('answers HELLO, PING, BLOCK_SET then BLOCK_GET with the ledger and leaf hashes', async () => {
    const s = await openSession();
    const hello = await s.hello({ name: 'script' });
    expect(hello.name).toBe('konomi-bridge');
    const ping = await s.request(Opcode.PING, new Uint8Array([1, 2, 3]));
    expect([...ping.payload]).toEqual([1, 2, 3]);
    const set = decodeBlockSetReply((await s.request(Opcode.BLOCK_SET, encodeBlockSetRequest({ x: 1, y: 2, z: 3, value: 4.5 }))).payload);
    expect(set.hash.length).toBe(32);
    const head = await http('GET', '/ledger/head');
    expect(head.json.hash).toBe(toHex(set.hash));
    expect(Number(set.index)).toBe(head.json.length - 1);
    const got = decodeBlockGetReply((await s.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 1, y: 2, z: 3 }))).payload);
    expect(got.active).toBe(true);
    expect(got.value).toBe(4.5);
    expect(got.hash.some((b) => b !== 0)).toBe(true);
    const empty = decodeBlockGetReply((await s.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 9, y: 9, z: 9 }))).payload);
    expect(empty.active).toBe(false);
    expect(empty.hash.every((b) => b === 0)).toBe(true);
    s.close();
  });

  it('survives 200 KB of random bytes on a line and answers the next request', async () => {
    const line = await connectTcpLine('127.0.0.1', server.packetAddress.port);
    let x = 0x2545f491;
    const noise = new Uint8Array(200_000).map(() => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x & 0xff;
    });
    for (let i = 0; i < noise.length; i += 4096) line.write(noise.subarray(i, i + 4096));
    // A flag byte ends whatever partial frame the noise left open.
    line.write(new Uint8Array([0x7e]));
    const s = new Session(line, { name: 'after-noise' });
    const ping = await s.request(Opcode.PING, new Uint8Array([42]), { timeoutMs: 10_000 });
    expect([...ping.payload]).toEqual([42]);
    const stats = (await http('GET', '/lines')).json.lines.find((l: { name: string }) => l.name === `tcp:127.0.0.1:${line.localPort}`);
    expect(stats.stats.malformed).toBeGreaterThan(0);
    s.close();
    line.close();
  });

  it('maps core errors to protocol error codes', async () => {
    const s = await openSession();
    await expectError(s.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 5000, y: 0, z: 0 })), 'OUT_OF_RANGE');
    await expectError(s.request(Opcode.BLOCK_GET, new Uint8Array([1, 2])), 'BAD_PAYLOAD');
    await expectError(s.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 999, vertex: 0, text: 'hi' })), 'NOT_FOUND');
    s.close();
  });

  it('refuses a billion-element TENSOR_OP with TOO_LARGE before allocating it', async () => {
    const s = await openSession();
    // Header claims 1000 x 1000 x 1000 elements but carries none.
    const payload = new Uint8Array([TensorOperation.RELU, 0, 1, 0, 3, 0x03, 0xe8, 0x03, 0xe8, 0x03, 0xe8]);
    await expectError(s.request(Opcode.TENSOR_OP, payload), 'TOO_LARGE');
    const ok = await s.request(
      Opcode.TENSOR_OP,
      encodeTensorOpRequest({ op: TensorOperation.RELU, dtype: 0, params: [], inputs: [{ shape: [2, 2], data: Float32Array.from([1, -2, 3, -4]) }] }),
    );
    expect([...decodeTensorOpReply(ok.payload).output.data]).toEqual([1, 0, 3, 0]);
    s.close();
  });

  it('answers LLM_QUERY and CUBE_MSG from the core', async () => {
    const s = await openSession();
    const llm = decodeLlmQueryReply((await s.request(Opcode.LLM_QUERY, encodeLlmQueryRequest({ x: 1, y: 1, z: 1, maxTokens: 8, prompt: 'hello' }))).payload);
    expect(llm.tokens).toBeLessThanOrEqual(8);
    expect(llm.kappa).toBeGreaterThanOrEqual(0);
    const cube = decodeCubeMsgReply((await s.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 0, vertex: 8, text: 'status?' }))).payload);
    expect(cube.vertex).toBe(8);
    const all = decodeCubeMsgReply((await s.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 0, vertex: 0xff, text: 'think' }))).payload);
    expect(all.vertex).toBe(8);
    s.close();
  });

  it('lists the line in GET /lines with its stats and logs one line per connection', async () => {
    const s = await openSession();
    await s.hello({ name: 'lister' });
    const lines = await http('GET', '/lines');
    const mine = lines.json.lines.find((l: { peerName?: string }) => l.peerName === 'lister');
    expect(mine.kind).toBe('tcp');
    expect(mine.stats.framesIn).toBeGreaterThan(0);
    s.close();
    expect(logger.lines.some((l) => /line \d+ open: tcp:127\.0\.0\.1/.test(l))).toBe(true);
  });
});

describe('REST', () => {
  it('sets and gets a value, rejecting bad fields with 400 naming the field', async () => {
    const set = await http('POST', '/value', { x: 4, y: 5, z: 6, value: 7.25 });
    expect(set.status).toBe(200);
    expect(set.json.index).toBeGreaterThan(0);
    const get = await http('GET', '/value?x=4&y=5&z=6');
    expect(get.json).toMatchObject({ active: true, value: 7.25 });
    const missing = await http('GET', '/value?x=4&y=5');
    expect(missing.status).toBe(400);
    expect(missing.json.error.field).toBe('z');
    const badValue = await http('POST', '/value', { x: 1, y: 1, z: 1, value: 'abc' });
    expect(badValue.status).toBe(400);
    expect(badValue.json.error.message).toMatch(/^value:/);
    const outside = await http('GET', '/value?x=1000&y=0&z=0');
    expect(outside.status).toBe(400);
    expect(outside.json.error.code).toBe('OUT_OF_RANGE');
    expect(outside.json.error.message).not.toMatch(/OUT_OF_RANGE/);
    expect(outside.json.error.message).toMatch(/1000/);
    const plain = await fetch(`${server.httpUrl}/value`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"x":1,"y":1,"z":1,"value":1}' });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringMatching(/text\/plain/),
    });
    const form = await fetch(`${server.httpUrl}/llm/process`, { method: 'POST', body: new URLSearchParams({ x: '1' }) });
    expect(form.status).toBe(415);
    expect(await form.text()).toMatch(/application\/x-www-form-urlencoded/);
    const notJson = await http('POST', '/value', '{nope');
    expect(notJson.status).toBe(400);
    const huge = await http('POST', '/value', JSON.stringify({ x: 1, y: 1, z: 1, value: 1, pad: 'x'.repeat(300_000) }));
    expect(huge.status).toBe(413);
  });

  it('templates, instances and interlock', async () => {
    const t = await http('POST', '/template/create', { dims: { x: 8, y: 8, z: 8 }, cells: [{ x: 1, y: 1, z: 1, value: 2 }] });
    expect(t.status).toBe(201);
    expect(t.json.template).toBe(true);
    const i = await http('POST', '/instance/create', { template: t.json.id });
    expect(i.status).toBe(201);
    expect(i.json.templateId).toBe(t.json.id);
    const badCells = await http('POST', '/template/create', { dims: { x: 8, y: 8, z: 8 }, cells: [{ x: 1, y: 1 }] });
    expect(badCells.status).toBe(400);
    expect(badCells.json.error.message).toMatch(/cells\[0\]/);
    const plane = await http('POST', '/llm/interlock', { op: 'activate', axis: 'z', index: 3, value: 1, array: i.json.id });
    expect(plane.status).toBe(200);
    const v = await http('GET', `/value?x=7&y=7&z=3&array=${i.json.id}`);
    expect(v.json.active).toBe(true);
    const badAxis = await http('POST', '/llm/interlock', { op: 'activate', axis: 'w', index: 3, value: 1 });
    expect(badAxis.json.error.field).toBe('axis');
  });

  it('LLM process, cubes, ledger verify and proofs, blocks, healthz, metrics', async () => {
    const llm = await http('POST', '/llm/process', { x: 2, y: 2, z: 2, prompt: 'hi', maxTokens: 4 });
    expect(llm.status).toBe(200);
    expect(typeof llm.json.text).toBe('string');
    const cubes = await http('GET', '/cubes');
    expect(cubes.json.cubes.length).toBeGreaterThanOrEqual(2);
    const cube = await http('GET', '/cubes/0');
    expect(cube.json.id).toBe(0);
    expect((await http('GET', '/cubes/9999')).status).toBe(404);
    expect((await http('GET', '/ledger/verify')).json.valid).toBe(true);
    await http('POST', '/value', { x: 3, y: 3, z: 3, value: 1 });
    const proof = await http('GET', '/ledger/proof?x=3&y=3&z=3');
    expect(proof.json.root).toMatch(/^[0-9a-f]{64}$/);
    const blocks = await http('GET', '/blocks?limit=2');
    expect(blocks.json.blocks.length).toBe(2);
    expect((await http('GET', '/blocks?limit=0')).status).toBe(400);
    expect((await http('GET', '/healthz')).json.ok).toBe(true);
    const metrics = await http('GET', '/metrics');
    expect(metrics.text).toMatch(/^# HELP konomi_uptime_seconds/m);
    expect(metrics.text).toMatch(/^konomi_frames_received_total \d+/m);
    expect(metrics.text).toMatch(/^konomi_cube_kappa\{cube="0"\} [0-9.]+/m);
    const page = await http('GET', '/');
    expect(page.text).toMatch(/npm run build:web/);
    expect((await http('GET', '/nope')).status).toBe(404);
  });
});

describe('WebSocket JSON API', () => {
  async function open(): Promise<{ ws: WebSocket; next: () => Promise<any> }> {
    const ws = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws`);
    const queue: any[] = [];
    const waiters: Array<(m: any) => void> = [];
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      const w = waiters.shift();
      if (w) w(msg);
      else queue.push(msg);
    });
    await new Promise((r) => ws.once('open', r));
    return { ws, next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r))) };
  }

  it('answers a message over 64 KiB with TOO_LARGE and keeps the socket open', async () => {
    const { ws, next } = await open();
    const closed = vi.fn();
    ws.on('close', closed);
    ws.send(JSON.stringify({ type: 'process', id: 9, x: 1, y: 2, z: 3, prompt: 'é'.repeat(40 * 1024) }));
    expect(await next()).toMatchObject({ type: 'error', code: 'TOO_LARGE', message: expect.stringMatching(/65536/) });
    ws.send(JSON.stringify({ type: 'initialize', id: 10 }));
    expect(await next()).toMatchObject({ type: 'initialize', id: 10, ok: true });
    expect(closed).not.toHaveBeenCalled();
    ws.close();
  });

  it('answers each message type, survives bad messages and pushes live events', async () => {
    const { ws, next } = await open();
    ws.send(JSON.stringify({ type: 'initialize', id: 1 }));
    expect(await next()).toMatchObject({ type: 'initialize', id: 1, ok: true });
    ws.send('not json');
    expect(await next()).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    ws.send(JSON.stringify({ type: 'launch', id: 2 }));
    expect(await next()).toMatchObject({ type: 'error', id: 2, message: expect.stringMatching(/^type:/) });
    ws.send(JSON.stringify({ type: 'process', id: 3, x: 1, y: 2, z: 3, prompt: 'hello', maxTokens: 4 }));
    expect(await next()).toMatchObject({ type: 'process', id: 3, ok: true, x: 1 });
    ws.send(JSON.stringify({ type: 'process', id: 4, x: 1, y: 2 }));
    expect(await next()).toMatchObject({ type: 'error', id: 4, message: expect.stringMatching(/^z:/) });
    ws.send(JSON.stringify({ type: 'collective_think', id: 5, cube: 0, text: 'what now' }));
    expect(await next()).toMatchObject({ type: 'collective_think', id: 5, ok: true, cube: 0 });
    ws.send(JSON.stringify({ type: 'connect', id: 6, cube: 0, vertex: 0, otherCube: 1, otherVertex: 1 }));
    expect(await next()).toMatchObject({ type: 'connect', id: 6, ok: true });
    ws.send(JSON.stringify({ type: 'status', id: 7 }));
    expect((await next()).status.cubes).toBeGreaterThanOrEqual(2);
    ws.send(JSON.stringify({ type: 'subscribe', id: 8 }));
    expect(await next()).toMatchObject({ type: 'subscribe', id: 8, ok: true });
    await http('POST', '/value', { x: 8, y: 8, z: 8, value: 3 });
    const events = [await next(), await next()];
    expect(events).toContainEqual(expect.objectContaining({ type: 'event', event: 'block', data: expect.objectContaining({ x: 8, value: 3 }) }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'event', event: 'ledger' }));
    ws.close();
  });
});

describe('modem on /modem', () => {
  it('dials the packet port (ATDT 5600) and carries protocol frames over the paced call', async () => {
    const { connectWebSocketLine } = await import('../../bridge/lines/WebSocketLine.js');
    const dte = await connectWebSocketLine(`${server.httpUrl.replace('http', 'ws')}/modem`);
    let text = '';
    const connected = new Promise<void>((resolve) => {
      const sub = dte.onData((chunk) => {
        text += Buffer.from(chunk).toString('latin1');
        if (/CONNECT 56000\r\n/.test(text)) {
          sub.dispose();
          resolve();
        }
      });
    });
    dte.write(new TextEncoder().encode('ATE0\rATDT 5600\r'));
    await connected;
    const session = new Session(dte, { name: 'over-the-modem' });
    const reply = decodeBlockGetReply((await session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 1, y: 2, z: 3 }))).payload);
    expect(reply).toMatchObject({ active: true, value: 4.5 });
    expect(server.dispatcher.lines().some((l) => l.kind === 'modem')).toBe(true);
    session.close();
    dte.close();
  });
});

describe('exposed on a non-loopback host', () => {
  it('requires a token and generates one when none is given', async () => {
    const log = new MemoryLogger();
    const exposed = await BridgeServer.start({ host: '0.0.0.0', port: 0, packetPort: 0, logger: log });
    try {
      expect(exposed.token).toMatch(/^[0-9a-f]{24}$/);
      expect(log.lines.some((l) => l.includes(exposed.token!))).toBe(true);
    } finally {
      await exposed.stop();
    }
  });
});

describe('a serial device as a bridge line', () => {
  it('serves protocol requests arriving over a socat pty pair', async () => {
    const { SerialPortLine } = await import('../../bridge/lines/SerialPortLine.js');
    const pty = await openPtyPair();
    const { paths } = pty;
    try {
      server.attach(await SerialPortLine.open(paths[0]!), 'serial');
      const device = await SerialPortLine.open(paths[1]!);
      const session = new Session(device, { name: 'serial-client' });
      const reply = decodeBlockGetReply((await session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 1, y: 2, z: 3 }))).payload);
      expect(reply).toMatchObject({ active: true, value: 4.5 });
      expect(server.dispatcher.lines().some((l) => l.kind === 'serial' && l.name === `serial:${paths[0]}`)).toBe(true);
      session.close();
      device.close();
    } finally {
      pty.close();
    }
  });
});
