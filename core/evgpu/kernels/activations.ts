import { badShape } from '../EvgpuError.js';
import { Tensor } from '../Tensor.js';

export type Activation = 'relu' | 'sigmoid' | 'tanh' | 'gelu';

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (as in GPT-2). */
export function geluScalar(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
}

export function geluGradScalar(x: number): number {
  const u = GELU_C * (x + 0.044715 * x * x * x);
  const t = Math.tanh(u);
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
}

export function sigmoidScalar(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function activate(kind: Activation, a: Tensor): Tensor {
  const d = a.dense();
  const out = Tensor.zeros(a.shape);
  const o = out.data;
  switch (kind) {
    case 'relu':
      for (let i = 0; i < d.length; i++) o[i] = Math.max(0, d[i] as number);
      break;
    case 'sigmoid':
      for (let i = 0; i < d.length; i++) o[i] = sigmoidScalar(d[i] as number);
      break;
    case 'tanh':
      for (let i = 0; i < d.length; i++) o[i] = Math.tanh(d[i] as number);
      break;
    case 'gelu':
      for (let i = 0; i < d.length; i++) o[i] = geluScalar(d[i] as number);
      break;
  }
  return out;
}

/** Softmax over the last axis, max-subtracted so large logits cannot overflow. */
export function softmax(a: Tensor): Tensor {
  if (a.rank === 0) throw badShape('softmax needs rank >= 1');
  const n = a.shape[a.rank - 1] as number;
  const d = a.dense();
  const out = Tensor.zeros(a.shape);
  for (let r = 0; r < d.length; r += n) softmaxRow(d, out.data, r, n);
  return out;
}

export function softmaxRow(src: Float32Array, dst: Float32Array, o: number, n: number): void {
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, src[o + j] as number);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp((src[o + j] as number) - max);
    dst[o + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < n; j++) dst[o + j] = (dst[o + j] as number) * inv;
}
