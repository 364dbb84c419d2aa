import { describe, expect, it } from 'vitest';
import { Lexicon } from './Lexicon.js';
import { FREE, REJECT, WordGuard } from './WordGuard.js';
import { baseWeights } from './baseWeights.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const lexicon = Lexicon.fromText('The hacker hacks; a hack is the thing. THE END');
const guard = new WordGuard(lexicon);

describe('Lexicon', () => {
  it('holds the lower-case words of a text and round-trips its stored form', () => {
    expect(lexicon.words).toEqual(['a', 'end', 'hack', 'hacker', 'hacks', 'is', 'the', 'thing']);
    expect(lexicon.has('hack')).toBe(true);
    expect(lexicon.has('HACKER')).toBe(true);
    expect(lexicon.has('hac')).toBe(false);
    expect(lexicon.has('hackers')).toBe(false);
    expect(Lexicon.parse(lexicon.serialize()).words).toEqual(lexicon.words);
    expect(() => Lexicon.parse('good bad1')).toThrow(RangeError);
    expect(Lexicon.parse('').words).toEqual([]);
  });
});

describe('WordGuard', () => {
  const run = (prompt: string, ...pieces: string[]) => {
    let s = guard.start(bytes(prompt));
    for (const p of pieces) {
      s = guard.advance(s, bytes(p));
      if (s === REJECT) return REJECT;
    }
    return s;
  };

  it('accepts tokens that keep the current word a prefix of a lexicon word', () => {
    expect(run('', ' hac', 'ker', ' is')).not.toBe(REJECT);
    expect(run('The ', 'hack', 'er', '.')).not.toBe(REJECT);
    expect(run('The hac', 'ks', ' a')).not.toBe(REJECT);
  });

  it('rejects a letter that leaves the lexicon, and a word that ends as a mere prefix', () => {
    expect(run('', ' hax')).toBe(REJECT);
    expect(run('', ' hackz')).toBe(REJECT);
    expect(run('', ' hac', ' is')).toBe(REJECT);
    expect(run('', ' thin', ',')).toBe(REJECT);
    expect(run('', ' thing', ',')).toBe(0);
  });

  it('leaves a word the prompt began alone until it ends, then guards again', () => {
    expect(guard.start(bytes('xyzzy'))).toBe(FREE);
    expect(run('xyzz', 'yq', ' the')).not.toBe(REJECT);
    expect(run('xyzz', 'y', ' qq')).toBe(REJECT);
  });
});

describe('WordGuard.allows (token tables)', () => {
  it('agrees with advance for every token after every kind of state', () => {
    const pieces = [' hac', 'ker', ' the', '.', ' ', 'hack', 'x', ' thing', 'ks', '\n', ' qq', 'is'].map(bytes);
    const tabled = new WordGuard(lexicon, pieces);
    const states = [0, FREE, guard.start(bytes('hac')), guard.start(bytes('hack')), guard.start(bytes('th')), guard.start(bytes('the'))];
    for (const s of states) {
      pieces.forEach((p, id) => expect(tabled.allows(s, id), `${s} ${JSON.stringify(new TextDecoder().decode(p))}`).toBe(guard.advance(s, p) !== REJECT));
    }
  });
});

describe('WordGuard.allowsAll', () => {
  it('gives allows(state, id) for every token id, after every kind of state, on the base lexicon and vocabulary', () => {
    const base = baseWeights();
    const lex = base.lexicon;
    if (!lex) throw new Error('the base weights carry no lexicon');
    const pieces = Array.from({ length: base.tokenizer.vocabSize }, (_, id) => base.tokenizer.bytesOf(id));
    const tabled = new WordGuard(lex, pieces);
    const plain = new WordGuard(lex);
    const prompts = ['', 'The ', 'The hac', 'hacker', 'xyzzy', 'in the beginning was the w', 'th', 'a', 'kludg', 'foo. ', 'Hack', 'q'];
    const states = new Set<number>([0, FREE]);
    for (const p of prompts) states.add(tabled.start(bytes(p)));
    const out = new Uint8Array(pieces.length);
    let allowed = 0;
    for (const s of states) {
      out.fill(7);
      tabled.allowsAll(s, out);
      pieces.forEach((p, id) => {
        const want = plain.advance(s, p) !== REJECT;
        if ((out[id] === 1) !== want || (out[id] !== 0 && out[id] !== 1)) throw new Error(`state ${s}, token ${JSON.stringify(new TextDecoder().decode(p))}: ${out[id]}`);
        if (want) allowed++;
      });
    }
    expect(states.size).toBeGreaterThan(8);
    // Neither all nor none: the rows tell tokens apart.
    expect(allowed).toBeGreaterThan(states.size * 10);
    expect(allowed).toBeLessThan(states.size * pieces.length);
  });
});
