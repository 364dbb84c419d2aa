import { describe, expect, it } from 'vitest';
import { ErrorCode, Flag, Opcode } from '../../protocol/constants.js';
import { encodeFrame } from '../../protocol/encodeFrame.js';
import type { Frame } from '../../protocol/Frame.js';
import { FrameDecoder } from '../../protocol/FrameDecoder.js';
import { decodeErrorPayload } from '../../protocol/payloads/errorPayload.js';
import { createLinePair } from '../../protocol/MemoryLine.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { Session } from '../../protocol/Session.js';
import { encodeBlockGetRequest } from '../../protocol/payloads/blockGet.js';
import { decodeCubeMsgReply, decodeCubeMsgRequest, encodeCubeMsgReply, encodeCubeMsgRequest } from '../../protocol/payloads/cubeMsg.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';
import { Dispatcher } from '../../bridge/dispatch/Dispatcher.js';
import type { DispatcherLimits } from '../../bridge/dispatch/DispatcherLimits.js';
import { KonomiService } from '../../bridge/service/KonomiService.js';

async function setup(options: { token?: string; limits?: Partial<DispatcherLimits>; now?: () => number } = {}) {
  const konomi = await Konomi.open();
  konomi.cubes.create(0, 0, 0);
  konomi.cubes.create(4, 0, 0);
  const service = new KonomiService(konomi);
  const dispatcher = new Dispatcher({
    core: service,
    ...(options.token ? { token: new TextEncoder().encode(options.token) } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const connect = (remote = false, name = 'client') => {
    const [mine, bridgeEnd] = createLinePair([name, `bridge<-${name}`]);
    dispatcher.attach(bridgeEnd, { kind: 'memory', remote });
    return { session: new Session(mine, { name }), line: mine };
  };
  return { konomi, service, dispatcher, connect };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    return err instanceof ProtocolError ? err.code : String(err);
  }
}

const cubeMsg = (cube: number, vertex: number, text: string) => encodeCubeMsgRequest({ cube, vertex, text });

describe('Dispatcher security', () => {
  it('serves a remote line only after a HELLO with the right token', async () => {
    const { connect } = await setup({ token: 'sesame' });
    const { session } = connect(true);
    expect(await codeOf(session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 })))).toBe('UNAUTHORIZED');
    expect(await codeOf(session.request(Opcode.PING, new Uint8Array([1])))).toBe('UNAUTHORIZED');
    expect(await codeOf(session.hello({ token: new TextEncoder().encode('wrong') }))).toBe('UNAUTHORIZED');
    expect(await codeOf(session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 })))).toBe('UNAUTHORIZED');
    await session.hello({ token: new TextEncoder().encode('sesame') });
    expect(await codeOf(session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 })))).toBe('OK');
    expect(await codeOf(session.request(Opcode.PING, new Uint8Array([1])))).toBe('OK');
    const big = new Uint8Array(10_000).map((_, i) => i & 0xff);
    expect([...(await session.request(Opcode.PING, big)).payload]).toEqual([...big]);
  });

  it('refuses every remote line when no token is configured; loopback lines need none', async () => {
    const { connect } = await setup();
    const remote = connect(true).session;
    expect(await codeOf(remote.hello({ token: new Uint8Array(0) }))).toBe('UNAUTHORIZED');
    const local = connect(false).session;
    expect(await codeOf(local.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 })))).toBe('OK');
  });

  it('refuses fragments from a remote line before its token (UNAUTHORIZED) instead of reassembling them', async () => {
    const { dispatcher } = await setup({ token: 'sesame' });
    const [mine, bridgeEnd] = createLinePair(['raw', 'bridge<-raw']);
    dispatcher.attach(bridgeEnd, { kind: 'memory', remote: true });
    const decoder = new FrameDecoder();
    const replies: Frame[] = [];
    decoder.onFrame((frame) => replies.push(frame));
    mine.onData((chunk) => decoder.push(chunk));
    const first = { opcode: Opcode.TENSOR_OP, seq: 7, channel: 0, payload: new Uint8Array(200).fill(1) };
    mine.write(encodeFrame({ ...first, flags: Flag.MORE, fragment: 0 }));
    mine.write(encodeFrame({ ...first, seq: 8, flags: Flag.MORE | Flag.NOREPLY, fragment: 0 }));
    await new Promise((r) => setTimeout(r, 20));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ seq: 7, flags: Flag.REPLY | Flag.ERROR });
    expect(decodeErrorPayload(replies[0]!.payload).code).toBe(ErrorCode.UNAUTHORIZED);
    expect(dispatcher.lines()[0]!.stats).toMatchObject({ framesIn: 0 });
  });

  it('authorizes a remote line whose transport presented the token', async () => {
    const { dispatcher } = await setup({ token: 'sesame' });
    const [mine, bridgeEnd] = createLinePair(['browser', 'bridge<-browser']);
    dispatcher.attach(bridgeEnd, { kind: 'ws', remote: true, tokenPresented: true });
    const session = new Session(mine, { name: 'browser' });
    expect(await codeOf(session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 })))).toBe('OK');
    expect(dispatcher.lines()[0]).toMatchObject({ remote: true, authorized: true });
  });

  it('answers BUSY past the request rate of a line', async () => {
    let now = 0;
    const { connect } = await setup({ limits: { requestsPerSecond: 10, requestBurst: 3 }, now: () => now });
    const { session } = connect();
    const get = () => codeOf(session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 })));
    expect([await get(), await get(), await get(), await get()]).toEqual(['OK', 'OK', 'OK', 'BUSY']);
    now += 100;
    expect(await get()).toBe('OK');
  });
});

