import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD } from './constants.js';
import { encodeContent, encodeFrame } from './encodeFrame.js';
import { ProtocolError } from './ProtocolError.js';
import { SeededRandom } from './testing/SeededRandom.js';

describe('encodeFrame', () => {
  const frame = { flags: 0, opcode: 2, seq: 0x7e7d, channel: 0, fragment: 0, payload: new Uint8Array([0x7e]) };

  it('escapes 0x7E and 0x7D only, between two flags', () => {
    const wire = encodeFrame(frame);
    const content = encodeContent(frame);
    expect(wire[0]).toBe(0x7e);
    expect(wire.at(-1)).toBe(0x7e);
    expect(wire.subarray(1, -1).includes(0x7e)).toBe(false);
    expect(Array.from(wire.subarray(1, 8))).toEqual([0x10, 0x02, 0x7d, 0x5e, 0x7d, 0x5d, 0x00]);
    expect(content.length).toBe(11);
  });

  it('rejects oversized payloads and out-of-range fields with ProtocolError', () => {
    const big = { ...frame, payload: new Uint8Array(MAX_PAYLOAD + 1) };
    expect(() => encodeFrame(big)).toThrow(ProtocolError);
    expect(() => encodeFrame(big)).toThrow(/exceeds 4086/);
    for (const bad of [{ seq: 0x10000 }, { flags: 16 }, { channel: -1 }, { opcode: 1.5 }, { fragment: 256 }]) {
      expect(() => encodeFrame({ ...frame, ...bad })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('puts on the wire exactly the escaped content, for payloads full of flag and escape bytes', () => {
    const random = new SeededRandom(5);
    for (let i = 0; i < 100; i++) {
      const payload = random.bytes(random.int(300)).map((b) => (b < 64 ? 0x7e : b < 128 ? 0x7d : b));
      const f = { flags: random.int(16), opcode: random.int(256), seq: random.int(65536), channel: random.int(256), fragment: random.int(256), payload };
      const wire = encodeFrame(f);
      const unescaped: number[] = [];
      for (let j = 1; j < wire.length - 1; j++) unescaped.push(wire[j] === 0x7d ? wire[++j]! ^ 0x20 : wire[j]!);
      expect(Uint8Array.from(unescaped)).toEqual(encodeContent(f));
      expect(wire.subarray(1, -1).includes(0x7e)).toBe(false);
    }
  });

  it('encodes the largest payload', () => {
    expect(encodeContent({ ...frame, payload: new Uint8Array(MAX_PAYLOAD) }).length).toBe(4096);
  });
});
