import { parentPort } from 'node:worker_threads';
import { isTensorOpTask, runMatmulTask, runTensorOpTask, type PoolTask } from '../../core/evgpu/ComputePool.js';
import { EvgpuError } from '../../core/evgpu/EvgpuError.js';

parentPort?.on('message', (task: PoolTask) => {
  try {
    if (isTensorOpTask(task)) {
      const result = runTensorOpTask(task);
      parentPort?.postMessage({ ok: true, result }, [result.data.buffer as ArrayBuffer]);
      return;
    }
    runMatmulTask(task);
    parentPort?.postMessage({ ok: true });
  } catch (e) {
    const code = e instanceof EvgpuError ? e.code : undefined;
    parentPort?.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e), code });
  }
});
