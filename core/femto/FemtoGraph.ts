import { Tensor } from '../evgpu/Tensor.js';
import { Tape } from '../evgpu/autodiff/Tape.js';
import { Var } from '../evgpu/autodiff/Var.js';
import { type FemtoParamName, femtoParamShapes, ngramBucket } from './FemtoConfig.js';
import { FemtoWeights } from './FemtoWeights.js';

/** The base weights as trainable tape variables. */
export class FemtoParams {
  readonly vars: ReadonlyMap<FemtoParamName, Var>;

  constructor(readonly weights: FemtoWeights) {
    const vars = new Map<FemtoParamName, Var>();
    for (const [name, shape] of femtoParamShapes(weights.config)) {
      // Shares the weights' buffers: optimiser steps update the FemtoWeights in place.
      vars.set(name, new Var(new Tensor(weights.get(name), shape), true));
    }
    this.vars = vars;
  }

  get(name: FemtoParamName): Var {
    const v = this.vars.get(name);
    if (!v) throw new Error(`missing parameter ${name}`);
    return v;
  }

  list(): Var[] {
    return [...this.vars.values()];
  }
}

const causalMasks = new Map<number, Tensor>();

/** Additive mask [T, T]: 0 on and below the diagonal, a large negative number above it. */
function causalMask(t: number): Tensor {
  let m = causalMasks.get(t);
  if (!m) {
    m = Tensor.zeros([t, t]);
    for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) m.data[i * t + j] = -1e4;
    causalMasks.set(t, m);
  }
  return m;
}

/**
 * Mean next-token cross-entropy (nats) of a batch on the tape: `inputs` and `targets` are
 * [batch, t] token ids, targets shifted one to the left of inputs. `prev` holds each input's
 * previous token in the text (-1 at its start) for the hashed pair embedding; without it, the
 * previous token inside the row (-1 at position 0).
 */
export function femtoLoss(tape: Tape, p: FemtoParams, inputs: Int32Array, targets: Int32Array, batch: number, t: number, prev?: Int32Array): Var {
  const { hidden: d, ngram } = p.weights.config;
  const positions = Int32Array.from({ length: t }, (_, i) => i);
  let x = tape.add(tape.embedding(p.get('wte'), inputs, [batch, t]), tape.embedding(p.get('wpe'), positions, [t]));
  if (ngram) {
    const buckets = Int32Array.from(inputs, (tok, i) => ngramBucket(prev ? (prev[i] as number) : i % t === 0 ? -1 : (inputs[i - 1] as number), tok, ngram));
    x = tape.add(x, tape.embedding(p.get('wng'), buckets, [batch, t]));
  }

  const h = tape.layerNorm(x, p.get('ln1g'), p.get('ln1b'));
  const q = tape.matmul(h, p.get('wq'));
  const k = tape.matmul(h, p.get('wk'));
  const v = tape.matmul(h, p.get('wv'));
  const scores = tape.add(tape.scale(tape.matmul(q, tape.transpose(k)), 1 / Math.sqrt(d)), tape.constant(causalMask(t)));
  const att = tape.matmul(tape.softmax(scores), v);
  x = tape.add(x, tape.matmul(att, p.get('wo')));

  const h2 = tape.layerNorm(x, p.get('ln2g'), p.get('ln2b'));
  const hidden = tape.gelu(tape.add(tape.matmul(h2, p.get('w1')), p.get('b1')));
  x = tape.add(x, tape.add(tape.matmul(hidden, p.get('w2')), p.get('b2')));

  const hf = tape.layerNorm(x, p.get('lnfg'), p.get('lnfb'));
  const logits = tape.add(tape.matmul(hf, p.get('head')), p.get('headb'));
  return tape.crossEntropy(logits, targets);
}
