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
import { MemoryLogger } from '../../bridge/util/Logger.js';
import { toHex } from '../../bridge/util/hex.js';
import { ERROR_TABLE } from '../../protocol/errors/errorTable.js';
import { readFileSync } from 'node:fs';
import { createLinePair } from '../../protocol/MemoryLine.js';
import { decodeCubeMsgRequest, encodeCubeMsgReply } from '../../protocol/payloads/cubeMsg.js';

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

describe('REST validation: one rule for numbers, the field and the real reason in every 400', () => {
  const raw = (path: string, body: string) => http('POST', path, body);
  const cellIsUntouched = async (x: number) => expect((await http('GET', `/value?x=${x}&y=77&z=77`)).json.active).toBe(false);

  it('a body that is valid JSON but not an object is named for what it is, not "not valid JSON"', async () => {
    for (const [body, what] of [['null', 'null'], ['7', '7'], ['"x"', 'the string "x"'], ['[1]', 'an array'], ['true', 'true']]) {
      const r = await raw('/value', body!);
      expect(r.status).toBe(400);
      expect(r.json.error).toEqual({ code: 'BAD_REQUEST', field: 'body', message: `body: must be a JSON object, got ${what}` });
    }
    const broken = await raw('/value', '{"x":1,');
    expect(broken.status).toBe(400);
    expect(broken.json.error.message).toMatch(/^body: is not valid JSON: \S/);
  });

  it('numbers must be JSON numbers, finite and in range; strings never pass as numbers', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['{"x":71,"y":77,"z":77,"value":1e400}', 'value', /^value: must be finite: the number is beyond the float64 range/],
      ['{"x":71,"y":77,"z":77,"value":-1e400}', 'value', /^value: must be finite/],
      ['{"x":71,"y":77,"z":77,"value":"0x1F"}', 'value', /^value: must be a JSON number, got the string "0x1F"$/],
      ['{"x":71,"y":77,"z":77,"value":" "}', 'value', /^value: must be a JSON number, got the string " "$/],
      ['{"x":71,"y":77,"z":77,"value":"3"}', 'value', /^value: must be a JSON number, got the string "3"$/],
      ['{"x":71,"y":77,"z":77,"value":null}', 'value', /^value: must be a JSON number, got null$/],
      ['{"x":" ","y":77,"z":77,"value":1}', 'x', /^x: must be a JSON number, got the string " "$/],
      ['{"x":"71","y":77,"z":77,"value":1}', 'x', /^x: must be a JSON number, got the string "71"$/],
      ['{"x":71.5,"y":77,"z":77,"value":1}', 'x', /^x: must be an integer, got 71.5$/],
      ['{"x":70000,"y":77,"z":77,"value":1}', 'x', /^x: must be in 0\.\.65535, got 70000$/],
      ['{"x":71,"y":77,"z":77,"value":1,"array":true}', 'array', /^array: must be a JSON number, got true$/],
    ];
    for (const [body, field, message] of cases) {
      const r = await raw('/value', body);
      expect(r.status, body).toBe(400);
      expect(r.json.error.field, body).toBe(field);
      expect(r.json.error.message, body).toMatch(message);
      if (!body.includes('null')) expect(r.json.error.message, body).not.toMatch(/\bnull\b/);
    }
    await cellIsUntouched(71);
    const ok = await raw('/value', '{"x":71,"y":77,"z":77,"value":-2.5e-3}');
    expect(ok.status).toBe(200);
    expect(ok.json.value).toBe(-2.5e-3);
  });

  it('query strings: numbers written as JSON writes them, once', async () => {
    for (const [query, field, message] of [
      ['x=0x1F&y=1&z=1', 'x', /^x: must be a number written as in JSON \(decimal\), got "0x1F"$/],
      ['x=%20&y=1&z=1', 'x', /^x: must be a number/],
      ['x=1&y=Infinity&z=1', 'y', /^y: must be a number/],
      ['x=1&y=1&z=1e400', 'z', /^z: must be finite/],
      ['x=1&x=2&y=1&z=1', 'x', /^x: is given more than once$/],
      ['x=1&y=1', 'z', /^z: is required$/],
    ] as const) {
      const r = await http('GET', `/value?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.json.error, query).toMatchObject({ code: 'BAD_REQUEST', field });
      expect(r.json.error.message, query).toMatch(message);
    }
    expect((await http('GET', '/value?x=1e1&y=0&z=0')).json).toMatchObject({ x: 10 });
    expect((await http('GET', '/cubes/0x0')).json.error).toMatchObject({ field: 'id' });
  });

  it('/llm/interlock checks plane indexes against the array, so the core never refuses them', async () => {
    const head = (await http('GET', '/ledger/head')).json.length;
    const r = await http('POST', '/llm/interlock', { op: 'activate', axis: 'z', index: 1010, value: 1 });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({ code: 'BAD_REQUEST', field: 'index', message: 'index: must be in 0..999, got 1010' });
    expect((await http('GET', '/ledger/head')).json.length).toBe(head);
    const t = await http('POST', '/template/create', { dims: { x: 4, y: 6, z: 8 } });
    const inst = (await http('POST', '/instance/create', { template: t.json.id })).json;
    const small = await http('POST', '/llm/interlock', { op: 'deactivate', axis: 'y', index: 6, array: inst.id });
    expect(small.json.error).toMatchObject({ field: 'index', message: 'index: must be in 0..5, got 6' });
    const sync = await http('POST', '/llm/interlock', { op: 'sync', axis: 'x', index: 1, to: 4, array: 0, target: inst.id });
    expect(sync.json.error).toMatchObject({ field: 'to', message: 'to: must be in 0..3, got 4' });
    const op = await http('POST', '/llm/interlock', { op: 'explode', axis: 'x', index: 1 });
    expect(op.json.error).toMatchObject({ field: 'op', message: 'op: must be activate, deactivate or sync, got the string "explode"' });
    expect((await http('POST', '/llm/interlock', { op: 'activate', axis: 'y', index: 5, value: 1, array: inst.id })).status).toBe(200);
  });

  it('nested fields are named by their path', async () => {
    const r = await http('POST', '/template/create', { dims: { x: 4, y: 4, z: 4 }, cells: [{ x: 1, y: 1, z: 1, value: 1 }, { x: 1, y: '2', z: 1, value: 1 }] });
    expect(r.json.error).toMatchObject({ field: 'cells[1].y', message: 'cells[1].y: must be a JSON number, got the string "2"' });
    expect((await http('POST', '/template/create', { dims: null })).json.error).toMatchObject({ field: 'dims', message: 'dims: must be a JSON object, got null' });
    expect((await http('POST', '/template/create', { dims: { x: 4, y: 4, z: 0 } })).json.error).toMatchObject({ field: 'dims.z' });
  });

  it('PackML conflicts are 409 with the core code: INVALID_TRANSITION, NOT_RUNNING, ALREADY_EXISTS', async () => {
    const notTemplate = await http('POST', '/instance/create', { template: 0 });
    expect(notTemplate.status).toBe(409);
    expect(notTemplate.json.error.code).toBe('INVALID_TRANSITION');
    const t = await http('POST', '/template/create', { dims: { x: 2, y: 2, z: 2 } });
    const frozen = await http('POST', '/value', { x: 1, y: 1, z: 1, value: 1, array: t.json.id });
    expect(frozen.status).toBe(409);
    expect(frozen.json.error.code).toBe('NOT_RUNNING');
  });

  it('docs/BRIDGE.md lists every 4xx code the APIs answer with', () => {
    const docs = readFileSync('docs/BRIDGE.md', 'utf8');
    const section = docs.slice(docs.indexOf('### Error codes'), docs.indexOf('### JSON API'));
    for (const [code, { status }] of Object.entries(ERROR_TABLE)) {
      if (status >= 400 && status < 500) expect(section, code).toMatch(new RegExp(`\\| ${status} \\| \`${code}\``));
    }
  });

  it('docs/BRIDGE.md lists every error code with the status, kind and wire code of ERROR_TABLE', () => {
    const docs = readFileSync('docs/BRIDGE.md', 'utf8');
    const section = docs.slice(docs.indexOf('### Error codes'), docs.indexOf('### JSON API'));
    const rows = section.split('\n').filter((line) => /^\| \d{3} \| `/.test(line));
    expect(rows).toHaveLength(Object.keys(ERROR_TABLE).length);
    for (const [code, { status, kind, wire }] of Object.entries(ERROR_TABLE)) {
      expect(section, code).toContain(`| ${status} | \`${code}\` | ${kind} | ${wire} |`);
    }
  });
});

