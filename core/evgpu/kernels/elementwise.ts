import { broadcastShapes } from '../Shape.js';
import { Tensor } from '../Tensor.js';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

type RowFn = (o: Float32Array, oo: number, a: Float32Array, ao: number, as: number, b: Float32Array, bo: number, bs: number, len: number) => void;

const ROWS: Record<BinaryOp, RowFn> = {
  add: (o, oo, a, ao, as, b, bo, bs, len) => {
    for (let j = 0; j < len; j++) o[oo + j] = (a[ao + j * as] as number) + (b[bo + j * bs] as number);
  },
  sub: (o, oo, a, ao, as, b, bo, bs, len) => {
    for (let j = 0; j < len; j++) o[oo + j] = (a[ao + j * as] as number) - (b[bo + j * bs] as number);
  },
  mul: (o, oo, a, ao, as, b, bo, bs, len) => {
    for (let j = 0; j < len; j++) o[oo + j] = (a[ao + j * as] as number) * (b[bo + j * bs] as number);
  },
  div: (o, oo, a, ao, as, b, bo, bs, len) => {
    for (let j = 0; j < len; j++) o[oo + j] = (a[ao + j * as] as number) / (b[bo + j * bs] as number);
  },
};

/** Element-wise op with NumPy broadcasting over any strides. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const out = Tensor.zeros(shape);
  if (out.size === 0) return out;
  const row = ROWS[op];
  const rank = shape.length;
  const sa = broadcastStrides(a, shape);
  const sb = broadcastStrides(b, shape);
  const inner = rank === 0 ? 1 : (shape[rank - 1] as number);
  const ia = rank === 0 ? 0 : (sa[rank - 1] as number);
  const ib = rank === 0 ? 0 : (sb[rank - 1] as number);
  const idx = new Array<number>(Math.max(0, rank - 1)).fill(0);
  let ao = a.offset;
  let bo = b.offset;
  for (let oo = 0; oo < out.size; oo += inner) {
    row(out.data, oo, a.data, ao, ia, b.data, bo, ib, inner);
    for (let ax = rank - 2; ax >= 0; ax--) {
      const cur = (idx[ax] as number) + 1;
      if (cur < (shape[ax] as number)) {
        idx[ax] = cur;
        ao += sa[ax] as number;
        bo += sb[ax] as number;
        break;
      }
      idx[ax] = 0;
      ao -= (cur - 1) * (sa[ax] as number);
      bo -= (cur - 1) * (sb[ax] as number);
    }
  }
  return out;
}

/** Strides of `t` seen through `shape`: broadcast axes get stride 0. */
export function broadcastStrides(t: Tensor, shape: readonly number[]): number[] {
  const lead = shape.length - t.rank;
  return shape.map((_, i) => {
    const ax = i - lead;
    if (ax < 0 || t.shape[ax] === 1) return 0;
    return t.strides[ax] as number;
  });
}

/** Sums a broadcast gradient back down to `shape` (the reverse of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const out = Tensor.zeros(shape);
  const gd = g.dense();
  const rank = g.rank;
  const so = broadcastStrides(out, g.shape);
  const idx = new Array<number>(rank).fill(0);
  let oo = 0;
  for (let i = 0; i < gd.length; i++) {
    out.data[oo] = (out.data[oo] as number) + (gd[i] as number);
    for (let ax = rank - 1; ax >= 0; ax--) {
      const cur = (idx[ax] as number) + 1;
      if (cur < (g.shape[ax] as number)) {
        idx[ax] = cur;
        oo += so[ax] as number;
        break;
      }
      idx[ax] = 0;
      oo -= (cur - 1) * (so[ax] as number);
    }
  }
  return out;
}

export function scale(a: Tensor, s: number): Tensor {
  const d = a.dense();
  const out = Tensor.zeros(a.shape);
  for (let i = 0; i < d.length; i++) out.data[i] = (d[i] as number) * s;
  return out;
}
