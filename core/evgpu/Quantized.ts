import { badShape } from './EvgpuError.js';
import { formatShape } from './Shape.js';
import { Tensor } from './Tensor.js';

/**
 * An int8 matrix with one float scale per row (symmetric: value ≈ q · scale, q in [-127, 127]).
 * Per-row scales keep one outlier row from crushing the precision of the others.
 */
export class QuantizedMatrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Int8Array,
    readonly scales: Float32Array,
  ) {
    if (data.length !== rows * cols || scales.length !== rows) throw badShape('quantized matrix buffers do not match its shape');
  }

  get byteLength(): number {
    return this.data.byteLength + this.scales.byteLength;
  }
}

export function quantizeRows(t: Tensor): QuantizedMatrix {
  if (t.rank !== 2) throw badShape(`quantizeRows needs a matrix, got ${formatShape(t.shape)}`);
  const [rows, cols] = t.shape as [number, number];
  const d = t.dense();
  const q = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(d[r * cols + c] as number));
    const s = max / 127;
    scales[r] = s;
    const inv = s === 0 ? 0 : 1 / s;
    for (let c = 0; c < cols; c++) q[r * cols + c] = Math.round((d[r * cols + c] as number) * inv);
  }
  return new QuantizedMatrix(rows, cols, q, scales);
}

export function dequantize(q: QuantizedMatrix): Tensor {
  const out = Tensor.zeros([q.rows, q.cols]);
  for (let r = 0; r < q.rows; r++) {
    const s = q.scales[r] as number;
    for (let c = 0; c < q.cols; c++) out.data[r * q.cols + c] = (q.data[r * q.cols + c] as number) * s;
  }
  return out;
}

/**
 * C[m×n] = A[m×k] · Bᵀ where `bT` holds B transposed (n rows of length k), so both operands are
 * walked along contiguous rows. The dot products are exact integers; each is scaled once.
 */
export function qmatmul(a: QuantizedMatrix, bT: QuantizedMatrix): Tensor {
  if (a.cols !== bT.cols) throw badShape(`qmatmul inner dimensions differ: ${a.cols} vs ${bT.cols}`);
  const { rows: m, cols: k } = a;
  const n = bT.rows;
  const out = Tensor.zeros([m, n]);
  const ad = a.data;
  const bd = bT.data;
  for (let i = 0; i < m; i++) {
    const ao = i * k;
    const sa = a.scales[i] as number;
    let j = 0;
    // Four columns at a time share every load of the A row.
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = ad[ao + p] as number;
        s0 += x * (bd[b0 + p] as number);
        s1 += x * (bd[b1 + p] as number);
        s2 += x * (bd[b2 + p] as number);
        s3 += x * (bd[b3 + p] as number);
      }
      const o = i * n + j;
      out.data[o] = s0 * sa * (bT.scales[j] as number);
      out.data[o + 1] = s1 * sa * (bT.scales[j + 1] as number);
      out.data[o + 2] = s2 * sa * (bT.scales[j + 2] as number);
      out.data[o + 3] = s3 * sa * (bT.scales[j + 3] as number);
    }
    for (; j < n; j++) {
      const bo = j * k;
      let acc = 0;
      for (let p = 0; p < k; p++) acc += (ad[ao + p] as number) * (bd[bo + p] as number);
      out.data[i * n + j] = acc * sa * (bT.scales[j] as number);
    }
  }
  return out;
}

/** Float convenience: quantises A by rows and B by columns, then multiplies in int8. */
export function matmulInt8(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 2 || b.rank !== 2) throw badShape('matmulInt8 needs two matrices');
  return qmatmul(quantizeRows(a), quantizeRows(b.transpose()));
}
