import { badShape } from '../EvgpuError.js';
import { formatShape } from '../Shape.js';
import { Tensor } from '../Tensor.js';
import { matmulRows } from './matmulKernel.js';

export interface Conv2dGeometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  readonly stride: number;
  readonly padding: number;
}

/** Input [N,C,H,W] (or [C,H,W]), weight [O,C,KH,KW]; no dilation, no groups. */
export function planConv2d(x: readonly number[], w: readonly number[], stride: number, padding: number): Conv2dGeometry {
  if ((x.length !== 3 && x.length !== 4) || w.length !== 4) {
    throw badShape(`conv2d needs input [N,C,H,W] and weight [O,C,KH,KW], got ${formatShape(x)} * ${formatShape(w)}`);
  }
  if (!Number.isInteger(stride) || stride < 1 || !Number.isInteger(padding) || padding < 0) {
    throw badShape(`conv2d stride ${stride} / padding ${padding} invalid`);
  }
  const [n, c, h, wd] = x.length === 4 ? x : [1, ...x];
  const [o, wc, kh, kw] = w;
  if (wc !== c) throw badShape(`conv2d channels differ: ${formatShape(x)} * ${formatShape(w)}`);
  const oh = Math.floor(((h as number) + 2 * padding - (kh as number)) / stride) + 1;
  const ow = Math.floor(((wd as number) + 2 * padding - (kw as number)) / stride) + 1;
  if (oh < 1 || ow < 1) throw badShape(`conv2d kernel larger than padded input: ${formatShape(x)} * ${formatShape(w)}`);
  return { n: n as number, c: c as number, h: h as number, w: wd as number, o: o as number, kh: kh as number, kw: kw as number, oh, ow, stride, padding };
}

export function conv2dOutputShape(g: Conv2dGeometry, rank: number): number[] {
  return rank === 4 ? [g.n, g.o, g.oh, g.ow] : [g.o, g.oh, g.ow];
}

/** Unfolds one image into columns [C·KH·KW, OH·OW] so the convolution becomes one GEMM. */
function im2col(x: Float32Array, xo: number, g: Conv2dGeometry, cols: Float32Array): void {
  const { c, h, w, kh, kw, oh, ow, stride, padding } = g;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, r++) {
        const ro = r * oh * ow;
        for (let y = 0; y < oh; y++) {
          const iy = y * stride + ky - padding;
          for (let xx = 0; xx < ow; xx++) {
            const ix = xx * stride + kx - padding;
            cols[ro + y * ow + xx] = iy >= 0 && iy < h && ix >= 0 && ix < w ? (x[xo + (ci * h + iy) * w + ix] as number) : 0;
          }
        }
      }
    }
  }
}

function col2im(cols: Float32Array, g: Conv2dGeometry, gx: Float32Array, xo: number): void {
  const { c, h, w, kh, kw, oh, ow, stride, padding } = g;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, r++) {
        const ro = r * oh * ow;
        for (let y = 0; y < oh; y++) {
          const iy = y * stride + ky - padding;
          if (iy < 0 || iy >= h) continue;
          for (let xx = 0; xx < ow; xx++) {
            const ix = xx * stride + kx - padding;
            if (ix < 0 || ix >= w) continue;
            const p = xo + (ci * h + iy) * w + ix;
            gx[p] = (gx[p] as number) + (cols[ro + y * ow + xx] as number);
          }
        }
      }
    }
  }
}

export function conv2d(x: Tensor, weight: Tensor, stride = 1, padding = 0): Tensor {
  const g = planConv2d(x.shape, weight.shape, stride, padding);
  const out = Tensor.zeros(conv2dOutputShape(g, x.rank));
  const xd = x.dense();
  const wd = weight.dense();
  const ckk = g.c * g.kh * g.kw;
  const spatial = g.oh * g.ow;
  const cols = new Float32Array(ckk * spatial);
  for (let b = 0; b < g.n; b++) {
    im2col(xd, b * g.c * g.h * g.w, g, cols);
    matmulRows(wd, cols, out.data.subarray(b * g.o * spatial, (b + 1) * g.o * spatial), ckk, spatial, 0, g.o);
  }
  return out;
}

/** Gradients of conv2d with respect to its input and its weight. */
export function conv2dBackward(x: Tensor, weight: Tensor, gOut: Tensor, stride: number, padding: number): { gx: Tensor; gw: Tensor } {
  const g = planConv2d(x.shape, weight.shape, stride, padding);
  const xd = x.dense();
  const wd = weight.dense();
  const god = gOut.dense();
  const ckk = g.c * g.kh * g.kw;
  const spatial = g.oh * g.ow;
  const gx = Tensor.zeros(x.shape);
  const gw = Tensor.zeros(weight.shape);
  const cols = new Float32Array(ckk * spatial);
  const colsT = new Float32Array(spatial * ckk);
  const wT = transpose2d(wd, g.o, ckk);
  const gwPart = new Float32Array(g.o * ckk);
  const gcols = new Float32Array(ckk * spatial);
  for (let b = 0; b < g.n; b++) {
    const go = god.subarray(b * g.o * spatial, (b + 1) * g.o * spatial);
    im2col(xd, b * g.c * g.h * g.w, g, cols);
    transpose2dInto(cols, ckk, spatial, colsT);
    matmulRows(go, colsT, gwPart, spatial, ckk, 0, g.o);
    for (let i = 0; i < gwPart.length; i++) gw.data[i] = (gw.data[i] as number) + (gwPart[i] as number);
    matmulRows(wT, go, gcols, g.o, spatial, 0, ckk);
    col2im(gcols, g, gx.data, b * g.c * g.h * g.w);
  }
  return { gx, gw };
}

export function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  transpose2dInto(src, rows, cols, out);
  return out;
}

function transpose2dInto(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c] as number;
  }
}
