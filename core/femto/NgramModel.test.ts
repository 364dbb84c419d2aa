import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_KN_ORDER, NgramModel } from './NgramModel.js';

const corpus = new Uint8Array(readFileSync(new URL('./corpus/jargon.txt', import.meta.url)));
const split = Math.floor(corpus.length * 0.9);
const enc = (s: string) => new TextEncoder().encode(s);

describe('interpolated Kneser-Ney byte n-grams', () => {
  const small = new NgramModel(enc('the cat sat on the mat; the hat is not a cat. that is that.'));

  it('gives distributions over 256 bytes that sum to 1, for seen, partly seen and unseen histories', () => {
    for (let order = 1; order <= MAX_KN_ORDER; order++) {
      for (const history of ['', 't', 'th', 'the', ' the', 'at ', 'zq', '\u0001\u0002\u0003\u0004', 'e ca', 'cat.']) {
        let sum = 0;
        let min = 1;
        for (let b = 0; b < 256; b++) {
          const p = small.knProbability(order, enc(history), b);
          sum += p;
          min = Math.min(min, p);
        }
        expect(sum, `order ${order} after ${JSON.stringify(history)}`).toBeCloseTo(1, 12);
        expect(min).toBeGreaterThan(0);
      }
    }
  });

  it('prefers what followed the context in the training text, more so at higher order', () => {
    const h = enc('the c');
    const a = enc('a')[0] as number;
    expect(small.knProbability(3, h, a)).toBeGreaterThan(small.knProbability(1, h, a));
    expect(small.knProbability(5, h, a)).toBeGreaterThan(0.5);
  });

  it('refuses orders outside 1..5', () => {
    expect(() => small.knProbability(0, enc('a'), 1)).toThrow(RangeError);
    expect(() => small.knProbability(6, enc('a'), 1)).toThrow(RangeError);
  });

  it('reproduces the issue’s held-out figures on the Jargon File split (90 % / last 10 %)', () => {
    const m = new NgramModel(corpus.subarray(0, split));
    const held = corpus.subarray(split);
    const bits = [2, 3, 4, 5].map((o) => m.knBits(o, held));
    const reference = [3.84, 3.11, 2.54, 2.26];
    bits.forEach((b, i) => expect(Math.abs(b - (reference[i] as number)), `order ${i + 2}: ${b}`).toBeLessThan(0.01));
  }, 60_000);
});
