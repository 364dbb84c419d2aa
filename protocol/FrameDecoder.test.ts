import { describe, expect, it } from 'vitest';
import { Flag, MAX_CONTENT, MAX_PAYLOAD, Opcode } from './constants.js';
import { encodeFrame } from './encodeFrame.js';
import { FrameDecoder, type FrameErrorEvent } from './FrameDecoder.js';
import type { Frame } from './Frame.js';
import { SeededRandom } from './testing/SeededRandom.js';

function frameWithId(id: number, random: SeededRandom): Frame {
  const size = random.chance(0.02) ? MAX_PAYLOAD : 4 + random.int(120);
  const payload = random.bytes(size);
  new DataView(payload.buffer).setUint32(0, id);
  return { flags: random.int(16) & ~Flag.MORE, opcode: Opcode.PING, seq: id & 0xffff, channel: random.int(256), fragment: 0, payload };
}

describe('FrameDecoder', () => {
  it('reports each error kind with a typed event and keeps the next frame', () => {
    const decoder = new FrameDecoder();
    const events: FrameErrorEvent[] = [];
    const seqs: number[] = [];
    decoder.onError((e) => events.push(e));
    decoder.onFrame((f) => seqs.push(f.seq));
    const good = encodeFrame({ flags: 0, opcode: 2, seq: 7, channel: 0, fragment: 0, payload: new Uint8Array([1]) });
    const bad = good.slice();
    bad[3]! ^= 0x10;
    decoder.push(new Uint8Array([...bad, ...good, 0x7e, 1, 2, 0x7e, ...good]));
    expect(events.map((e) => e.code)).toEqual(['BAD_CRC', 'TOO_SHORT']);
    expect(events[0]?.bytes).toBe(good.length - 2);
    expect(seqs).toEqual([7, 7]);
    expect(decoder.stats.frames).toBe(2);
  });

  it('accepts a smaller maxContent and reports TOO_LONG above it', () => {
    const decoder = new FrameDecoder({ maxContent: 64 });
    const errors: string[] = [];
    decoder.onError((e) => errors.push(e.code));
    decoder.push(encodeFrame({ flags: 0, opcode: 2, seq: 1, channel: 0, fragment: 0, payload: new Uint8Array(55) }));
    expect(errors).toEqual(['TOO_LONG']);
    expect(() => new FrameDecoder({ maxContent: 5000 })).toThrow(RangeError);
  });

  it('listeners can be removed', () => {
    const decoder = new FrameDecoder();
    let count = 0;
    const sub = decoder.onFrame(() => count++);
    const wire = encodeFrame({ flags: 0, opcode: 2, seq: 1, channel: 0, fragment: 0, payload: new Uint8Array(0) });
    decoder.push(wire);
    sub.dispose();
    decoder.push(wire);
    expect(count).toBe(1);
    expect(decoder.stats.frames).toBe(2);
  });

  it('fuzz: 1,000,000+ random and bit-flipped bytes between valid frames; every intact frame arrives, memory bounded', () => {
    const random = new SeededRandom(0xc0ffee);
    const decoder = new FrameDecoder();
    const received: number[] = [];
    let spurious = 0;
    decoder.onFrame((frame) => {
      if (frame.payload.length >= 4 && frame.opcode === Opcode.PING) {
        received.push(new DataView(frame.payload.buffer, frame.payload.byteOffset, 4).getUint32(0));
      } else {
        spurious++;
      }
    });
    const expected: number[] = [];
    let noise = 0;
    let id = 0;
    let maxBuffered = 0;
    const feed = (bytes: Uint8Array) => {
      let i = 0;
      while (i < bytes.length) {
        const n = 1 + random.int(random.chance(0.5) ? 16 : 2048);
        decoder.push(bytes.subarray(i, i + n));
        maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
        i += n;
      }
    };
    while (noise < 1_000_000) {
      const kind = random.int(4);
      let junk: Uint8Array;
      if (kind === 0) {
        junk = random.bytes(random.int(300));
      } else if (kind === 1) {
        // A valid frame with 1..3 bit flips: CRC-16/CCITT catches every such error.
        junk = encodeFrame(frameWithId(0xffffffff, random));
        for (let f = 1 + random.int(3); f > 0; f--) junk[1 + random.int(junk.length - 2)]! ^= 1 << random.int(8);
      } else if (kind === 2) {
        junk = random.bytes(MAX_CONTENT + random.int(3000)).map((b) => (b === 0x7e || b === 0x7d ? 0x41 : b));
      } else {
        junk = new Uint8Array(random.int(5)).fill(0x7e);
      }
      noise += junk.length;
      feed(junk);
      const frame = frameWithId(id, random);
      expected.push(id++);
      feed(encodeFrame(frame));
    }
    const intact = received.filter((r) => r !== 0xffffffff);
    expect(intact).toEqual(expected);
    expect(noise).toBeGreaterThanOrEqual(1_000_000);
    expect(maxBuffered).toBeLessThanOrEqual(MAX_CONTENT);
    expect(spurious + received.length - intact.length).toBeLessThan(5);
    const errors = decoder.stats.errors;
    expect(errors.BAD_CRC).toBeGreaterThan(100);
    expect(errors.TOO_LONG).toBeGreaterThan(100);
  });
});
