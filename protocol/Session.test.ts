import { describe, expect, it } from 'vitest';
import { ErrorCode, Flag, MAX_PAYLOAD, Opcode } from './constants.js';
import type { Disposable } from './Disposable.js';
import { encodeFrame } from './encodeFrame.js';
import { FrameDecoder } from './FrameDecoder.js';
import type { Frame } from './Frame.js';
import type { Line } from './Line.js';
import { createLinePair } from './MemoryLine.js';
import { encodeErrorPayload } from './payloads/errorPayload.js';
import { ProtocolError } from './ProtocolError.js';
import { helloBootId, withHelloBootId } from './payloads/hello.js';
import { Session, type IncomingRequest, type SessionEvent, type SessionOptions } from './Session.js';
import { ManualClock } from './testing/ManualClock.js';
import { MAX_SEQ_SPAN } from './serial.js';
import { LINE_PROFILES } from './LineProfile.js';
import { PacedLine } from './PacedLine.js';
import { ReplyCacheRegistry } from './ReplyCacheRegistry.js';
import { REPLY_SLICE_FRAMES } from './SessionResponder.js';
import { encodeHello, makeHello } from './payloads/hello.js';

const bytes = (...values: number[]) => new Uint8Array(values);

/** Attaches a handler at once (no unhandled rejection while the clock runs) and yields the error. */
function caught(p: Promise<unknown>): Promise<ProtocolError> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as ProtocolError,
  );
}

function pair(clientOptions: SessionOptions = {}, serverOptions: SessionOptions = {}) {
  const clock = new ManualClock();
  const [a, b] = createLinePair(['client', 'server']);
  const client = new Session(a, { clock, name: 'client', ...clientOptions });
  const server = new Session(b, { clock, name: 'server', ...serverOptions });
  return { clock, a, b, client, server };
}

/** A line end with no session: records the frames the session under test sends. */
function rawPeer(line: Line): { frames: Frame[]; sub: Disposable } {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  decoder.onFrame((f) => frames.push({ ...f, payload: f.payload.slice() }));
  return { frames, sub: line.onData((chunk) => decoder.push(chunk)) };
}

/** Wraps a line and drops the writes for which `drop` returns true. */
function filteredLine(inner: Line, drop: (wire: Uint8Array, index: number) => boolean): Line {
  let index = 0;
  return {
    name: inner.name,
    get isOpen() {
      return inner.isOpen;
    },
    write: (data) => {
      if (!drop(data, index++)) inner.write(data);
    },
    onData: (l) => inner.onData(l),
    onClose: (l) => inner.onClose(l),
    close: () => inner.close(),
  };
}

