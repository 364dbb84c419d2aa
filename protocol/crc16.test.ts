import crc16ccitt from 'crc/calculators/crc16ccitt';
import { describe, expect, it } from 'vitest';
import { CRC16_INIT, crc16 } from './crc16.js';
import { SeededRandom } from './testing/SeededRandom.js';

/** The definition, one bit at a time: no table shared with the code under test. */
function bitwise(bytes: Uint8Array, crc = CRC16_INIT): number {
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

describe('crc16', () => {
  it('has the catalogue check value', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x29b1);
    expect(crc16(new Uint8Array(0))).toBe(CRC16_INIT);
  });

  it('matches the crc package on random data and ranges', () => {
    const random = new SeededRandom(1);
    for (let i = 0; i < 200; i++) {
      const data = random.bytes(random.int(600));
      expect(crc16(data)).toBe(crc16ccitt(data));
      const start = random.int(data.length + 1);
      expect(crc16(data, start)).toBe(crc16ccitt(data.subarray(start)));
    }
  });

  it('matches the bit-by-bit definition at every length and offset around the 8-byte steps', () => {
    const random = new SeededRandom(7);
    const data = random.bytes(64);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= 40; end++) {
        expect(crc16(data, start, end), `[${start}, ${end})`).toBe(bitwise(data.subarray(start, end)));
      }
    }
  });

  it('continues from a given CRC, so a message can be checked in pieces of any size', () => {
    const random = new SeededRandom(3);
    const data = random.bytes(4096);
    const whole = crc16(data);
    for (const cut of [1, 7, 8, 9, 1000, 4095]) {
      expect(crc16(data, cut, data.length, crc16(data, 0, cut))).toBe(whole);
    }
    expect(whole).toBe(bitwise(data));
  });

  it('checks bytes whose high bit is set and runs of 0xFF (table indexes stay in range)', () => {
    const ones = new Uint8Array(33).fill(0xff);
    expect(crc16(ones)).toBe(bitwise(ones));
    const flags = new Uint8Array(17).fill(0x7e);
    expect(crc16(flags)).toBe(bitwise(flags));
  });
});
