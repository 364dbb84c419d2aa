import type { Var } from './Var.js';

export interface AdamOptions {
  readonly lr?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Gradients are rescaled so their global L2 norm is at most this (0 = off). */
  readonly clipNorm?: number;
}

/** Adam over a fixed list of parameters; updates `value` in place and zeroes the grads. */
export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly clipNorm: number;

  constructor(
    private readonly params: readonly Var[],
    options: AdamOptions = {},
  ) {
    this.lr = options.lr ?? 1e-2;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.clipNorm = options.clipNorm ?? 0;
    this.m = params.map((p) => new Float32Array(p.value.size));
    this.v = params.map((p) => new Float32Array(p.value.size));
  }

  step(): void {
    this.t++;
    const clip = this.clipScale();
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (!g) return;
      const m = this.m[i] as Float32Array;
      const v = this.v[i] as Float32Array;
      const w = p.value.data;
      for (let j = 0; j < w.length; j++) {
        const gj = (g[j] as number) * clip;
        const mj = (m[j] = this.beta1 * (m[j] as number) + (1 - this.beta1) * gj);
        const vj = (v[j] = this.beta2 * (v[j] as number) + (1 - this.beta2) * gj * gj);
        w[j] = (w[j] as number) - (this.lr * (mj / c1)) / (Math.sqrt(vj / c2) + this.eps);
      }
      g.fill(0);
    });
  }

  private clipScale(): number {
    if (this.clipNorm <= 0) return 1;
    let sq = 0;
    for (const p of this.params) if (p.grad) for (const x of p.grad) sq += x * x;
    const norm = Math.sqrt(sq);
    return norm > this.clipNorm ? this.clipNorm / norm : 1;
  }
}
