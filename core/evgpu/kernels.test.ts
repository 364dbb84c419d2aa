import { describe, expect, it } from 'vitest';
import {
  EvgpuError, Random, Tensor, activate, binary, conv2d, dequantize, matmul, matmulInt8, pool2d, quantizeRows, softmax,
} from './index.js';
import { asTransposedView, expectClose, naiveBinary, naiveConv2d, naiveMatmul, naivePool, randomTensor } from '../testing/evgpuReference.js';

const rng = new Random(42);
const dim = (max: number) => 1 + rng.int(max);

describe('Tensor views', () => {
  it('transpose, slice and permute share the buffer and index correctly', () => {
    const t = Tensor.from([0, 1, 2, 3, 4, 5], [2, 3]);
    const tt = t.transpose();
    expect(tt.shape).toEqual([3, 2]);
    expect(tt.isContiguous).toBe(false);
    expect(tt.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    const s = t.slice(1, 1, 3);
    expect(s.toArray()).toEqual([1, 2, 4, 5]);
    t.data[4] = 40;
    expect(s.at(1, 0)).toBe(40);
    expect(Tensor.zeros([2, 3, 4]).permute([2, 0, 1]).shape).toEqual([4, 2, 3]);
  });

  it('reshape infers -1 and refuses mismatched sizes with BAD_SHAPE', () => {
    expect(Tensor.zeros([4, 6]).reshape([-1, 8]).shape).toEqual([3, 8]);
    expect(() => Tensor.zeros([4, 6]).reshape([5, 5])).toThrow(EvgpuError);
    expect(() => Tensor.from([1, 2, 3], [2, 2])).toThrow(/do not fill/);
  });

  it('refuses a view that overruns its buffer', () => {
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow(/overruns/);
  });
});

describe('matmul', () => {
  it('matches the naive product on random odd shapes, contiguous and transposed views', () => {
    for (let trial = 0; trial < 25; trial++) {
      const m = dim(37);
      const k = dim(300);
      const n = dim(37);
      const a = randomTensor(rng, [m, k]);
      const b = randomTensor(rng, [k, n]);
      const expected = naiveMatmul(a, b);
      expectClose(matmul(a, b).data, expected, 1e-4);
      expectClose(matmul(asTransposedView(a), asTransposedView(b)).data, expected, 1e-4);
    }
  });

  it('crosses the column and depth blocks (n > 256, k > 128)', () => {
    const a = randomTensor(rng, [5, 131]);
    const b = randomTensor(rng, [131, 263]);
    expectClose(matmul(a, b).data, naiveMatmul(a, b), 1e-4);
  });

  it('batches, with B per batch or shared', () => {
    const a = randomTensor(rng, [3, 5, 7]);
    const b = randomTensor(rng, [3, 7, 2]);
    const shared = randomTensor(rng, [7, 4]);
    expectClose(matmul(a, b).data, naiveMatmul(a, b));
    expect(matmul(a, shared).shape).toEqual([3, 5, 4]);
    expectClose(matmul(a, shared).data, naiveMatmul(a, shared));
  });

  it('rejects mismatched inner dimensions', () => {
    expect(() => matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 2]))).toThrow(/inner dimensions/);
  });
});

describe('broadcasting element-wise ops', () => {
  const ops = { add: (x: number, y: number) => x + y, sub: (x: number, y: number) => x - y, mul: (x: number, y: number) => x * y, div: (x: number, y: number) => x / y } as const;
  it.each(Object.keys(ops) as (keyof typeof ops)[])('%s matches the reference across broadcast shapes and views', (op) => {
    const cases: Array<[number[], number[], number[]]> = [
      [[3, 4], [3, 4], [3, 4]],
      [[2, 3, 4], [4], [2, 3, 4]],
      [[2, 1, 5], [3, 1], [2, 3, 5]],
      [[1], [7, 3], [7, 3]],
    ];
    for (const [sa, sb, so] of cases) {
      const a = randomTensor(rng, sa);
      const b = randomTensor(rng, sb).contiguous();
      for (let i = 0; i < b.size; i++) if (Math.abs(b.data[i] as number) < 0.1) b.data[i] = 0.5;
      const out = binary(op, a, b);
      expect(out.shape).toEqual(so);
      expectClose(out.data, naiveBinary(a, b, ops[op], so));
      expectClose(binary(op, asTransposedView(a), asTransposedView(b)).data, naiveBinary(a, b, ops[op], so));
    }
  });

  it('refuses incompatible shapes', () => {
    expect(() => binary('add', Tensor.zeros([2, 3]), Tensor.zeros([4]))).toThrow(/broadcast/);
  });
});

