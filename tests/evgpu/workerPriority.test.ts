import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeComputePool } from '../../bridge/compute/index.js';
import { DEFAULT_WORKER_NICE } from '../../bridge/compute/threadPriority.js';
import { ParallelMatmul } from '../../core/evgpu/index.js';
import { Random } from '../../core/evgpu/Random.js';
import { randomTensor } from '../../core/testing/evgpuReference.js';

/** Nice value of every thread of this process, from /proc (field 19 of each task's stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name may hold spaces; fields count from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[16]);
  });
}

const pools: NodeComputePool[] = [];
afterAll(() => pools.forEach((p) => p.dispose()));

describe('the compute pool runs below the event loop', () => {
  it('its workers run at the pool nice value while this thread keeps its own', async () => {
    const before = threadNices().filter((n) => n === DEFAULT_WORKER_NICE).length;
    const pool = new NodeComputePool(2);
    pools.push(pool);
    // Two tasks start both workers; their threads lower themselves on start.
    const rng = new Random(3);
    await new ParallelMatmul(pool, { minMultiplyAdds: 0 }).matmul(randomTensor(rng, [64, 64]), randomTensor(rng, [64, 64]));
    const nices = threadNices();
    expect(nices.filter((n) => n === DEFAULT_WORKER_NICE).length).toBe(before + 2);
    const self = readFileSync('/proc/thread-self/stat', 'utf8');
    expect(Number(self.slice(self.lastIndexOf(')') + 2).split(' ')[16])).toBe(0);
  });

  it('nice 0 keeps the workers at the process priority', async () => {
    const before = threadNices().filter((n) => n !== 0).length;
    const pool = new NodeComputePool(1, 0);
    pools.push(pool);
    const rng = new Random(4);
    await new ParallelMatmul(pool, { minMultiplyAdds: 0 }).matmul(randomTensor(rng, [8, 8]), randomTensor(rng, [8, 8]));
    expect(threadNices().filter((n) => n !== 0).length).toBe(before);
  });
});