describe('Dispatcher reassembly memory', () => {
  it('bounds the bytes in partial messages per line with maxReassemblyBytes (BUSY past it), not the message size', async () => {
    const { connect, dispatcher } = await setup({ limits: { maxReassemblyBytes: 10_000 } });
    const { session } = connect();
    const payload = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff);
    expect((await session.request(Opcode.PING, payload(8_000))).payload.length).toBe(8_000);
    // Three fragments of ~4 KB: the third would take the partial bytes past 10,000.
    expect(await codeOf(session.request(Opcode.PING, payload(12_000)))).toBe('BUSY');
    expect((await session.request(Opcode.PING, payload(100))).payload.length).toBe(100);
  });

  it('counts the bytes of all partial messages of a line together', async () => {
    const { dispatcher } = await setup({ limits: { maxReassemblyBytes: 10_000 } });
    const [mine, bridgeEnd] = createLinePair(['raw', 'bridge<-raw']);
    dispatcher.attach(bridgeEnd, { kind: 'memory', remote: false });
    const decoder = new FrameDecoder();
    const replies: Frame[] = [];
    decoder.onFrame((frame) => replies.push(frame));
    mine.onData((chunk) => decoder.push(chunk));
    // First fragments of three different messages, 4,000 bytes each: the third is one too many.
    for (const seq of [1, 2, 3]) {
      mine.write(encodeFrame({ flags: Flag.MORE, opcode: Opcode.PING, seq, channel: 0, fragment: 0, payload: new Uint8Array(4000) }));
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(replies.map((f) => f.seq)).toEqual([3]);
    expect(replies[0]!.flags & Flag.ERROR).toBe(Flag.ERROR);
    expect(decodeErrorPayload(replies[0]!.payload).code).toBe(ErrorCode.BUSY);
  });
});

