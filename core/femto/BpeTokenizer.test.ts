import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random } from '../evgpu/Random.js';
import { BpeTokenizer, type Encoding, forEachChunk, MAX_CHUNK } from './BpeTokenizer.js';
import { FemtoError } from './FemtoError.js';

const corpus = new Uint8Array(readFileSync(new URL('./corpus/jargon.txt', import.meta.url)));
const train = corpus.subarray(0, 200_000);
const tokenizer = BpeTokenizer.train(train, 500);
const ascii = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function chunks(s: string): string[] {
  const bytes = Buffer.from(s, 'latin1');
  const out: string[] = [];
  forEachChunk(bytes, (a, b) => out.push(s.slice(a, b)));
  return out;
}

describe('BPE tokenizer', () => {
  it('learns the requested number of merges, deterministically, with words as tokens', () => {
    expect(tokenizer.vocabSize).toBe(756);
    expect(BpeTokenizer.train(train, 500).merges).toEqual(tokenizer.merges);
    const ids = tokenizer.encode(new TextEncoder().encode(' the hacker'));
    expect(Array.from(ids, (id) => ascii(tokenizer.bytesOf(id)))[0]).toBe(' the');
    expect(ids.length).toBeLessThan(5);
  });

  it('extends an encoding as encode would read the whole text, however the text grows', () => {
    const rng = new Random(16);
    // Spaces, runs of one whitespace byte, digits and long letter runs: where chunks move as text arrives.
    const alphabet = Buffer.from('aaaabbbcde   \n\n\t0123,.{}', 'latin1');
    for (let round = 0; round < 200; round++) {
      let text = new Uint8Array(0);
      let before: Encoding | null = null;
      for (let step = 0; step < 40; step++) {
        const grow = round % 3 === 0 ? corpus.subarray(round * 997 + step * 5, round * 997 + step * 5 + 1 + rng.int(6)) : Uint8Array.from({ length: 1 + rng.int(4) }, () => alphabet[rng.int(alphabet.length)] as number);
        const next = new Uint8Array(text.length + grow.length);
        next.set(text);
        next.set(grow, text.length);
        text = next;
        // Now and then an unrelated text in between, as when the engine serves another request.
        const other = step % 7 === 3 ? tokenizer.encodeExtending(Buffer.from('some other prompt '), before) : null;
        const previous = before === null ? null : Array.from(before.ids);
        const extended = tokenizer.encodeExtending(text, other ?? before);
        expect(Array.from(extended.ids)).toEqual(Array.from(tokenizer.encode(text)));
        // The encoding extended from is left as it was (the engine may read it again).
        if (before !== null) expect(Array.from(before.ids)).toEqual(previous);
        before = extended;
      }
    }
  });

  it('encodes a chunk from its cache as it does the first time, at every chunk length and with NUL bytes', () => {
    // Chunks of up to six bytes are cached under a number, longer ones under a string.
    const texts = [' the', 'the', ' th', '\0the', 'the\0', ' hacker', ' hacke', ' hackers', 'aaaaaa', 'aaaaaaa', '\0', '\0\0', ' 123456', ' 1234567', '      ', '       '];
    const warm = new BpeTokenizer(tokenizer.merges);
    for (let round = 0; round < 2; round++) {
      for (const t of texts) {
        const bytes = Buffer.from(t.repeat(3), 'latin1');
        // A fresh tokenizer has nothing cached.
        expect(Array.from(warm.encode(bytes)), JSON.stringify(t)).toEqual(Array.from(new BpeTokenizer(tokenizer.merges).encode(bytes)));
      }
    }
  });

  it('splits text into words with their leading space, digit runs, whitespace runs and single symbols', () => {
    expect(chunks('The  hacker, 42 times\n\n{foo}x')).toEqual(['The', ' ', ' hacker', ',', ' 42', ' times', '\n\n', '{', 'foo', '}', 'x']);
    expect(chunks('a'.repeat(60)).map((c) => c.length)).toEqual([MAX_CHUNK, MAX_CHUNK, 60 - 2 * MAX_CHUNK]);
    expect(chunks('   ')).toEqual(['   ']);
  });

  it('round-trips every byte string of length 0..2 exactly', () => {
    expect(tokenizer.decode(tokenizer.encode(new Uint8Array(0)))).toEqual(new Uint8Array(0));
    const two = new Uint8Array(2);
    for (let a = 0; a < 256; a++) {
      expect(tokenizer.decode(tokenizer.encode(Uint8Array.of(a)))).toEqual(Uint8Array.of(a));
      for (let b = 0; b < 256; b++) {
        two[0] = a;
        two[1] = b;
        const back = tokenizer.decode(tokenizer.encode(two));
        if (back.length !== 2 || back[0] !== a || back[1] !== b) expect([a, b]).toEqual(Array.from(back));
      }
    }
  });

  it('round-trips random byte strings (uniform bytes, and text-like ones full of merges)', () => {
    const rng = new Random(7);
    const alphabet = new TextEncoder().encode(' eeettaoinshrdlu\n.,{}THE0123456789');
    for (let i = 0; i < 2000; i++) {
      const len = rng.int(300);
      const bytes = new Uint8Array(len);
      const textLike = i % 2 === 0;
      for (let j = 0; j < len; j++) bytes[j] = textLike ? (alphabet[rng.int(alphabet.length)] as number) : rng.int(256);
      expect(tokenizer.decode(tokenizer.encode(bytes))).toEqual(bytes);
    }
  });

  it('round-trips the whole corpus, and held-out text needs fewer tokens than bytes', () => {
    const ids = tokenizer.encode(corpus);
    expect(Buffer.compare(Buffer.from(tokenizer.decode(ids)), Buffer.from(corpus))).toBe(0);
    expect(ids.length).toBeLessThan(corpus.length / 2);
  });

  it('is byte-level without merges, and refuses malformed merge tables', () => {
    const bytes = new BpeTokenizer();
    expect(bytes.vocabSize).toBe(256);
    expect(Array.from(bytes.encode(Uint8Array.of(1, 200, 32)))).toEqual([1, 200, 32]);
    expect(() => new BpeTokenizer(Uint16Array.of(1))).toThrow(FemtoError);
    expect(() => new BpeTokenizer(Uint16Array.of(256, 1))).toThrow(/later token/);
    expect(() => tokenizer.bytesOf(tokenizer.vocabSize)).toThrow(FemtoError);
  });
});
