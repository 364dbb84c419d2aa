import { afterAll, describe, expect, it } from 'vitest';
import { NodeComputePool } from '../../bridge/compute/index.js';
import { InlineComputePool, ParallelMatmul, Random, Tensor, matmul } from '../../core/evgpu/index.js';
import { asTransposedView, expectClose, randomTensor } from '../../core/testing/evgpuReference.js';

const rng = new Random(11);
const pool = new NodeComputePool(2);
afterAll(() => pool.dispose());

describe('ParallelMatmul over worker_threads on SharedArrayBuffers', () => {
  it('splits a large product across two workers and matches the single-thread kernel', async () => {
    const pm = new ParallelMatmul(pool, { minMultiplyAdds: 0 });
    for (const [m, k, n] of [[67, 45, 33], [130, 129, 257], [5, 3, 2], [2, 8, 8]] as const) {
      const a = randomTensor(rng, [m, k]);
      const b = randomTensor(rng, [k, n]);
      const c = await pm.matmul(a, b);
      expect(c.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expectClose(c.data, matmul(a, b).data, 1e-6);
    }
  });

  it('reads shared inputs in place and copies strided views', async () => {
    const pm = new ParallelMatmul(pool, { minMultiplyAdds: 0 });
    const a = Tensor.shared([64, 32]);
    a.data.set(randomTensor(rng, [64, 32]).data);
    const b = asTransposedView(randomTensor(rng, [32, 48]));
    expectClose((await pm.matmul(a, b)).data, matmul(a, b).data, 1e-6);
  });

  it('keeps small products on the calling thread', async () => {
    const pm = new ParallelMatmul(pool);
    const c = await pm.matmul(randomTensor(rng, [4, 4]), randomTensor(rng, [4, 4]));
    expect(c.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });

  it('runs many concurrent products without mixing results', async () => {
    const pm = new ParallelMatmul(pool, { minMultiplyAdds: 0 });
    const jobs = Array.from({ length: 6 }, () => [randomTensor(rng, [20, 10]), randomTensor(rng, [10, 9])] as const);
    const results = await Promise.all(jobs.map(([a, b]) => pm.matmul(a, b)));
    results.forEach((c, i) => expectClose(c.data, matmul(jobs[i]![0], jobs[i]![1]).data, 1e-6));
  });

  it('the inline pool gives the same answer', async () => {
    const pm = new ParallelMatmul(new InlineComputePool(), { minMultiplyAdds: 0 });
    const a = randomTensor(rng, [9, 9]);
    const b = randomTensor(rng, [9, 9]);
    expectClose((await pm.matmul(a, b)).data, matmul(a, b).data, 0);
  });

  it('rejects work after dispose', async () => {
    const p = new NodeComputePool(1);
    p.dispose();
    await expect(p.run([])).rejects.toThrow(/disposed/);
  });
});
