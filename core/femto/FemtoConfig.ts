/** Shape of the FemtoLLM: a byte-level, one-layer, one-head transformer of width 16. */
export interface FemtoConfig {
  readonly vocab: number;
  readonly hidden: number;
  readonly context: number;
  readonly mlp: number;
}

export const FEMTO_CONFIG: FemtoConfig = { vocab: 256, hidden: 16, context: 64, mlp: 64 };

export type FemtoParamName =
  | 'wte' | 'wpe'
  | 'ln1g' | 'ln1b' | 'wq' | 'wk' | 'wv' | 'wo'
  | 'ln2g' | 'ln2b' | 'w1' | 'b1' | 'w2' | 'b2'
  | 'lnfg' | 'lnfb' | 'head' | 'headb';

/** Parameter order of the serialised weights; changing it invalidates committed weights. */
export function femtoParamShapes(c: FemtoConfig): ReadonlyArray<readonly [FemtoParamName, readonly number[]]> {
  const d = c.hidden;
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
  ];
}
