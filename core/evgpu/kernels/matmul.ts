import { badShape } from '../EvgpuError.js';
import { formatShape } from '../Shape.js';
import { Tensor } from '../Tensor.js';
import { matmulRows, useSimdFor } from './matmulKernel.js';

export interface MatmulPlan {
  /** Batch dimensions of the result. */
  readonly batch: number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** True when B is one matrix shared by every batch of A. */
  readonly sharedB: boolean;
}

/** A [...batch, m, k] @ B [...batch, k, n] or B [k, n]; rank-1 operands are not promoted. */
export function planMatmul(a: readonly number[], b: readonly number[]): MatmulPlan {
  if (a.length < 2 || b.length < 2) throw badShape(`matmul needs rank >= 2, got ${formatShape(a)} @ ${formatShape(b)}`);
  const m = a[a.length - 2] as number;
  const k = a[a.length - 1] as number;
  const kb = b[b.length - 2] as number;
  const n = b[b.length - 1] as number;
  if (k !== kb) throw badShape(`matmul inner dimensions differ: ${formatShape(a)} @ ${formatShape(b)}`);
  const batch = a.slice(0, -2);
  const sharedB = b.length === 2;
  if (!sharedB && (b.length !== a.length || b.slice(0, -2).some((d, i) => d !== batch[i]))) {
    throw badShape(`matmul batch dimensions differ: ${formatShape(a)} @ ${formatShape(b)}`);
  }
  return { batch, m, k, n, sharedB };
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  const plan = planMatmul(a.shape, b.shape);
  const { m, k, n } = plan;
  const out = Tensor.zeros([...plan.batch, m, n]);
  const ad = a.dense();
  const bd = b.dense();
  const batches = out.size / Math.max(1, m * n) || 0;
  const simd = useSimdFor(m, k, n);
  for (let s = 0; s < batches; s++) {
    const as = ad.subarray(s * m * k, (s + 1) * m * k);
    const bs = plan.sharedB ? bd : bd.subarray(s * k * n, (s + 1) * k * n);
    matmulRows(as, bs, out.data.subarray(s * m * n, (s + 1) * m * n), k, n, 0, m, simd);
  }
  return out;
}
