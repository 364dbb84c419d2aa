/**
 * A session fed 1,000,000+ random and bit-flipped bytes between valid requests, plus
 * first fragments of messages that never complete: every intact request is answered once,
 * and nothing the session holds (decoder buffer, partial messages, duplicate cache, request
 * maps, backlog, listeners) grows past its bound over the run.
 */
import { describe, expect, it } from 'vitest';
import { Flag, MAX_CONTENT, MAX_MESSAGE, MAX_PAYLOAD, Opcode } from './constants.js';
import { encodeFrame } from './encodeFrame.js';
import { FrameDecoder } from './FrameDecoder.js';
import { createLinePair } from './MemoryLine.js';
import { Session, type SessionFootprint } from './Session.js';
import { ManualClock } from './testing/ManualClock.js';
import { SeededRandom } from './testing/SeededRandom.js';

const CACHE_ENTRIES = 512;
const CACHE_BYTES = 32 * 1024;
const BROKEN_ID = 0xffffffff;

function pingWire(id: number, random: SeededRandom): Uint8Array {
  const payload = random.bytes(4 + random.int(random.chance(0.05) ? 1500 : 100));
  new DataView(payload.buffer).setUint32(0, id);
  return encodeFrame({ flags: 0, opcode: Opcode.PING, seq: id & 0xffff, channel: 1 + random.int(255), fragment: 0, payload });
}

/** The first fragment of a message whose other fragments never come (channel 0 keeps it apart from the PINGs). */
function strandedFragment(n: number, random: SeededRandom): Uint8Array {
  const payload = random.bytes(MAX_PAYLOAD);
  return encodeFrame({ flags: Flag.MORE, opcode: Opcode.TENSOR_OP, seq: n & 0xffff, channel: 0, fragment: 0, payload });
}

function noise(random: SeededRandom): Uint8Array {
  const kind = random.int(3);
  if (kind === 0) return random.bytes(random.int(400));
  if (kind === 1) {
    const junk = pingWire(BROKEN_ID, random);
    for (let f = 1 + random.int(3); f > 0; f--) junk[1 + random.int(junk.length - 2)]! ^= 1 << random.int(8);
    return junk;
  }
  return random.bytes(MAX_CONTENT + random.int(2000)).map((b) => (b === 0x7e || b === 0x7d ? 0x41 : b));
}

describe('Session under fuzz', () => {
  it('answers every intact request once and keeps every structure within its bound', async () => {
    const random = new SeededRandom(0x5e55);
    const clock = new ManualClock();
    const [peer, line] = createLinePair(['fuzzer', 'session']);
    const session = new Session(line, {
      clock,
      duplicateCacheSize: CACHE_ENTRIES,
      duplicateCacheBytes: CACHE_BYTES,
      reassemblyTimeoutMs: 60_000,
    });
    const answered = new Map<number, number>();
    const decoder = new FrameDecoder();
    decoder.onFrame((frame) => {
      if (frame.opcode !== Opcode.PING || (frame.flags & Flag.REPLY) === 0 || frame.payload.length < 4) return;
      const id = new DataView(frame.payload.buffer, frame.payload.byteOffset, 4).getUint32(0);
      answered.set(id, (answered.get(id) ?? 0) + 1);
    });
    peer.onData((chunk) => decoder.push(chunk));

    const listenersAtStart = session.footprint.listeners;
    const max: Record<keyof SessionFootprint, number> = {
      decoderBytes: 0,
      partialMessages: 0,
      partialBytes: 0,
      cachedRequests: 0,
      cachedReplyBytes: 0,
      running: 0,
      outstanding: 0,
      queued: 0,
      backlog: 0,
      listeners: 0,
    };
    const sample = () => {
      const now = session.footprint;
      for (const k of Object.keys(max) as (keyof SessionFootprint)[]) max[k] = Math.max(max[k], now[k]);
    };

    let noiseBytes = 0;
    let id = 0;
    let stranded = 0;
    while (noiseBytes < 1_000_000) {
      const junk = noise(random);
      noiseBytes += junk.length;
      peer.write(junk);
      peer.write(pingWire(id++, random));
      if (random.chance(0.6)) peer.write(strandedFragment(stranded++, random));
      await clock.advance(200); // delivers the writes; partials pile up to the limit, then expire after 60 s
      sample();
    }
    await clock.advance(120_000); // expiry runs every timeout, so a partial can last up to twice that
    const after = session.footprint;

    const missing: number[] = [];
    const twice: number[] = [];
    for (let i = 0; i < id; i++) {
      const n = answered.get(i) ?? 0;
      if (n === 0) missing.push(i);
      if (n > 1) twice.push(i);
    }
    expect(missing).toEqual([]);
    expect(twice).toEqual([]);

    expect(max.decoderBytes).toBeLessThanOrEqual(MAX_CONTENT);
    expect(max.partialMessages).toBe(128); // reached the limit (then BUSY) but never above it
    expect(max.partialBytes).toBeLessThanOrEqual(2 * MAX_MESSAGE);
    expect(max.cachedRequests).toBe(CACHE_ENTRIES);
    expect(max.cachedReplyBytes).toBeLessThanOrEqual(CACHE_BYTES);
    expect(max.cachedReplyBytes).toBeGreaterThan(CACHE_BYTES / 2);
    expect([max.running, max.outstanding, max.queued, max.backlog]).toEqual([0, 0, 0, 0]);
    expect(max.listeners).toBe(listenersAtStart);
    expect(after.partialMessages).toBe(0);
    expect(after.partialBytes).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(session.stats.malformed).toBeGreaterThan(500);
    expect(stranded).toBeGreaterThan(200);
    expect(clock.now()).toBeGreaterThan(2 * 60_000); // the run outlived the reassembly timeout
  });
});
