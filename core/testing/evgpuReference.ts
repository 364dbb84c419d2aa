/** Plain, obviously-correct references the eVGPU kernels are checked against. */
import { Random, Tensor } from '../evgpu/index.js';

export function randomTensor(rng: Random, shape: readonly number[]): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.next() * 2 - 1;
  return t;
}

/** A non-contiguous view with the same logical values as `t` (stored transposed). */
export function asTransposedView(t: Tensor): Tensor {
  if (t.rank < 2) return t;
  const stored = t.transpose().contiguous();
  return stored.transpose();
}

export function indexOf(shape: readonly number[], flat: number): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i] as number;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

export function naiveMatmul(a: Tensor, b: Tensor): number[] {
  const m = a.shape[a.rank - 2] as number;
  const k = a.shape[a.rank - 1] as number;
  const n = b.shape[b.rank - 1] as number;
  const batch = a.size / (m * k);
  const out: number[] = [];
  for (let s = 0; s < batch; s++) {
    const bi = indexOf(a.shape.slice(0, -2), s);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) {
          const bIdx = b.rank === 2 ? [p, j] : [...bi, p, j];
          acc += a.at(...bi, i, p) * b.at(...bIdx);
        }
        out.push(acc);
      }
    }
  }
  return out;
}

export function naiveBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number, shape: readonly number[]): number[] {
  const size = shape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  const pick = (t: Tensor, idx: number[]) => {
    const lead = idx.length - t.rank;
    return t.at(...t.shape.map((d, i) => (d === 1 ? 0 : (idx[i + lead] as number))));
  };
  for (let e = 0; e < size; e++) {
    const idx = indexOf(shape, e);
    out.push(f(pick(a, idx), pick(b, idx)));
  }
  return out;
}

export function naiveConv2d(x: Tensor, w: Tensor, stride: number, padding: number): number[] {
  const [n, c, h, wd] = x.rank === 4 ? (x.shape as number[]) : [1, ...(x.shape as number[])];
  const [o, , kh, kw] = w.shape as number[];
  const oh = Math.floor((h! + 2 * padding - kh!) / stride) + 1;
  const ow = Math.floor((wd! + 2 * padding - kw!) / stride) + 1;
  const get = (b: number, ci: number, y: number, xx: number) =>
    y < 0 || y >= h! || xx < 0 || xx >= wd! ? 0 : x.rank === 4 ? x.at(b, ci, y, xx) : x.at(ci, y, xx);
  const out: number[] = [];
  for (let b = 0; b < n!; b++)
    for (let oc = 0; oc < o!; oc++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let acc = 0;
          for (let ci = 0; ci < c!; ci++)
            for (let ky = 0; ky < kh!; ky++)
              for (let kx = 0; kx < kw!; kx++) acc += get(b, ci, y * stride + ky - padding, xx * stride + kx - padding) * w.at(oc, ci, ky, kx);
          out.push(acc);
        }
  return out;
}

export function naivePool(x: Tensor, kind: 'max' | 'avg', k: number, s: number): number[] {
  const h = x.shape[x.rank - 2] as number;
  const w = x.shape[x.rank - 1] as number;
  const planes = x.size / (h * w);
  const oh = Math.floor((h - k) / s) + 1;
  const ow = Math.floor((w - k) / s) + 1;
  const flat = x.dense();
  const out: number[] = [];
  for (let p = 0; p < planes; p++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        const vals: number[] = [];
        for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) vals.push(flat[p * h * w + (y * s + ky) * w + xx * s + kx] as number);
        out.push(kind === 'max' ? Math.max(...vals) : vals.reduce((a, v) => a + v, 0) / vals.length);
      }
  return out;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) throw new Error(`element ${i}: ${a} vs ${e}`);
  }
}
