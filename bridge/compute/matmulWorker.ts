import { parentPort } from 'node:worker_threads';
import { type MatmulTask, runMatmulTask } from '../../core/evgpu/ComputePool.js';

parentPort?.on('message', (task: MatmulTask) => {
  try {
    runMatmulTask(task);
    parentPort?.postMessage({ ok: true });
  } catch (e) {
    parentPort?.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
