import { type Lexicon, NO_NODE } from './Lexicon.js';

/**
 * Keeps generated words inside a lexicon. Decoding carries a state: the lexicon node of the word
 * being written (0 between words), or FREE inside a word the prompt began that the lexicon does
 * not know (left alone until it ends). `advance` says what a candidate token's bytes do to the
 * state: REJECT if a letter leaves the lexicon, or if the token ends a word that is only a
 * prefix of words. Samplers redraw a rejected token, so the answer is drawn from the model's
 * distribution restricted to tokens that keep every word a word of the training text.
 */
export const FREE = -2;
export const REJECT = -3;

const LETTER = (() => {
  const t = new Uint8Array(256);
  for (let b = 65; b <= 90; b++) t[b] = 1;
  for (let b = 97; b <= 122; b++) t[b] = 1;
  return t;
})();

export class WordGuard {
  /** Per token id, when built with `pieces`: 1 if it starts with a letter. */
  private readonly letterFirst: Uint8Array;
  /** Per token id: 1 if its bytes are acceptable after a complete word or between words. */
  private readonly rootOk: Uint8Array;
  /** Ids of the tokens that do not start with a letter, and of those that do by first letter (a–z, either case). */
  private readonly otherIds: Int32Array;
  private readonly byFirstLetter: readonly Int32Array[];

  /**
   * With `pieces` (each token's bytes by id), `allows` answers from tables for every token that
   * does not continue a word, which is most of them: what such a token does does not depend on
   * the word before it beyond whether that word is complete.
   */
  constructor(
    readonly lexicon: Lexicon,
    private readonly pieces: readonly Uint8Array[] = [],
  ) {
    this.letterFirst = Uint8Array.from(pieces, (p) => (p.length > 0 && LETTER[p[0] as number] === 1 ? 1 : 0));
    this.rootOk = Uint8Array.from(pieces, (p) => (this.advance(0, p) === REJECT ? 0 : 1));
    const ids = Int32Array.from(pieces, (_, id) => id);
    this.otherIds = ids.filter((id) => this.letterFirst[id] === 0);
    this.byFirstLetter = Array.from({ length: 26 }, (_, l) => ids.filter((id) => this.letterFirst[id] === 1 && (((pieces[id] as Uint8Array)[0] as number) | 32) - 97 === l));
  }

  /**
   * `allows(state, id)` for every token id at once, into `out` (1/0, indexed by id). A sampler
   * asks about every column of a state, and from inside a word most first letters already leave
   * the lexicon: each first letter's child is looked up once and its tokens are read on from there.
   */
  allowsAll(state: number, out: Uint8Array): void {
    const { otherIds, rootOk, pieces } = this;
    const wordEnds = state <= 0 || this.lexicon.isWord(state);
    for (let k = 0; k < otherIds.length; k++) {
      const id = otherIds[k] as number;
      out[id] = wordEnds && rootOk[id] === 1 ? 1 : 0;
    }
    for (let l = 0; l < 26; l++) {
      const group = this.byFirstLetter[l] as Int32Array;
      if (group.length === 0) continue;
      const child = state === FREE ? FREE : state === 0 ? 0 : this.lexicon.next(state, 97 + l);
      for (let k = 0; k < group.length; k++) {
        const id = group[k] as number;
        if (state === FREE) out[id] = 1;
        else if (state === 0) out[id] = rootOk[id] as number;
        else out[id] = child !== NO_NODE && this.advance(child, pieces[id] as Uint8Array, 1) !== REJECT ? 1 : 0;
      }
    }
  }

  /** Whether token `id` (of the `pieces` given to the constructor) may follow `state`. */
  allows(state: number, id: number): boolean {
    if (this.letterFirst[id] === 0) return (state <= 0 || this.lexicon.isWord(state)) && this.rootOk[id] === 1;
    if (state === FREE) return true;
    if (state === 0) return this.rootOk[id] === 1;
    return this.advance(state, this.pieces[id] as Uint8Array) !== REJECT;
  }

  /** The state after the prompt `bytes`. */
  start(bytes: Uint8Array): number {
    let state = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] as number;
      if (LETTER[b] === 0) state = 0;
      else if (state !== FREE) {
        state = this.lexicon.next(state, b);
        if (state === NO_NODE) state = FREE;
      }
    }
    return state;
  }

  /** The state after `piece` (from its byte `from` on), or REJECT. */
  advance(state: number, piece: Uint8Array, from = 0): number {
    const lex = this.lexicon;
    for (let i = from; i < piece.length; i++) {
      const b = piece[i] as number;
      if (LETTER[b] === 1) {
        if (state === FREE) continue;
        state = lex.next(state, b);
        if (state === NO_NODE) return REJECT;
      } else {
        if (state > 0 && !lex.isWord(state)) return REJECT;
        state = 0;
      }
    }
    return state;
  }
}
