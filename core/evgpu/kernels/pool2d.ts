import { badShape } from '../EvgpuError.js';
import { formatShape } from '../Shape.js';
import { Tensor } from '../Tensor.js';

export type PoolKind = 'max' | 'avg';

export interface PoolGeometry {
  /** Number of independent planes (N·C). */
  readonly planes: number;
  readonly h: number;
  readonly w: number;
  readonly oh: number;
  readonly ow: number;
  readonly kernel: number;
  readonly stride: number;
  readonly outShape: number[];
}

/** Pools the last two axes of a rank-3 or rank-4 tensor; windows never hang over the edge. */
export function planPool2d(x: readonly number[], kernel: number, stride: number): PoolGeometry {
  if (x.length !== 3 && x.length !== 4) throw badShape(`pool2d needs [N,C,H,W] or [C,H,W], got ${formatShape(x)}`);
  if (!Number.isInteger(kernel) || kernel < 1 || !Number.isInteger(stride) || stride < 1) {
    throw badShape(`pool2d kernel ${kernel} / stride ${stride} invalid`);
  }
  const h = x[x.length - 2] as number;
  const w = x[x.length - 1] as number;
  if (kernel > h || kernel > w) throw badShape(`pool2d kernel ${kernel} larger than ${formatShape(x)}`);
  const oh = Math.floor((h - kernel) / stride) + 1;
  const ow = Math.floor((w - kernel) / stride) + 1;
  const lead = x.slice(0, -2);
  const planes = lead.reduce((p, d) => p * d, 1);
  return { planes, h, w, oh, ow, kernel, stride, outShape: [...lead, oh, ow] };
}

export interface PoolResult {
  readonly out: Tensor;
  /** For max pooling: flat input index of each output's winner (the backward pass routes to it). */
  readonly argmax: Int32Array | null;
}

export function pool2d(kind: PoolKind, x: Tensor, kernel: number, stride: number): PoolResult {
  const g = planPool2d(x.shape, kernel, stride);
  const xd = x.dense();
  const out = Tensor.zeros(g.outShape);
  const argmax = kind === 'max' ? new Int32Array(out.size) : null;
  const inv = 1 / (kernel * kernel);
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const base = p * g.h * g.w;
    for (let y = 0; y < g.oh; y++) {
      for (let xx = 0; xx < g.ow; xx++, o++) {
        let best = -Infinity;
        let bestAt = -1;
        let sum = 0;
        for (let ky = 0; ky < kernel; ky++) {
          const row = base + (y * stride + ky) * g.w + xx * stride;
          for (let kx = 0; kx < kernel; kx++) {
            const v = xd[row + kx] as number;
            sum += v;
            if (v > best) {
              best = v;
              bestAt = row + kx;
            }
          }
        }
        if (argmax) {
          out.data[o] = best;
          argmax[o] = bestAt;
        } else {
          out.data[o] = sum * inv;
        }
      }
    }
  }
  return { out, argmax };
}

export function pool2dBackward(kind: PoolKind, x: Tensor, r: PoolResult, gOut: Tensor, kernel: number, stride: number): Tensor {
  const g = planPool2d(x.shape, kernel, stride);
  const gx = Tensor.zeros(x.shape);
  const go = gOut.dense();
  if (kind === 'max' && r.argmax) {
    for (let i = 0; i < go.length; i++) {
      const at = r.argmax[i] as number;
      gx.data[at] = (gx.data[at] as number) + (go[i] as number);
    }
    return gx;
  }
  const inv = 1 / (kernel * kernel);
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const base = p * g.h * g.w;
    for (let y = 0; y < g.oh; y++) {
      for (let xx = 0; xx < g.ow; xx++, o++) {
        const v = (go[o] as number) * inv;
        for (let ky = 0; ky < kernel; ky++) {
          const row = base + (y * stride + ky) * g.w + xx * stride;
          for (let kx = 0; kx < kernel; kx++) gx.data[row + kx] = (gx.data[row + kx] as number) + v;
        }
      }
    }
  }
  return gx;
}