describe('vertices by name or number (REST and /ws)', () => {
  it('POST /cubes/:id/message takes NEU…CENTRAL, ALL or 0..8', async () => {
    for (const [vertex, number] of [['NEU', 0], ['swd', 7], ['CENTRAL', 8], [3, 3], ['ALL', 8]] as const) {
      const r = await http('POST', '/cubes/0/message', { vertex, text: 'who are you?' });
      expect(r.status, String(vertex)).toBe(200);
      expect(r.json).toMatchObject({ cube: 0, vertex: number, vertexName: ['NEU', 'NED', 'NWU', 'NWD', 'SEU', 'SED', 'SWU', 'SWD', 'CENTRAL'][number] });
      expect(typeof r.json.text).toBe('string');
    }
    for (const vertex of ['XYZ', 9, '3', -1, 2.5, null]) {
      const r = await http('POST', '/cubes/0/message', { vertex, text: 'x' });
      expect(r.status, String(vertex)).toBe(400);
      expect(r.json.error.field).toBe('vertex');
      expect(r.json.error.message).toMatch(/NEU, NED, NWU, NWD, SEU, SED, SWU, SWD, CENTRAL, ALL/);
    }
    expect((await http('POST', '/cubes/999/message', { vertex: 'NEU', text: 'x' })).status).toBe(404);
  });

  it("a guest's own error is 502 UPSTREAM; a guest that goes away mid-request is 503 UNAVAILABLE", async () => {
    const [guestEnd, bridgeEnd] = createLinePair(['guest', 'bridge']);
    server.attach(bridgeEnd, 'memory');
    const guest = new Session(guestEnd, { name: 'guest' });
    let mode: 'fail' | 'hang' = 'fail';
    guest.setHandler((req) => {
      if (mode === 'hang') return new Promise<Uint8Array>(() => undefined);
      const msg = decodeCubeMsgRequest(req.payload);
      if (msg.text === 'ok') return encodeCubeMsgReply({ vertex: msg.vertex, kappa: 0.5, text: 'guest here' });
      throw new ProtocolError('UNSUPPORTED', 'this agent does not do that');
    });
    await guest.hello({ name: 'guest', vertices: [{ cube: 1, vertex: 6, channel: 2 }] });
    expect((await http('POST', '/cubes/1/message', { vertex: 'SWU', text: 'ok' })).json).toMatchObject({ vertex: 6, vertexName: 'SWU', text: 'guest here' });
    const failed = await http('POST', '/cubes/1/message', { vertex: 'SWU', text: 'do it' });
    expect(failed.status).toBe(502);
    expect(failed.json.error).toMatchObject({ code: 'UPSTREAM', message: expect.stringMatching(/^UNSUPPORTED: this agent does not do that/) });
    mode = 'hang';
    const pending = http('POST', '/cubes/1/message', { vertex: 'SWU', text: 'are you there?' });
    await new Promise((r) => setTimeout(r, 50));
    guestEnd.close();
    const gone = await pending;
    expect(gone.status).toBe(503);
    expect(gone.json.error.code).toBe('UNAVAILABLE');
    guest.close();
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
    // Vertices by name, as the CLI and the docs name them.
    ws.send(JSON.stringify({ type: 'process', id: 61, cube: 0, vertex: 'NEU', text: 'hello' }));
    expect(await next()).toMatchObject({ type: 'process', id: 61, ok: true, vertex: 0, vertexName: 'NEU' });
    ws.send(JSON.stringify({ type: 'process', id: 62, cube: 0, vertex: 'central', text: 'hello' }));
    expect(await next()).toMatchObject({ type: 'process', id: 62, ok: true, vertex: 8 });
    ws.send(JSON.stringify({ type: 'connect', id: 63, cube: 0, vertex: 'SWD', otherCube: 1, otherVertex: 'NEU' }));
    expect(await next()).toMatchObject({ type: 'connect', id: 63, ok: true, vertex: 7, otherVertex: 0 });
    ws.send(JSON.stringify({ type: 'connect', id: 64, cube: 0, vertex: 'SWD', otherCube: 1, otherVertex: 'NEU' }));
    expect(await next()).toMatchObject({ type: 'error', id: 64, code: 'ALREADY_EXISTS' });
    ws.send(JSON.stringify({ type: 'process', id: 65, cube: 0, vertex: 'NEX', text: 'hello' }));
    expect(await next()).toMatchObject({ type: 'error', id: 65, code: 'BAD_REQUEST', field: 'vertex', message: expect.stringMatching(/^vertex: must be a vertex name \(NEU/) });
    ws.send('null');
    expect(await next()).toMatchObject({ type: 'error', code: 'BAD_REQUEST', message: 'message: must be a JSON object, got null' });
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
