import { describe, expect, it } from 'vitest';
import { ParallelMatmul, Random, Tensor, matmul, runMatmulTask, type MatmulTask } from '../../core/evgpu/index.js';
import { WebComputePool, type WorkerLike } from './WebComputePool.js';

/** Runs tasks like the real worker entry, answering on a later macrotask as a Worker would. */
class FakeWorker implements WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  terminated = false;
  handled = 0;
  constructor(private readonly crash = false) {}
  postMessage(task: MatmulTask): void {
    setTimeout(() => {
      if (this.crash) return this.onerror?.(new Error('boom'));
      runMatmulTask(task);
      this.handled++;
      this.onmessage?.({ data: { ok: true } });
    }, 0);
  }
  terminate(): void {
    this.terminated = true;
  }
}

function random(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.next() - 0.5;
  return t;
}

describe('WebComputePool', () => {
  it('spreads row bands over its workers and matches the single-thread product', async () => {
    const workers: FakeWorker[] = [];
    const pool = new WebComputePool(() => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    }, 2);
    const a = random([37, 21], 1);
    const b = random([21, 19], 2);
    const c = await new ParallelMatmul(pool, { minMultiplyAdds: 0 }).matmul(a, b);
    expect(Array.from(c.data)).toEqual(Array.from(matmul(a, b).data));
    expect(workers.map((w) => w.handled)).toEqual([1, 1]);
    pool.dispose();
    expect(workers.every((w) => w.terminated)).toBe(true);
  });

  it('rejects when a worker crashes, and afterwards', async () => {
    const pool = new WebComputePool(() => new FakeWorker(true), 1);
    const pm = new ParallelMatmul(pool, { minMultiplyAdds: 0 });
    await expect(pm.matmul(random([8, 8], 3), random([8, 8], 4))).rejects.toThrow(/crashed/);
    await expect(pool.run([])).rejects.toThrow(/crashed/);
  });
});