describe('activations', () => {
  const refs = {
    relu: (x: number) => Math.max(0, x),
    sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
    tanh: Math.tanh,
    gelu: (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  } as const;
  it.each(Object.keys(refs) as (keyof typeof refs)[])('%s matches the scalar formula on a strided view', (kind) => {
    const a = asTransposedView(randomTensor(rng, [dim(9), dim(9)]));
    const expected = a.toArray().map(refs[kind]);
    expectClose(activate(kind, a).data, expected, 1e-5);
  });

  it('softmax rows sum to one and survive huge logits', () => {
    const a = Tensor.from([1000, 1001, 1002, -5, 0, 5], [2, 3]);
    const s = softmax(a);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const z = e.reduce((x, y) => x + y);
    expectClose(s.data.subarray(0, 3), e.map((v) => v / z), 1e-6);
    expect(s.data.subarray(3).reduce((x, y) => x + y)).toBeCloseTo(1, 6);
    expect(s.data.every(Number.isFinite)).toBe(true);
  });
});

describe('conv2d and pooling', () => {
  it('conv2d matches direct loops for odd sizes, strides and paddings', () => {
    for (let trial = 0; trial < 12; trial++) {
      const n = dim(2);
      const c = dim(3);
      const h = 3 + rng.int(7);
      const w = 3 + rng.int(7);
      const k = 1 + rng.int(3);
      const stride = 1 + rng.int(2);
      const padding = rng.int(2);
      const x = randomTensor(rng, [n, c, h, w]);
      const wt = randomTensor(rng, [dim(4), c, k, k]);
      expectClose(conv2d(x, wt, stride, padding).data, naiveConv2d(x, wt, stride, padding), 1e-4);
    }
  });

  it('conv2d accepts a single image [C,H,W] and a strided input view', () => {
    const x = randomTensor(rng, [2, 5, 6]);
    const wt = randomTensor(rng, [3, 2, 3, 3]);
    const out = conv2d(asTransposedView(x), wt, 1, 1);
    expect(out.shape).toEqual([3, 5, 6]);
    expectClose(out.data, naiveConv2d(x, wt, 1, 1), 1e-4);
  });

  it('conv2d refuses mismatched channels and kernels larger than the input', () => {
    expect(() => conv2d(Tensor.zeros([1, 2, 4, 4]), Tensor.zeros([1, 3, 2, 2]))).toThrow(/channels/);
    expect(() => conv2d(Tensor.zeros([1, 1, 2, 2]), Tensor.zeros([1, 1, 3, 3]))).toThrow(/larger/);
  });

  it.each(['max', 'avg'] as const)('%s pool matches the reference on odd sizes', (kind) => {
    for (let trial = 0; trial < 8; trial++) {
      const k = 1 + rng.int(3);
      const s = 1 + rng.int(3);
      const x = randomTensor(rng, [dim(2), dim(3), k + rng.int(6), k + rng.int(6)]);
      expectClose(pool2d(kind, x, k, s).out.data, naivePool(x, kind, k, s), 1e-5);
      expectClose(pool2d(kind, asTransposedView(x), k, s).out.data, naivePool(x.transpose().contiguous().transpose(), kind, k, s), 1e-5);
    }
  });
});

describe('int8 quantisation', () => {
  it('round-trips each row within half a quantisation step', () => {
    const t = randomTensor(rng, [7, 33]);
    for (let i = 0; i < 33; i++) t.data[i] = (t.data[i] as number) * 100;
    const q = quantizeRows(t);
    const back = dequantize(q);
    for (let r = 0; r < 7; r++) {
      const s = q.scales[r] as number;
      for (let c = 0; c < 33; c++) expect(Math.abs((back.data[r * 33 + c] as number) - (t.data[r * 33 + c] as number))).toBeLessThanOrEqual(s / 2 + 1e-6);
    }
    expect(q.scales[0]).toBeGreaterThan(50 * (q.scales[1] as number));
  });

  it('quantised matmul tracks the float product', () => {
    for (let trial = 0; trial < 5; trial++) {
      const a = randomTensor(rng, [dim(20), 64]);
      const b = randomTensor(rng, [64, dim(20)]);
      const exact = naiveMatmul(a, b);
      const approx = matmulInt8(a, b).data;
      let err = 0;
      let norm = 0;
      exact.forEach((e, i) => {
        err += ((approx[i] as number) - e) ** 2;
        norm += e * e;
      });
      expect(Math.sqrt(err / norm)).toBeLessThan(0.02);
    }
  });

  it('keeps zero rows at zero', () => {
    const q = quantizeRows(Tensor.zeros([2, 4]));
    expect(Array.from(dequantize(q).data)).toEqual(new Array(8).fill(0));
  });
});

/**
 * Non-contiguous views with odd shapes: a transposed store, a slice with an offset and a row
 * stride wider than the row, and a permuted rank-3 view. Each kernel must give on the view what
 * the plain reference gives on the same logical values.
 */
describe('softmax and int8 kernels on non-contiguous views', () => {
  /** Logical shape `shape` (rank 2), stored so that the view is strided and offset. */
  function views(shape: [number, number]): Tensor[] {
    const [r, c] = shape;
    const transposed = asTransposedView(randomTensor(rng, [r, c]));
    const wide = randomTensor(rng, [r + 3, c + 5]).slice(0, 2, 2 + r).slice(1, 3, 3 + c);
    const interleaved = randomTensor(rng, [c, r, 3]);
    const permuted = new Tensor(interleaved.data, [r, c], [3, 3 * r], 1);
    const everyOther = randomTensor(rng, [r, 2 * c + 1]).permute([1, 0]);
    const stepped = new Tensor(everyOther.data, [r, c], [2 * c + 1, 2], 1);
    return [transposed, wide, permuted, stepped];
  }

  const shapes: [number, number][] = [[1, 1], [1, 7], [7, 1], [5, 3], [3, 13], [17, 9], [2, 65]];

  function naiveSoftmaxRows(values: number[], n: number): number[] {
    const out: number[] = [];
    for (let o = 0; o < values.length; o += n) {
      const row = values.slice(o, o + n);
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const z = e.reduce((a, b) => a + b, 0);
      out.push(...e.map((v) => v / z));
    }
    return out;
  }

  /** Per-row symmetric int8: the plain reference quantizeRows must reproduce exactly. */
  function naiveQuantize(values: number[], rows: number, cols: number): { q: number[]; scales: number[] } {
    const q: number[] = [];
    const scales: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = values.slice(r * cols, (r + 1) * cols);
      const s = Math.max(...row.map(Math.abs)) / 127;
      scales.push(Math.fround(s));
      for (const v of row) q.push(s === 0 ? 0 : Math.round(v * (1 / s)) || 0);
    }
    return { q, scales };
  }

  it('the views are really non-contiguous', () => {
    for (const v of views([5, 3])) expect(v.isContiguous).toBe(false);
  });

  it('softmax over the last axis matches the reference on strided views of odd shapes, ranks 2 and 3', () => {
    for (const shape of shapes) {
      for (const v of views(shape)) expectClose(softmax(v).data, naiveSoftmaxRows(v.toArray(), shape[1]), 1e-6);
    }
    const r3 = randomTensor(rng, [3, 5, 7]).permute([2, 0, 1]).slice(0, 1, 6);
    expect(r3.isContiguous).toBe(false);
    expectClose(softmax(r3).data, naiveSoftmaxRows(r3.toArray(), 5), 1e-6);
  });

  it('quantizeRows on a strided view gives exactly the reference int8 values and scales', () => {
    for (const shape of shapes) {
      for (const v of views(shape)) {
        const q = quantizeRows(v);
        const ref = naiveQuantize(v.toArray(), shape[0], shape[1]);
        expect(Array.from(q.scales)).toEqual(ref.scales);
        expect(Array.from(q.data)).toEqual(ref.q);
      }
    }
  });

  it('matmulInt8 on strided views equals the integer reference and tracks the float product', () => {
    for (const [m, k] of shapes) {
      const n = dim(11);
      for (const a of views([m, k])) {
        for (const b of views([k, n])) {
          const qa = naiveQuantize(a.toArray(), m, k);
          const bt = b.transpose().contiguous();
          const qb = naiveQuantize(bt.toArray(), n, k);
          const exact: number[] = [];
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let acc = 0;
              for (let p = 0; p < k; p++) acc += (qa.q[i * k + p] as number) * (qb.q[j * k + p] as number);
              exact.push(acc * (qa.scales[i] as number) * (qb.scales[j] as number));
            }
          }
          const got = matmulInt8(a, b);
          expect(got.shape).toEqual([m, n]);
          expectClose(got.data, exact, 1e-5);
          const float = naiveMatmul(a.contiguous(), b.contiguous());
          float.forEach((f, i) => expect(Math.abs((got.data[i] as number) - f)).toBeLessThanOrEqual(0.02 * k + 1e-6));
        }
      }
    }
  });
});