describe('Session', () => {
  it('answers PING with an echo and HELLO with its own hello, negotiating window and max content', async () => {
    const { clock, client, server } = pair({ window: 16 }, { window: 4, maxContent: 200, hello: { name: 'srv' } });
    const ping = client.request(Opcode.PING, bytes(1, 2, 3));
    await clock.settle();
    await expect(ping).resolves.toMatchObject({ payload: bytes(1, 2, 3), channel: 0, seq: 1 });
    const hello = client.hello();
    await clock.settle();
    await expect(hello).resolves.toMatchObject({ name: 'srv', window: 4, maxContent: 200 });
    expect(client.window).toBe(4);
    expect(server.window).toBe(4);
    expect(server.peerHello?.name).toBe('client');
    // Requests now use the server's smaller frames.
    const before = client.stats.framesOut;
    const big = client.request(Opcode.PING, new Uint8Array(1000).fill(9));
    await clock.settle();
    expect((await big).payload).toEqual(new Uint8Array(1000).fill(9));
    expect(client.stats.framesOut - before).toBe(Math.ceil(1000 / 190));
  });

  it('turns handler errors into ERROR replies with their codes', async () => {
    const { clock, client, server } = pair();
    const events: SessionEvent[] = [];
    server.onEvent((e) => events.push(e));
    server.setHandler((req) => {
      if (req.opcode === Opcode.BLOCK_GET) throw new ProtocolError('OUT_OF_RANGE', 'x too big');
      if (req.opcode === Opcode.BLOCK_SET) return Promise.reject(new ProtocolError('BUSY', 'later'));
      throw new Error('boom');
    });
    const pending = [Opcode.BLOCK_GET, Opcode.BLOCK_SET, Opcode.CUBE_MSG, 0x55].map((op) => caught(client.request(op, bytes(0))));
    await clock.settle();
    const errors = await Promise.all(pending);
    expect(errors.map((e) => e.code)).toEqual(['OUT_OF_RANGE', 'BUSY', 'INTERNAL', 'UNSUPPORTED']);
    expect(errors[0]).toMatchObject({ remote: true, message: 'x too big' });
    expect(events.filter((e) => e.type === 'handler-error')).toHaveLength(1);
  });

  it('answers known opcodes without a handler with UNSUPPORTED', async () => {
    const { clock, client } = pair();
    const p = caught(client.request(Opcode.TENSOR_OP, bytes()));
    await clock.settle();
    expect(await p).toMatchObject({ code: 'UNSUPPORTED', remote: true });
  });

  it('NOREPLY requests run the handler once and get no reply', async () => {
    const { clock, client, server } = pair();
    const seen: IncomingRequest[] = [];
    server.setHandler((req) => {
      seen.push(req);
      return bytes(1);
    });
    const reply = await client.request(Opcode.CUBE_MSG, bytes(7), { noReply: true });
    expect(reply.payload.length).toBe(0);
    await clock.settle();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.noReply).toBe(true);
    expect(server.stats.repliesSent).toBe(0);
    expect(client.outstandingCount).toBe(0);
  });

  it('keeps at most W requests outstanding and queues the rest', async () => {
    const { clock, client, server } = pair({ window: 3 });
    const release: (() => void)[] = [];
    server.setHandler(
      (req) =>
        new Promise<Uint8Array>((resolve) => {
          release.push(() => resolve(req.payload));
        }),
    );
    const all = Array.from({ length: 10 }, (_, i) => client.request(Opcode.CUBE_MSG, bytes(i)));
    await clock.settle();
    expect(release).toHaveLength(3);
    expect(client.outstandingCount).toBe(3);
    expect(client.queuedCount).toBe(7);
    while (release.length > 0) {
      release.shift()!();
      await clock.settle();
      expect(client.outstandingCount).toBeLessThanOrEqual(3);
    }
    const replies = await Promise.all(all);
    expect(replies.map((r) => r.payload[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('retransmits with back-off and fails with TIMEOUT after the retry limit', async () => {
    const clock = new ManualClock();
    const [a, b] = createLinePair();
    const peer = rawPeer(b);
    const client = new Session(a, { clock, initialRtoMs: 100, minRtoMs: 100, maxRtoMs: 1000, retryLimit: 3 });
    const p = client.request(Opcode.PING, bytes(1));
    const outcome = p.catch((e: unknown) => e);
    await clock.runUntil(() => client.outstandingCount === 0);
    expect(await outcome).toMatchObject({ code: 'TIMEOUT', remote: false });
    expect(peer.frames).toHaveLength(4);
    expect(new Set(peer.frames.map((f) => f.seq))).toEqual(new Set([1]));
    expect(client.stats.retransmits).toBe(3);
    expect(client.stats.timeouts).toBe(1);
    // 100 + 200 + 400 + 800 ms of back-off.
    expect(clock.now()).toBe(1500);
  });

  it('honours a per-request deadline instead of the retry limit', async () => {
    const clock = new ManualClock();
    const [a, b] = createLinePair();
    rawPeer(b);
    const client = new Session(a, { clock, initialRtoMs: 100, minRtoMs: 100, maxRtoMs: 200, retryLimit: 1 });
    const outcome = client.request(Opcode.PING, bytes(1), { timeoutMs: 2000 }).catch((e: unknown) => e);
    await clock.runUntil(() => client.outstandingCount === 0);
    expect(await outcome).toMatchObject({ code: 'TIMEOUT' });
    expect(clock.now()).toBe(2000);
    expect(client.stats.retransmits).toBeGreaterThan(5);
  });

  it('answers a retransmitted request from the duplicate cache without re-running the handler', async () => {
    const clock = new ManualClock();
    const [a, b] = createLinePair();
    const client = new Session(a, { clock, initialRtoMs: 100, minRtoMs: 100 });
    // The server's first reply is lost.
    const server = new Session(filteredLine(b, (_w, i) => i === 0), { clock });
    let runs = 0;
    server.setHandler(() => bytes(++runs));
    const p = client.request(Opcode.BLOCK_SET, bytes(0, 1, 0, 2, 0, 3));
    await clock.runUntil(() => client.outstandingCount === 0);
    expect((await p).payload).toEqual(bytes(1));
    expect(runs).toBe(1);
    expect(server.stats.duplicates).toBe(1);
    expect(client.stats.retransmits).toBe(1);
  });

  it('sends a NAK on a corrupt frame, and the peer retransmits its oldest request at once', async () => {
    const { clock, a, client, server } = pair({ initialRtoMs: 10_000 });
    let runs = 0;
    const finish: (() => void)[] = [];
    server.setHandler(
      () =>
        new Promise<Uint8Array>((resolve) => {
          runs++;
          finish.push(() => resolve(bytes(42)));
        }),
    );
    const first = client.request(Opcode.CUBE_MSG, bytes(1));
    const second = client.request(Opcode.CUBE_MSG, bytes(2));
    await clock.settle();
    const corrupt = encodeFrame({ flags: 0, opcode: 2, seq: 9, channel: 0, fragment: 0, payload: bytes(5) });
    corrupt[3]! ^= 0x01;
    a.write(corrupt);
    a.write(corrupt); // a second error inside the NAK interval sends no second NAK
    await clock.settle();
    expect(server.stats.crcErrors).toBe(2);
    expect(server.stats.naksSent).toBe(1);
    expect(client.stats.naksReceived).toBe(1);
    expect(client.stats.retransmits).toBe(1);
    expect(clock.now()).toBe(0);
    expect(server.stats.duplicates).toBe(1);
    expect(runs).toBe(2);
    for (const f of finish) f();
    await clock.settle();
    expect((await first).payload).toEqual(bytes(42));
    expect((await second).payload).toEqual(bytes(42));
  });

  it('rejects pending and new requests with LINE_CLOSED when the line closes', async () => {
    const { clock, a, client } = pair();
    const pending = caught(client.request(Opcode.PING, bytes(1)));
    a.close();
    await clock.settle();
    expect(await pending).toMatchObject({ code: 'LINE_CLOSED' });
    await expect(client.request(Opcode.PING, bytes())).rejects.toMatchObject({ code: 'LINE_CLOSED' });
    expect(client.isClosed).toBe(true);
  });

  it('rejects with SESSION_CLOSED after close()', async () => {
    const { clock, client, server } = pair();
    server.setHandler(() => new Promise<Uint8Array>(() => undefined));
    const pending = client.request(Opcode.CUBE_MSG, bytes()).catch((e: unknown) => e);
    await clock.settle();
    client.close();
    expect(await pending).toMatchObject({ code: 'SESSION_CLOSED' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('wraps seq from 65535 to 0 without confusing replies', async () => {
    const { clock, client, server } = pair({ initialSeq: 65530 });
    const seqs: number[] = [];
    server.setHandler((req) => {
      seqs.push(req.seq);
      return req.payload;
    });
    for (let i = 0; i < 12; i++) {
      const p = client.request(Opcode.CUBE_MSG, bytes(i));
      await clock.settle();
      expect((await p).payload).toEqual(bytes(i));
    }
    expect(seqs).toEqual([65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4, 5]);
  });

  it('does not answer a new request with a cached reply of an old one that had the same seq', async () => {
    const { clock, a, b, server } = pair();
    const peer = rawPeer(a);
    void b;
    server.setHandler((req) => req.payload);
    const send = (payload: Uint8Array) => a.write(encodeFrame({ flags: 0, opcode: Opcode.CUBE_MSG, seq: 5, channel: 1, fragment: 0, payload }));
    send(bytes(1));
    send(bytes(1));
    send(bytes(2));
    await clock.settle();
    expect(peer.frames.map((f) => f.payload[0])).toEqual([1, 1, 2]);
    expect(server.stats.requestsReceived).toBe(2);
  });

  it('carries fragmented requests and replies both ways', async () => {
    const { clock, client } = pair();
    const big = Uint8Array.from({ length: 3 * MAX_PAYLOAD + 17 }, (_, i) => (i * 7) & 0xff);
    const p = client.request(Opcode.PING, big);
    await clock.settle();
    expect((await p).payload).toEqual(big);
    expect(client.stats.framesOut).toBe(4);
    expect(client.stats.framesIn).toBe(4);
  });

  it('answers a request above the receiver limit with TOO_LARGE', async () => {
    const { clock, client } = pair({}, { maxMessageBytes: 5000 });
    const p = caught(client.request(Opcode.PING, new Uint8Array(9000)));
    await clock.settle();
    expect(await p).toMatchObject({ code: 'TOO_LARGE', remote: true });
  });

  it('refuses a HELLO through onHello with the thrown code', async () => {
    const { clock, client } = pair(
      {},
      {
        onHello: (peer) => {
          if (peer.token.length === 0) throw new ProtocolError('UNAUTHORIZED', 'token required');
        },
      },
    );
    const p = caught(client.hello());
    await clock.settle();
    expect(await p).toMatchObject({ code: 'UNAUTHORIZED' });
    const ok = client.hello({ token: bytes(1, 2, 3) });
    await clock.settle();
    await expect(ok).resolves.toMatchObject({ version: 1 });
  });

  it('maps an unknown remote error code and rejects invalid arguments locally', async () => {
    const { clock, client } = pair();
    expect(ProtocolError.fromWire(0x42, 'x').code).toBe('UNKNOWN_REMOTE_ERROR');
    expect(ProtocolError.fromWire(ErrorCode.NOT_FOUND, 'x')).toMatchObject({ code: 'NOT_FOUND', remote: true });
    expect(encodeErrorPayload({ code: 0x42, message: '' })).toEqual(bytes(0x42));
    await expect(client.request(Opcode.NAK, bytes())).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.request(Opcode.PING, bytes(), { channel: 256 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await clock.settle();
    expect(Flag.REPLY).toBe(1);
  });

  it('does not run ahead of its oldest unanswered request by MAX_SEQ_SPAN seqs', async () => {
    const { clock, client, server } = pair();
    const seen: number[] = [];
    server.setHandler((req) => {
      seen.push(req.seq);
      return req.seq === 1 ? new Promise<Uint8Array>(() => undefined) : req.payload;
    });
    for (let i = 0; i < 1100; i++) client.request(Opcode.CUBE_MSG, bytes(1)).catch(() => undefined);
    await clock.settle();
    expect(Math.max(...seen)).toBe(MAX_SEQ_SPAN);
    expect(client.outstandingCount).toBe(1);
    expect(client.queuedCount).toBe(1100 - MAX_SEQ_SPAN);
    client.close();
  });

  it('starts retransmission timers when a request has left a paced line, so a full window causes no spurious retransmits', async () => {
    const clock = new ManualClock();
    const [a, b] = createLinePair();
    const profile = LINE_PROFILES.v34;
    const client = new Session(new PacedLine(a, profile, 'upstream', clock), { clock, initialRtoMs: 1000, minRtoMs: 200 });
    new Session(new PacedLine(b, profile, 'downstream', clock), { clock });
    let done = 0;
    for (let i = 0; i < 16; i++) void client.request(Opcode.PING, new Uint8Array(4000).fill(i)).then(() => done++);
    await clock.runUntil(() => done === 16);
    // 16 × 4 KB each way at 3,360 bytes/s: about 19 s per direction, overlapping.
    expect(clock.now()).toBeGreaterThan(19_000);
    expect(client.stats.retransmits).toBe(0);
  });

  it('answers a HELLO of another protocol version with UNSUPPORTED', async () => {
    const { clock, client } = pair();
    const payload = encodeHello(makeHello({ version: 2 }));
    const p = caught(client.request(Opcode.HELLO, payload));
    await clock.settle();
    expect(await p).toMatchObject({ code: 'UNSUPPORTED', remote: true });
  });
  describe('HELLO boot id and the duplicate cache', () => {
    /** A server session and a raw client end that writes frames by hand. */
    function serverWithRawClient() {
      const clock = new ManualClock();
      const [a, b] = createLinePair(['client', 'server']);
      const server = new Session(b, { clock, name: 'server', bootId: 0x5e5e5e5e });
      const applied: number[] = [];
      server.setHandler((req) => {
        applied.push(req.seq);
        return bytes(1);
      });
      const peer = rawPeer(a);
      const send = (opcode: number, seq: number, payload: Uint8Array) =>
        a.write(encodeFrame({ flags: 0, opcode, seq, channel: 0, fragment: 0, payload }));
      const hello = (seq: number, bootId?: number) => {
        const plain = encodeHello(makeHello({ name: 'raw' }));
        send(Opcode.HELLO, seq, bootId === undefined ? plain : withHelloBootId(plain, bootId));
      };
      return { clock, server, applied, peer, send, hello };
    }
    const blockSet = bytes(0, 1, 0, 2, 0, 3, 0x40, 0, 0, 0, 0, 0, 0, 0);

    it('keeps the cache across HELLOs with the same boot id: a retransmitted BLOCK_SET runs once', async () => {
      const { clock, server, applied, peer, send, hello } = serverWithRawClient();
      hello(1, 0xabcd0001);
      send(Opcode.BLOCK_SET, 2, blockSet);
      hello(3, 0xabcd0001); // mid-conversation HELLO, same incarnation
      hello(4); // a HELLO without boot id never clears either
      send(Opcode.BLOCK_SET, 2, blockSet); // retransmission
      await clock.settle();
      expect(applied).toEqual([2]);
      expect(server.stats.duplicates).toBe(1);
      const replies = peer.frames.filter((f) => f.opcode === Opcode.BLOCK_SET);
      expect(replies).toHaveLength(2);
      expect(replies[1]).toEqual(replies[0]);
      expect(server.peerBootId).toBe(0xabcd0001);
      // The server's own HELLO replies carry its boot id.
      const helloReply = peer.frames.find((f) => f.opcode === Opcode.HELLO)!;
      expect(helloBootId(helloReply.payload)).toBe(0x5e5e5e5e);
    });

    it('forgets answered requests when the boot id changes (the peer restarted and reuses seqs)', async () => {
      const { clock, server, applied, hello, send } = serverWithRawClient();
      hello(1, 7);
      send(Opcode.BLOCK_SET, 2, blockSet);
      hello(1, 8); // restarted: its first seqs again
      send(Opcode.BLOCK_SET, 2, blockSet);
      await clock.settle();
      expect(applied).toEqual([2, 2]);
      expect(server.peerBootId).toBe(8);
    });

    it('does not let a refused HELLO with a new boot id clear the cache', async () => {
      const clock = new ManualClock();
      const [a, b] = createLinePair(['client', 'server']);
      const server = new Session(b, {
        clock,
        onHello: (peer) => {
          if (peer.name === 'intruder') throw new ProtocolError('UNAUTHORIZED', 'no');
        },
      });
      let runs = 0;
      server.setHandler(() => bytes(runs++));
      const send = (opcode: number, seq: number, payload: Uint8Array) =>
        a.write(encodeFrame({ flags: 0, opcode, seq, channel: 0, fragment: 0, payload }));
      send(Opcode.HELLO, 1, withHelloBootId(encodeHello(makeHello({ name: 'ok' })), 1));
      send(Opcode.BLOCK_SET, 2, blockSet);
      send(Opcode.HELLO, 3, withHelloBootId(encodeHello(makeHello({ name: 'intruder' })), 2));
      send(Opcode.BLOCK_SET, 2, blockSet);
      await clock.settle();
      expect(runs).toBe(1);
      expect(server.peerBootId).toBe(1);
    });

    it('learns the peer boot id from a HELLO reply and refuses an invalid own boot id', async () => {
      const { clock, client, server } = pair({ bootId: 11 }, { bootId: 22 });
      const hello = client.hello();
      await clock.settle();
      await hello;
      expect(client.peerBootId).toBe(22);
      expect(server.peerBootId).toBe(11);
      const [line] = createLinePair();
      expect(() => new Session(line, { bootId: 0 })).toThrow(ProtocolError);
    });
  });
});

describe('Session: large replies in slices (issue 16)', () => {
  it('writes a reply of more than REPLY_SLICE_FRAMES frames a slice per turn, answers other requests in between, then caches it whole', async () => {
    const { clock, client, server } = pair({ window: 8 });
    const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff); // 49 frames: two slices
    const asked = new Uint8Array(150_000).map((_, i) => (i * 13) & 0xff);
    server.setHandler((r) => (r.opcode === Opcode.TENSOR_OP ? big : r.payload));
    let largeDone = false;
    const large = client.request(Opcode.TENSOR_OP, asked).then((m) => {
      largeDone = true;
      return m;
    });
    // Deliver the request and let the first slice go out; the second waits for a turn of the clock.
    await clock.settle();
    expect(largeDone).toBe(false);
    expect(server.footprint.running).toBe(1);
    const framesAfterFirstSlice = server.stats.framesOut;
    expect(framesAfterFirstSlice).toBe(REPLY_SLICE_FRAMES);
    const small = client.request(Opcode.LLM_QUERY, bytes(5, 6));
    await clock.settle();
    // The small request was answered between the slices of the large one.
    expect(await small).toMatchObject({ payload: bytes(5, 6) });
    expect(largeDone).toBe(false);
    await clock.runUntil(() => largeDone);
    expect((await large).payload).toEqual(big);
    expect(server.footprint.running).toBe(0);
    expect(server.footprint.cachedReplyBytes).toBeGreaterThan(big.length);
  });

  it('answers a retransmitted request of a large reply from the cache (its fingerprint was taken before the handler ran)', async () => {
    const [a, b] = createLinePair(['client', 'server']);
    const clock = new ManualClock();
    const server = new Session(b, { clock, name: 'server' });
    let runs = 0;
    const big = new Uint8Array(140_000).fill(3); // 35 frames: two slices
    server.setHandler(() => {
      runs++;
      return big;
    });
    const peer = rawPeer(a);
    // One frame of request: a retransmission is recognised by its length and CRC-16.
    const asked = new Uint8Array(1000).map((_, i) => i & 0xff);
    const wire = (payload: Uint8Array) => encodeFrame({ flags: 0, opcode: Opcode.TENSOR_OP, seq: 1, channel: 0, fragment: 0, payload });
    a.write(wire(asked));
    await clock.runUntil(() => peer.frames.length === 35);
    a.write(wire(asked));
    await clock.runUntil(() => peer.frames.length === 70);
    expect(runs).toBe(1);
    expect(server.stats.duplicates).toBe(1);
    expect(peer.frames.slice(35).map((f) => f.fragment)).toEqual(peer.frames.slice(0, 35).map((f) => f.fragment));
    // The same seq and length with other bytes is another request: it runs.
    const other = asked.slice();
    other[500] = (other[500] ?? 0) ^ 1;
    a.write(wire(other));
    await clock.runUntil(() => peer.frames.length === 105);
    expect(runs).toBe(2);
  });
});

describe('Session: the request payload is the handler\'s (issue 16)', () => {
  it('recognises a retransmission though the handler moved the payload\'s buffer away, and runs a changed request', async () => {
    const [a, b] = createLinePair(['client', 'server']);
    const clock = new ManualClock();
    const server = new Session(b, { clock, name: 'server' });
    const seen: number[] = [];
    server.setHandler((r) => {
      seen.push(r.payload[10] ?? -1);
      structuredClone(r.payload.buffer, { transfer: [r.payload.buffer as ArrayBuffer] }); // as a worker would take it
      expect(r.payload.byteLength).toBe(0);
      return bytes(1);
    });
    const peer = rawPeer(a);
    const asked = new Uint8Array(3000).map((_, i) => (i * 5) & 0xff);
    const wire = (payload: Uint8Array) => encodeFrame({ flags: 0, opcode: Opcode.TENSOR_OP, seq: 4, channel: 0, fragment: 0, payload });
    a.write(wire(asked));
    await clock.runUntil(() => peer.frames.length === 1);
    a.write(wire(asked));
    await clock.runUntil(() => peer.frames.length === 2);
    expect(seen).toEqual([50]);
    expect(server.stats.duplicates).toBe(1);
    const other = asked.slice();
    other[2999] = (other[2999] ?? 0) ^ 1;
    a.write(wire(other));
    await clock.runUntil(() => peer.frames.length === 3);
    expect(seen).toEqual([50, 50]);
  });
});

describe('Session with a ReplyCacheRegistry (duplicate cache per peer boot id)', () => {
  const blockSet = bytes(0, 1, 0, 2, 0, 3, 0x40, 0, 0, 0, 0, 0, 0, 0);

  it('caches a reply that comes after the line closed, and answers a reconnected peer with it instead of running again', async () => {
    const clock = new ManualClock();
    const registry = new ReplyCacheRegistry({ clock });
    let runs = 0;
    let finish: ((reply: Uint8Array) => void) | undefined;
    const serve = (line: Line) => {
      const server = new Session(line, { clock, replyCaches: registry });
      server.setHandler(() => {
        runs++;
        return new Promise<Uint8Array>((resolve) => (finish = resolve));
      });
      return server;
    };
    const [a1, b1] = createLinePair(['client', 'server']);
    serve(b1);
    const send = (line: Line, opcode: number, seq: number, payload: Uint8Array) =>
      line.write(encodeFrame({ flags: 0, opcode, seq, channel: 0, fragment: 0, payload }));
    const hello = withHelloBootId(encodeHello(makeHello({ name: 'c' })), 99);
    send(a1, Opcode.HELLO, 1, hello);
    send(a1, Opcode.BLOCK_SET, 2, blockSet);
    await clock.settle();
    a1.close();
    await clock.settle();

    // Reconnected while the first copy still runs: the resend is ignored, not run.
    const [a2, b2] = createLinePair(['client', 'server']);
    const server2 = serve(b2);
    const peer = rawPeer(a2);
    send(a2, Opcode.HELLO, 3, hello);
    send(a2, Opcode.BLOCK_SET, 2, blockSet);
    await clock.settle();
    expect(runs).toBe(1);
    finish!(bytes(42));
    await clock.settle();
    send(a2, Opcode.BLOCK_SET, 2, blockSet);
    await clock.settle();
    expect(runs).toBe(1);
    const replies = peer.frames.filter((f) => f.opcode === Opcode.BLOCK_SET);
    expect(replies.map((f) => [...f.payload])).toEqual([[42]]);
    expect(server2.stats.duplicates).toBe(2);
  });
});

describe('Session handler table and admission', () => {
  it('answers by opcode from its table (HELLO and PING are entries too) before the fallback handler', async () => {
    const { clock, client, server } = pair();
    server.setHandler(() => bytes(0xfb));
    const set = server.handle(Opcode.BLOCK_SET, () => bytes(0x13));
    const ping = server.handle(Opcode.PING, () => bytes(0x99));
    const ask = async (opcode: number) => {
      const p = client.request(opcode, bytes(1));
      await clock.settle();
      return [...(await p).payload];
    };
    expect(await ask(Opcode.BLOCK_SET)).toEqual([0x13]);
    expect(await ask(Opcode.BLOCK_GET)).toEqual([0xfb]);
    expect(await ask(Opcode.PING)).toEqual([0x99]);
    ping.dispose();
    set.dispose();
    expect(await ask(Opcode.PING)).toEqual([1]); // the session's own echo again
    expect(await ask(Opcode.BLOCK_SET)).toEqual([0xfb]);
  });

  it('lets an admission policy refuse frames before reassembly, answering refused requests and sending no NAK when told', async () => {
    const clock = new ManualClock();
    const [a, b] = createLinePair(['client', 'server']);
    let open = false;
    const server = new Session(b, {
      clock,
      admission: {
        admit: (frame) => (open || frame.opcode !== Opcode.BLOCK_SET ? undefined : new ProtocolError('UNAUTHORIZED', 'not yet')),
        mayNak: () => open,
      },
    });
    let runs = 0;
    server.setHandler(() => bytes(runs++));
    const peer = rawPeer(a);
    a.write(encodeFrame({ flags: 0, opcode: Opcode.BLOCK_SET, seq: 1, channel: 0, fragment: 0, payload: bytes(1) }));
    a.write(encodeFrame({ flags: Flag.MORE, opcode: Opcode.BLOCK_SET, seq: 2, channel: 0, fragment: 0, payload: bytes(2) }));
    a.write(bytes(0x7e, 1, 2, 3, 0x7e)); // corrupt
    await clock.settle();
    expect(runs).toBe(0);
    expect(server.footprint.partialMessages).toBe(0);
    expect(server.stats).toMatchObject({ framesIn: 0, naksSent: 0 });
    expect(peer.frames.map((f) => [f.seq, f.flags])).toEqual([
      [1, Flag.REPLY | Flag.ERROR],
      [2, Flag.REPLY | Flag.ERROR],
    ]);
    open = true;
    a.write(encodeFrame({ flags: 0, opcode: Opcode.BLOCK_SET, seq: 1, channel: 0, fragment: 0, payload: bytes(1) }));
    await clock.settle();
    expect(runs).toBe(1);
  });
});
