// Web Worker entry: bundle as its own script and hand `() => new Worker(url, { type: 'module' })`
// to WebComputePool. Runs GEMM bands and whole TENSOR_OPs, as the bridge's worker does.
import { isTensorOpTask, runMatmulTask, runTensorOpTask, type PoolTask } from '../../core/evgpu/ComputePool.js';
import { EvgpuError } from '../../core/evgpu/EvgpuError.js';

self.onmessage = (event: MessageEvent<PoolTask>) => {
  try {
    const task = event.data;
    if (!isTensorOpTask(task) && 'payload' in task) throw new Error('the page has no TENSOR_OP codec in its worker');
    if (isTensorOpTask(task)) {
      const result = runTensorOpTask(task);
      self.postMessage({ ok: true, result }); // copied: the page runs no TENSOR_OP on its pool yet
      return;
    }
    runMatmulTask(task);
    self.postMessage({ ok: true });
  } catch (e) {
    const code = e instanceof EvgpuError ? e.code : undefined;
    self.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e), code });
  }
};
