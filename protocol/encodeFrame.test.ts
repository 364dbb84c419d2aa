import crc16ccitt from 'crc/calculators/crc16ccitt';
import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD } from './constants.js';
import { crc16, encodeContent, encodeFrame } from './encodeFrame.js';
import { ProtocolError } from './ProtocolError.js';
import { SeededRandom } from './testing/SeededRandom.js';

describe('crc16', () => {
  it('matches the crc package on random data and ranges', () => {
    const random = new SeededRandom(1);
    for (let i = 0; i < 200; i++) {
      const data = random.bytes(random.int(600));
      expect(crc16(data)).toBe(crc16ccitt(data));
      const start = random.int(data.length + 1);
      expect(crc16(data, start)).toBe(crc16ccitt(data.subarray(start)));
    }
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });
});

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

  it('encodes the largest payload', () => {
    expect(encodeContent({ ...frame, payload: new Uint8Array(MAX_PAYLOAD) }).length).toBe(4096);
  });
});
