/** Shape of the FemtoLLM: a one-layer, one-head transformer of width 16 over a token vocabulary. */
export interface FemtoConfig {
  readonly vocab: number;
  readonly hidden: number;
  readonly context: number;
  readonly mlp: number;
  /**
   * Buckets of the hashed (previous token, token) input embedding `wng`, added to the token and
   * position embeddings; 0 or absent: none.
   */
  readonly ngram?: number;
}

/** Bucket of the (previous token, token) pair; `prev` is -1 at the start of a text. */
export function ngramBucket(prev: number, token: number, buckets: number): number {
  let h = Math.imul(prev + 1, 0x9e3779b1) ^ Math.imul(token + 0x51ed27, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) % buckets;
}

export const FEMTO_CONFIG: FemtoConfig = { vocab: 256, hidden: 16, context: 64, mlp: 64 };

export type FemtoParamName =
  | 'wte' | 'wpe'
  | 'ln1g' | 'ln1b' | 'wq' | 'wk' | 'wv' | 'wo'
  | 'ln2g' | 'ln2b' | 'w1' | 'b1' | 'w2' | 'b2'
  | 'lnfg' | 'lnfb' | 'head' | 'headb' | 'wng';

/** Parameter order of the serialised weights; changing it invalidates committed weights. */
export function femtoParamShapes(c: FemtoConfig): ReadonlyArray<readonly [FemtoParamName, readonly number[]]> {
  const d = c.hidden;
  const ngram: ReadonlyArray<readonly [FemtoParamName, readonly number[]]> = c.ngram ? [['wng', [c.ngram, d]]] : [];
  return [
    ['wte', [c.vocab, d]],
    ['wpe', [c.context, d]],
    ['ln1g', [d]],
    ['ln1b', [d]],
    ['wq', [d, d]],
    ['wk', [d, d]],
    ['wv', [d, d]],
    ['wo', [d, d]],
    ['ln2g', [d]],
    ['ln2b', [d]],
    ['w1', [d, c.mlp]],
    ['b1', [c.mlp]],
    ['w2', [c.mlp, d]],
    ['b2', [d]],
    ['lnfg', [d]],
    ['lnfb', [d]],
    ['head', [d, c.vocab]],
    ['headb', [c.vocab]],
    ...ngram,
  ];
}
