import { parentPort, workerData } from 'node:worker_threads';
import { isTensorOpPayloadTask, isTensorOpTask, runMatmulTask, runTensorOpTask, type PoolTask } from '../../core/evgpu/ComputePool.js';
import { EvgpuError } from '../../core/evgpu/EvgpuError.js';
import { handleTensorOpPayload } from '../dispatch/tensorOpWire.js';
import { niceThisThread } from './threadPriority.js';

// Below the event loop's priority, so that lines keep being served while this thread computes.
const nice = (workerData as { nice?: unknown } | null)?.nice;
if (typeof nice === 'number' && nice !== 0) niceThisThread(nice);

parentPort?.on('message', (task: PoolTask) => {
  try {
    if (isTensorOpPayloadTask(task)) {
      // Decoded, run and encoded here: the bridge's main thread only moves the bytes.
      const reply = handleTensorOpPayload(task.payload, task.limits);
      parentPort?.postMessage({ ok: true, result: reply }, [reply.buffer as ArrayBuffer]);
      return;
    }
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
