import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { sha256Bytes, sha256Into } from './Sha256.js';

describe('sha256Into', () => {
  it('matches @noble/hashes for every length 0..300 and at an offset', () => {
    let seed = 1;
    for (let len = 0; len <= 300; len++) {
      const msg = new Uint8Array(len);
      for (let i = 0; i < len; i++) msg[i] = (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
      expect(sha256Bytes(msg)).toEqual(sha256(msg));
      const out = new Uint8Array(40).fill(7);
      sha256Into(msg, out, 5);
      expect(out.subarray(5, 37)).toEqual(sha256(msg));
      expect([out[4], out[37]]).toEqual([7, 7]);
    }
  });

  it('gives the FIPS 180-4 test vectors', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(hex(sha256Bytes(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256Bytes(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256Bytes(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
});
