// Web Worker entry: bundle as its own script and hand `() => new Worker(url, { type: 'module' })`
// to WebComputePool.
import { type MatmulTask, runMatmulTask } from '../../core/evgpu/ComputePool.js';

self.onmessage = (event: MessageEvent<MatmulTask>) => {
  try {
    runMatmulTask(event.data);
    self.postMessage({ ok: true });
  } catch (e) {
    self.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
};
