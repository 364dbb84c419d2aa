import type { ComputePool, MatmulTask } from './ComputePool.js';
import { badShape } from './EvgpuError.js';
import { formatShape } from './Shape.js';
import { Tensor } from './Tensor.js';
import { matmul } from './kernels/matmul.js';
import { useSimdFor } from './kernels/matmulKernel.js';

export interface ParallelMatmulOptions {
  /** Below this many multiply-adds the product stays on the calling thread (thread hand-off costs more). */
  readonly minMultiplyAdds?: number;
}

/**
 * Matrix product that splits large 2-D products into row bands, one per pool thread, on shared
 * memory. Inputs already on a SharedArrayBuffer (Tensor.shared) are not copied.
 */
export class ParallelMatmul {
  private readonly minMultiplyAdds: number;

  constructor(
    private readonly pool: ComputePool,
    options: ParallelMatmulOptions = {},
  ) {
    this.minMultiplyAdds = options.minMultiplyAdds ?? 1 << 21;
  }

  async matmul(a: Tensor, b: Tensor): Promise<Tensor> {
    // Batched products are many small GEMMs: they stay on the calling thread.
    if (a.rank !== 2 || b.rank !== 2) return matmul(a, b);
    const [m, k] = a.shape as [number, number];
    const [kb, n] = b.shape as [number, number];
    if (k !== kb) throw badShape(`matmul inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
    // Even a one-thread pool is used for large products: it keeps the calling thread free.
    if (m * k * n < this.minMultiplyAdds) return matmul(a, b);
    const sa = toShared(a);
    const sb = toShared(b);
    const c = Tensor.shared([m, n]);
    const bands = Math.max(1, Math.min(this.pool.size, Math.ceil(m / 4)));
    const simd = useSimdFor(m, k, n);
    const tasks: MatmulTask[] = [];
    for (let i = 0; i < bands; i++) {
      // Bands are multiples of four rows so every worker runs the 4-row kernel.
      const rowStart = Math.min(m, Math.round((i * m) / bands / 4) * 4);
      const rowEnd = i === bands - 1 ? m : Math.min(m, Math.round(((i + 1) * m) / bands / 4) * 4);
      if (rowEnd > rowStart) tasks.push({ a: sa, b: sb, c: c.data.buffer as SharedArrayBuffer, m, k, n, rowStart, rowEnd, simd });
    }
    await this.pool.run(tasks);
    return c;
  }
}

function toShared(t: Tensor): SharedArrayBuffer {
  if (t.data.buffer instanceof SharedArrayBuffer && t.offset === 0 && t.isContiguous && t.data.byteOffset === 0) {
    return t.data.buffer;
  }
  const buf = new SharedArrayBuffer(t.size * 4);
  new Float32Array(buf).set(t.dense());
  return buf;
}
