import type { PoolTask } from '../../core/evgpu/ComputePool.js';
import { WorkerComputePool } from '../../core/evgpu/WorkerComputePool.js';

/** The part of a Web Worker the pool uses, so tests can stand in for the browser. */
export interface WorkerLike {
  postMessage(message: PoolTask): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  terminate(): void;
}

/**
 * ComputePool on Web Workers. SharedArrayBuffer needs a cross-origin-isolated page (COOP
 * `same-origin` + COEP `require-corp`); without it, use core/evgpu's InlineComputePool.
 * `createWorker` starts one worker running web/compute/matmulWorker.ts (bundled separately).
 */
export class WebComputePool extends WorkerComputePool {
  constructor(createWorker: () => WorkerLike, size = 2) {
    super(size, (events) => {
      const w = createWorker();
      w.onmessage = (event) => events.reply(event.data);
      w.onerror = () => events.crash(new Error('matmul worker crashed'));
      return { post: (task) => w.postMessage(task), terminate: () => w.terminate() };
    });
  }
}
