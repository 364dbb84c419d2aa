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

  /** The state after `piece`, or REJECT. */
  advance(state: number, piece: Uint8Array): number {
    const lex = this.lexicon;
    for (let i = 0; i < piece.length; i++) {
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