describe('Dispatcher vertex routing', () => {
  async function withGuest(limits: Partial<DispatcherLimits> = {}) {
    const s = await setup({ limits });
    const guest = s.connect(false, 'xp10');
    const seen: Array<{ channel: number; text: string }> = [];
    let hang = false;
    guest.session.setHandler((req) => {
      if (req.opcode !== Opcode.CUBE_MSG) throw new ProtocolError('UNSUPPORTED', 'guest');
      const msg = decodeCubeMsgRequest(req.payload);
      seen.push({ channel: req.channel, text: msg.text });
      if (hang) return new Promise<Uint8Array>(() => undefined);
      return encodeCubeMsgReply({ vertex: msg.vertex, kappa: 0.5, text: `guest agent: ${msg.text}` });
    });
    await guest.session.hello({ name: 'xp10', vertices: [{ cube: 1, vertex: 0, channel: 3 }] });
    return { ...s, guest, seen, setHang: (v: boolean) => { hang = v; } };
  }

  it('forwards CUBE_MSG for a hosted vertex to the guest agent on its channel and routes the reply back', async () => {
    const { connect, seen, dispatcher } = await withGuest();
    const client = connect().session;
    const reply = decodeCubeMsgReply((await client.request(Opcode.CUBE_MSG, cubeMsg(1, 0, 'hello there'))).payload);
    expect(reply.text).toBe('guest agent: hello there');
    expect(seen).toEqual([{ channel: 3, text: 'hello there' }]);
    const other = decodeCubeMsgReply((await client.request(Opcode.CUBE_MSG, cubeMsg(1, 1, 'core please'))).payload);
    expect(other.text).not.toMatch(/guest agent/);
    expect(dispatcher.lines().find((l) => l.peerName === 'xp10')?.vertices).toEqual([{ cube: 1, vertex: 0, channel: 3 }]);
  });

  it('a dropped guest fails its forwarded requests with UNAVAILABLE and its vertices fall back to the core', async () => {
    const { connect, guest, setHang, dispatcher } = await withGuest();
    setHang(true);
    const client = connect().session;
    const pending = codeOf(client.request(Opcode.CUBE_MSG, cubeMsg(1, 0, 'are you there')));
    await new Promise((r) => setTimeout(r, 20));
    guest.line.close();
    expect(await pending).toBe('UNAVAILABLE');
    const fallback = decodeCubeMsgReply((await client.request(Opcode.CUBE_MSG, cubeMsg(1, 0, 'hello again'))).payload);
    expect(fallback.text).not.toMatch(/guest agent/);
    expect(dispatcher.lines().some((l) => l.peerName === 'xp10')).toBe(false);
  });

  it('a second guest announcing a hosted vertex takes it while connected, then hands it back, and the core gets it last', async () => {
    const { connect, guest, seen, dispatcher } = await withGuest();
    const second = connect(false, 'xp10-b');
    second.session.setHandler((req) => {
      const msg = decodeCubeMsgRequest(req.payload);
      return encodeCubeMsgReply({ vertex: msg.vertex, kappa: 0.5, text: `second agent: ${msg.text}` });
    });
    await second.session.hello({ name: 'xp10-b', vertices: [{ cube: 1, vertex: 0, channel: 5 }] });
    const client = connect().session;
    const ask = async (text: string) => decodeCubeMsgReply((await client.request(Opcode.CUBE_MSG, cubeMsg(1, 0, text))).payload).text;
    expect(await ask('who')).toBe('second agent: who');
    expect(dispatcher.lines().find((l) => l.peerName === 'xp10')?.vertices).toEqual([]);
    const closed = new Promise<void>((resolve) => dispatcher.onLineEvent((e) => e.type === 'close' && resolve()));
    second.line.close();
    await closed;
    expect(await ask('and now')).toBe('guest agent: and now');
    expect(seen).toEqual([{ channel: 3, text: 'and now' }]);
    expect(dispatcher.lines().find((l) => l.peerName === 'xp10')?.vertices).toEqual([{ cube: 1, vertex: 0, channel: 3 }]);
    const closedToo = new Promise<void>((resolve) => dispatcher.onLineEvent((e) => e.type === 'close' && e.line.peerName === 'xp10' && resolve()));
    guest.line.close();
    await closedToo;
    expect(await ask('anyone')).not.toMatch(/agent/);
  });

  it('limits outstanding requests per line with BUSY', async () => {
    const { connect, setHang } = await withGuest({ maxOutstanding: 2 });
    setHang(true);
    const client = connect().session;
    void client.request(Opcode.CUBE_MSG, cubeMsg(1, 0, 'one')).catch(() => undefined);
    void client.request(Opcode.CUBE_MSG, cubeMsg(1, 0, 'two')).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(await codeOf(client.request(Opcode.CUBE_MSG, cubeMsg(1, 0, 'three')))).toBe('BUSY');
  });

  it('refuses to host a vertex that does not exist', async () => {
    const { connect } = await setup();
    const guest = connect().session;
    expect(await codeOf(guest.hello({ vertices: [{ cube: 1, vertex: 9, channel: 1 }] }))).toBe('OUT_OF_RANGE');
  });

  it('a guest asking about its own vertex is answered by the core, not looped back', async () => {
    const { guest, seen } = await withGuest();
    const reply = decodeCubeMsgReply((await guest.session.request(Opcode.CUBE_MSG, cubeMsg(1, 0, 'self'))).payload);
    expect(reply.text).not.toMatch(/guest agent/);
    expect(seen).toEqual([]);
  });
});
