import { badShape } from './EvgpuError.js';
import { type Shape, checkShape, contiguousStrides, formatShape, sizeOf } from './Shape.js';

/**
 * A float32 tensor: a window (offset, shape, strides) onto a Float32Array. Views (transpose,
 * slice, permute) share the buffer; kernels accept any strides and call `dense()` when they
 * need packed rows. The buffer may live on a SharedArrayBuffer so workers can read it.
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly size: number;

  constructor(
    readonly data: Float32Array,
    shape: Shape,
    strides?: readonly number[],
    readonly offset = 0,
  ) {
    checkShape(shape);
    this.shape = [...shape];
    this.strides = strides ? [...strides] : contiguousStrides(shape);
    this.size = sizeOf(shape);
    if (this.strides.length !== this.shape.length) throw badShape('strides and shape differ in rank');
    if (this.size > 0 && this.maxOffset() >= data.length) {
      throw badShape(`view ${formatShape(shape)} overruns a buffer of ${data.length}`);
    }
  }

  static zeros(shape: Shape): Tensor {
    checkShape(shape);
    return new Tensor(new Float32Array(sizeOf(shape)), shape);
  }

  static full(shape: Shape, value: number): Tensor {
    const t = Tensor.zeros(shape);
    t.data.fill(value);
    return t;
  }

  static from(values: ArrayLike<number>, shape?: Shape): Tensor {
    const data = Float32Array.from(values);
    const s = shape ?? [data.length];
    if (sizeOf(s) !== data.length) throw badShape(`${data.length} values do not fill ${formatShape(s)}`);
    return new Tensor(data, s);
  }

  /** Shape on a SharedArrayBuffer, ready to hand to worker threads. */
  static shared(shape: Shape): Tensor {
    checkShape(shape);
    const n = sizeOf(shape);
    return new Tensor(new Float32Array(new SharedArrayBuffer(n * 4)), shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isContiguous(): boolean {
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i] ?? 1;
      if (d !== 1 && this.strides[i] !== s) return false;
      s *= d;
    }
    return true;
  }

  at(...index: number[]): number {
    if (index.length !== this.rank) throw badShape(`index of rank ${index.length} into rank ${this.rank}`);
    let o = this.offset;
    for (let i = 0; i < index.length; i++) {
      const k = index[i] ?? 0;
      const d = this.shape[i] ?? 0;
      if (k < 0 || k >= d) throw badShape(`index ${k} out of range ${d} on axis ${i}`);
      o += k * (this.strides[i] ?? 0);
    }
    return this.data[o] ?? 0;
  }

  /** Packed row-major elements; zero-copy when the view already is packed. */
  dense(): Float32Array {
    if (this.isContiguous) return this.data.subarray(this.offset, this.offset + this.size);
    const out = new Float32Array(this.size);
    copyStrided(this, out);
    return out;
  }

  contiguous(): Tensor {
    return this.isContiguous && this.offset === 0 && this.data.length === this.size
      ? this
      : new Tensor(this.dense().slice(), this.shape);
  }

  clone(): Tensor {
    return new Tensor(this.dense().slice(), this.shape);
  }

  reshape(shape: Shape): Tensor {
    const resolved = resolveReshape(shape, this.size);
    if (this.isContiguous) return new Tensor(this.data, resolved, undefined, this.offset);
    return new Tensor(this.dense(), resolved);
  }

  permute(order: readonly number[]): Tensor {
    if (order.length !== this.rank || new Set(order).size !== order.length || order.some((a) => a < 0 || a >= this.rank)) {
      throw badShape(`bad permutation [${order.join(',')}] for rank ${this.rank}`);
    }
    return new Tensor(
      this.data,
      order.map((a) => this.shape[a] ?? 0),
      order.map((a) => this.strides[a] ?? 0),
      this.offset,
    );
  }

  transpose(a = this.rank - 2, b = this.rank - 1): Tensor {
    const order = this.shape.map((_, i) => i);
    order[a] = b;
    order[b] = a;
    return this.permute(order);
  }

  /** View of `[start, end)` along `axis`. */
  slice(axis: number, start: number, end: number): Tensor {
    const d = this.shape[axis];
    if (d === undefined || start < 0 || end > d || start > end) throw badShape(`bad slice ${start}:${end} on axis ${axis}`);
    const shape = [...this.shape];
    shape[axis] = end - start;
    return new Tensor(this.data, shape, this.strides, this.offset + start * (this.strides[axis] ?? 0));
  }

  toArray(): number[] {
    return Array.from(this.dense());
  }

  private maxOffset(): number {
    let o = this.offset;
    for (let i = 0; i < this.rank; i++) o += ((this.shape[i] ?? 1) - 1) * Math.max(0, this.strides[i] ?? 0);
    return o;
  }
}

function resolveReshape(shape: Shape, size: number): number[] {
  const out = [...shape];
  const free = out.indexOf(-1);
  if (free >= 0) {
    const rest = sizeOf(out.filter((_, i) => i !== free));
    if (rest === 0 || size % rest !== 0) throw badShape(`cannot reshape ${size} elements to ${formatShape(shape)}`);
    out[free] = size / rest;
  }
  checkShape(out);
  if (sizeOf(out) !== size) throw badShape(`cannot reshape ${size} elements to ${formatShape(shape)}`);
  return out;
}

/** Copies a strided view into a packed array, walking the last axis in an inner loop. */
export function copyStrided(t: Tensor, out: Float32Array): void {
  const rank = t.rank;
  if (t.size === 0) return;
  if (rank === 0) {
    out[0] = t.data[t.offset] ?? 0;
    return;
  }
  const inner = t.shape[rank - 1] ?? 1;
  const innerStride = t.strides[rank - 1] ?? 0;
  const idx = new Array<number>(rank - 1).fill(0);
  const src = t.data;
  let base = t.offset;
  for (let o = 0; o < t.size; o += inner) {
    for (let j = 0, p = base; j < inner; j++, p += innerStride) out[o + j] = src[p] as number;
    for (let ax = rank - 2; ax >= 0; ax--) {
      const cur = (idx[ax] ?? 0) + 1;
      if (cur < (t.shape[ax] ?? 1)) {
        idx[ax] = cur;
        base += t.strides[ax] ?? 0;
        break;
      }
      idx[ax] = 0;
      base -= (cur - 1) * (t.strides[ax] ?? 0);
    }
  }
}
