import { Tensor } from '../Tensor.js';

/**
 * A value on the tape. `grad` is packed row-major in the logical order of `value.shape`
 * (whatever the strides of `value`), allocated on first accumulation. Parameters are Vars
 * created once and reused across tapes; zero their grads between steps with `zeroGrad`.
 */
export class Var {
  grad: Float32Array | null = null;

  constructor(
    readonly value: Tensor,
    readonly requiresGrad = false,
  ) {}

  static param(value: Tensor): Var {
    return new Var(value.contiguous(), true);
  }

  get shape(): readonly number[] {
    return this.value.shape;
  }

  gradTensor(): Tensor {
    return new Tensor(this.grad ?? new Float32Array(this.value.size), this.value.shape);
  }

  zeroGrad(): void {
    this.grad?.fill(0);
  }

  accumulate(g: Float32Array): void {
    if (!this.requiresGrad) return;
    if (this.grad === null) {
      this.grad = g.slice();
      return;
    }
    const dst = this.grad;
    for (let i = 0; i < dst.length; i++) dst[i] = (dst[i] as number) + (g[i] as number);
  }
}
