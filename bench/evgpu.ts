/**
 * eVGPU matmul throughput against numpy (OpenBLAS), measured in the same run.
 *   npx tsx bench/evgpu.ts [--sizes 256,512,1024]
 * Baselines: numpy with its default threads and with OPENBLAS_NUM_THREADS=1. Columns: the
 * portable JS kernel, matmul() on the calling thread (WebAssembly SIMD for these sizes), the
 * worker pool with one worker and with two, and the int8 qmatmul.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { NodeComputePool } from '../bridge/compute/index.js';
import { ParallelMatmul, Random, Tensor, matmul, matmulRowsJs, qmatmul, quantizeRows } from '../core/evgpu/index.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '256,512,1024' } } });
const sizes = (values.sizes ?? '').split(',').map(Number);

function randomMatrix(n: number, seed: number): Tensor {
  const rng = new Random(seed);
  const t = Tensor.shared([n, n]);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.next() * 2 - 1;
  return t;
}

/** Best of `reps` timings after one warm-up, in seconds. */
async function best(reps: number, f: () => unknown): Promise<number> {
  await f();
  await f();
  let min = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await f();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return min;
}

/** Debian's python3-numpy (OpenBLAS) at /usr/bin/python3, as the issue names; PYTHON overrides. */
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

const NUMPY_MISSING = 'numpy baseline unavailable (apt-get install python3-numpy)';

/** GFLOPS per size from numpy, or null (with the reason printed once) when python3 or numpy is missing. */
function numpy(threads: string | null): Record<string, number> | null {
  const script = `
import json, sys, time, numpy as np
out = {}
for n in ${JSON.stringify(sizes)}:
    a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
    a @ b
    best = min((lambda t0: (a @ b, time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(10))
    out[str(n)] = 2 * n**3 / best / 1e9
out['version'] = np.__version__
print(json.dumps(out))`;
  const env = { ...process.env };
  if (threads) env.OPENBLAS_NUM_THREADS = threads;
  try {
    return JSON.parse(execFileSync(PYTHON, ['-c', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Record<string, number>;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const load0 = loadavg()[0]?.toFixed(2);
  const npDefault = numpy(null);
  const npOne = npDefault === null ? null : numpy('1');
  if (npDefault === null) console.log(`${NUMPY_MISSING}; ${PYTHON} could not import it. Columns compare eVGPU kernels only.`);
  const pool1 = new NodeComputePool(1);
  const pool2 = new NodeComputePool(2);
  const par1 = new ParallelMatmul(pool1, { minMultiplyAdds: 0 });
  const par2 = new ParallelMatmul(pool2, { minMultiplyAdds: 0 });
  const rows: string[][] = [];
  for (const n of sizes) {
    const a = randomMatrix(n, 1);
    const b = randomMatrix(n, 2);
    const flop = 2 * n ** 3;
    const reps = n >= 1024 ? 4 : n >= 512 ? 6 : 10;
    const out = new Float32Array(n * n);
    const js = flop / (await best(Math.min(reps, 3), () => matmulRowsJs(a.data, b.data, out, n, n, 0, n))) / 1e9;
    const inline = flop / (await best(reps, () => matmul(a, b))) / 1e9;
    const w1 = flop / (await best(reps, () => par1.matmul(a, b))) / 1e9;
    const w2 = flop / (await best(reps, () => par2.matmul(a, b))) / 1e9;
    const qa = quantizeRows(a);
    const qbT = quantizeRows(b.transpose());
    const q8 = n <= 512 ? flop / (await best(reps, () => qmatmul(qa, qbT))) / 1e9 : NaN;
    const npd = npDefault?.[String(n)] ?? NaN;
    const np1 = npOne?.[String(n)] ?? NaN;
    const na = (v: number, text: string) => (Number.isNaN(v) ? 'n/a' : text);
    rows.push([
      `${n}²`, na(np1, np1.toFixed(1)), na(npd, npd.toFixed(1)), js.toFixed(2), inline.toFixed(2), w1.toFixed(2), w2.toFixed(2),
      (w2 / w1).toFixed(2), na(npd, `${((100 * w2) / npd).toFixed(1)}%`), Number.isNaN(q8) ? '-' : q8.toFixed(2),
    ]);
  }
  pool1.dispose();
  pool2.dispose();
  const head = ['size', 'numpy 1T', 'numpy (default)', 'JS kernel', 'SIMD inline', '1 worker', '2 workers', '2w/1w', '2w vs numpy', 'int8 qmatmul'];
  const baseline = npDefault === null ? NUMPY_MISSING : `numpy ${npDefault.version} via ${PYTHON}`;
  console.log(`GFLOPS (2·n³ / best time); ${baseline}; load average before/after: ${load0} / ${loadavg()[0]?.toFixed(2)}`);
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

await main();
