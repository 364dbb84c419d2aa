import { describe, expect, it } from 'vitest';
import { Flag, MAX_PAYLOAD } from './constants.js';
import { crc16 } from './crc16.js';
import { Fragmenter } from './Fragmenter.js';
import type { Frame } from './Frame.js';
import { ProtocolError } from './ProtocolError.js';
import { Reassembler } from './Reassembler.js';
import { SeededRandom } from './testing/SeededRandom.js';

const message = (size: number, seq = 1, flags = 0) => ({
  flags,
  opcode: 0x10,
  seq,
  channel: 2,
  payload: Uint8Array.from({ length: size }, (_, i) => i & 0xff),
});

function shuffled<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('Fragmenter', () => {
  it('splits into full fragments plus a short last one, MORE on all but the last', () => {
    const frames = new Fragmenter().split(message(2 * MAX_PAYLOAD + 5));
    expect(frames.map((f) => f.payload.length)).toEqual([MAX_PAYLOAD, MAX_PAYLOAD, 5]);
    expect(frames.map((f) => f.fragment)).toEqual([0, 1, 2]);
    expect(frames.map((f) => (f.flags & Flag.MORE) !== 0)).toEqual([true, true, false]);
  });

  it('sends an empty payload as one frame and honours a smaller max content', () => {
    expect(new Fragmenter().split(message(0))).toHaveLength(1);
    const small = new Fragmenter({ maxContent: 110 });
    expect(small.split(message(250)).map((f) => f.payload.length)).toEqual([100, 100, 50]);
    expect(() => (small.maxContent = 10)).toThrow(ProtocolError);
  });

  it('refuses more than 256 fragments', () => {
    const f = new Fragmenter({ maxContent: 20 });
    expect(f.split(message(2560))).toHaveLength(256);
    expect(() => f.split(message(2561))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });
});

describe('Reassembler', () => {
  const frames = (size: number, seq = 1, flags = 0) => new Fragmenter({ maxContent: 110 }).split(message(size, seq, flags));

  it('reassembles fragments in any order and ignores repeated ones', () => {
    const r = new Reassembler();
    const parts = frames(350);
    const order = [parts[3]!, parts[1]!, parts[1]!, parts[0]!, parts[2]!];
    const results = order.map((f) => r.push(f, 0).status);
    expect(results).toEqual(['pending', 'pending', 'duplicate', 'pending', 'complete']);
    expect(r.partialCount).toBe(0);
    expect(r.bytesInFlight).toBe(0);
  });

  it('rebuilds the exact payload in order, shuffled, and from fragments of unequal and empty sizes', () => {
    const random = new SeededRandom(11);
    for (let round = 0; round < 50; round++) {
      const count = 1 + random.int(40);
      const sizes = Array.from({ length: count }, () => (random.int(4) === 0 ? 0 : random.int(300)));
      const parts: Frame[] = [];
      const whole: number[] = [];
      sizes.forEach((size, i) => {
        const payload = random.bytes(size);
        whole.push(...payload);
        parts.push({ flags: i < count - 1 ? Flag.MORE : 0, opcode: 0x10, seq: round, channel: 1, fragment: i, payload });
      });
      const order = round % 2 === 0 ? parts : shuffled(parts, random);
      const r = new Reassembler();
      const results = order.map((f) => r.push(f, 0));
      const done = results.at(-1)!;
      expect(results.slice(0, -1).every((x) => x.status === 'pending')).toBe(true);
      expect(done.status === 'complete' && Array.from(done.message.payload)).toEqual(whole);
    }
  });

  it('hands over the CRC-16 of a request that arrived in order (the duplicate cache\'s fingerprint), and none otherwise', () => {
    const parts = frames(1000, 6);
    const inOrder = new Reassembler();
    let done: ReturnType<Reassembler['push']> = { status: 'pending' };
    for (const f of parts) done = inOrder.push(f, 0);
    expect(done.status === 'complete' && done.crc).toBe(crc16(message(1000).payload));
    const shuffledIn = new Reassembler();
    for (const f of [...parts].reverse()) done = shuffledIn.push(f, 0);
    expect(done.status === 'complete' && done.crc).toBeUndefined();
    const replies = new Reassembler();
    for (const f of frames(1000, 6, Flag.REPLY)) done = replies.push(f, 0);
    expect(done.status === 'complete' && done.crc).toBeUndefined();
  });

  it('keeps what it was given, though the decoder reuses its buffer for the next frame', () => {
    const r = new Reassembler();
    const shared = new Uint8Array(100);
    const push = (fragment: number, fill: number, more: boolean) => {
      shared.fill(fill);
      return r.push({ flags: more ? Flag.MORE : 0, opcode: 1, seq: 9, channel: 0, fragment, payload: shared }, 0);
    };
    push(1, 0xbb, true);
    push(0, 0xaa, true);
    const done = push(2, 0xcc, false);
    expect(done.status === 'complete' && [done.message.payload[0], done.message.payload[100], done.message.payload[299]]).toEqual([0xaa, 0xbb, 0xcc]);
  });

  it('reassembles the largest message, 256 full fragments, in order and in reverse', () => {
    const big = new Fragmenter().split(message(256 * MAX_PAYLOAD, 3));
    expect(big).toHaveLength(256);
    for (const order of [big, [...big].reverse()]) {
      const r = new Reassembler({ maxMessageBytes: 256 * MAX_PAYLOAD });
      let done: ReturnType<Reassembler['push']> = { status: 'pending' };
      for (const f of order) done = r.push(f, 0);
      expect(done.status).toBe('complete');
      const payload = done.status === 'complete' ? done.message.payload : new Uint8Array(0);
      expect(payload.length).toBe(256 * MAX_PAYLOAD);
      expect(payload.every((b, i) => b === (i & 0xff))).toBe(true);
      expect(r.bytesInFlight).toBe(0);
    }
  });

  it('keeps its buffers within twice the bytes held, however the fragments come', () => {
    const random = new SeededRandom(4);
    const r = new Reassembler();
    for (let step = 0; step < 2000; step++) {
      const seq = random.int(100);
      const fragment = random.int(200);
      r.push({ flags: Flag.MORE, opcode: 1, seq, channel: 0, fragment, payload: random.bytes(1 + random.int(MAX_PAYLOAD)) }, 0);
      expect(r.bytesAllocated).toBeLessThanOrEqual(2 * r.bytesInFlight);
    }
    expect(r.bytesInFlight).toBeGreaterThan(1_000_000);
  });

  it('grows a lone large message straight to the size of the last large one; many at once only double', () => {
    const size = 256 * MAX_PAYLOAD;
    const r = new Reassembler({ maxMessageBytes: size });
    const first = new Fragmenter().split(message(size, 1));
    for (const f of first) r.push(f, 0);
    const second = new Fragmenter().split(message(size, 2));
    for (const f of second.slice(0, 17)) r.push(f, 0); // 69 KB: past the 64 KiB mark
    expect(r.bytesAllocated).toBe(size);
    let done: ReturnType<Reassembler['push']> = { status: 'pending' };
    for (const f of second.slice(17)) done = r.push(f, 0);
    const payload = done.status === 'complete' ? done.message.payload : new Uint8Array(0);
    expect(payload.length).toBe(size);
    expect(payload.every((b, i) => b === (i & 0xff))).toBe(true);
    // A peer opening many large partials cannot make every one of them a megabyte.
    const random = new SeededRandom(8);
    for (let seq = 10; seq < 60; seq++) {
      for (let fragment = 0; fragment < 20; fragment++) {
        r.push({ flags: Flag.MORE, opcode: 0x10, seq, channel: 2, fragment, payload: random.bytes(MAX_PAYLOAD) }, 0);
        expect(r.bytesAllocated).toBeLessThanOrEqual(2 * r.maxBytesInFlight + r.maxMessageBytes);
      }
    }
    // The others grew by doubling: only the first took the hint.
    expect(r.bytesAllocated).toBeLessThanOrEqual(2 * r.bytesInFlight + r.maxMessageBytes);
  });

  it('keeps requests and replies with the same seq apart', () => {
    const r = new Reassembler();
    const req = frames(150, 5);
    const rep = frames(150, 5, Flag.REPLY);
    expect(r.push(req[0]!, 0).status).toBe('pending');
    expect(r.push(rep[0]!, 0).status).toBe('pending');
    const done = r.push(rep[1]!, 0);
    expect(done.status === 'complete' && done.message.flags).toBe(Flag.REPLY);
  });

  it('rejects a fragment index at or above maxFragments', () => {
    const r = new Reassembler({ maxFragments: 3 });
    const parts = frames(350);
    expect(r.push(parts[3]!, 0)).toMatchObject({ status: 'rejected', code: 'TOO_LARGE' });
  });

  it('rejects a message above maxMessageBytes and frees its bytes', () => {
    const r = new Reassembler({ maxMessageBytes: 250 });
    const parts = frames(350);
    expect(r.push(parts[0]!, 0).status).toBe('pending');
    expect(r.push(parts[1]!, 0).status).toBe('pending');
    expect(r.push(parts[2]!, 0)).toMatchObject({ status: 'rejected', code: 'TOO_LARGE', seq: 1, channel: 2 });
    expect(r.bytesInFlight).toBe(0);
  });

  it('answers BUSY above maxBytesInFlight across messages', () => {
    const r = new Reassembler({ maxBytesInFlight: 250 });
    expect(r.push(frames(300, 1)[0]!, 0).status).toBe('pending');
    expect(r.push(frames(300, 2)[0]!, 0).status).toBe('pending');
    expect(r.push(frames(300, 3)[0]!, 0)).toMatchObject({ status: 'rejected', code: 'BUSY', seq: 3 });
    expect(r.bytesInFlight).toBe(200);
  });

  it('answers BUSY above maxPartials', () => {
    const r = new Reassembler({ maxPartials: 2 });
    r.push(frames(300, 1)[0]!, 0);
    r.push(frames(300, 2)[0]!, 0);
    expect(r.push(frames(300, 3)[0]!, 0)).toMatchObject({ status: 'rejected', code: 'BUSY' });
  });

  it('drops stale partials after the timeout', () => {
    const r = new Reassembler({ timeoutMs: 1000 });
    const parts = frames(350);
    r.push(parts[0]!, 0);
    expect(r.expire(999)).toBe(0);
    expect(r.expire(1000)).toBe(1);
    expect(r.bytesInFlight).toBe(0);
    // The late rest of the message cannot complete it.
    expect(r.push(parts[3]!, 1001).status).toBe('pending');
  });

  it('rejects inconsistent fragments as BAD_PAYLOAD', () => {
    const r = new Reassembler();
    const parts = frames(350);
    r.push(parts[0]!, 0);
    const otherOpcode: Frame = { ...parts[1]!, opcode: 0x11 };
    expect(r.push(otherOpcode, 0)).toMatchObject({ status: 'rejected', code: 'BAD_PAYLOAD' });
    r.push(parts[3]!, 0);
    const beyondLast: Frame = { ...parts[1]!, fragment: 5 };
    expect(r.push(beyondLast, 0)).toMatchObject({ status: 'rejected', code: 'BAD_PAYLOAD' });
    const r2 = new Reassembler();
    r2.push(parts[3]!, 0);
    expect(r2.push({ ...parts[3]!, fragment: 2 }, 0)).toMatchObject({ status: 'rejected', code: 'BAD_PAYLOAD' });
  });
});
