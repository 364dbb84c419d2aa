import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { isTensorOpPayloadTask } from '../../core/evgpu/ComputePool.js';
import { WorkerComputePool } from '../../core/evgpu/WorkerComputePool.js';
import { DEFAULT_WORKER_NICE } from './threadPriority.js';

/**
 * Starts the worker entry next to this file: compiled `.js` in dist directly; from source
 * (`.ts`, under tsx or vitest) through a tiny bootstrap that registers tsx's loader first,
 * because worker execArgv cannot carry `--import` on every supported Node.
 */
function startWorker(nice: number): Worker {
  const here = import.meta.url;
  const workerData = { nice };
  if (!here.endsWith('.ts')) return new Worker(new URL('./matmulWorker.js', here), { workerData });
  const entry = new URL('./matmulWorker.ts', here).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * ComputePool on Node worker_threads. Tasks carry SharedArrayBuffers, so posting one copies a
 * few numbers, not the matrices. Task i of a batch goes to worker i mod size. The workers run
 * below the event loop's priority (threadPriority.ts): lines are served first.
 */
export class NodeComputePool extends WorkerComputePool {
  /** `nice`: the workers' priority (Linux; 0 keeps the process's), DEFAULT_WORKER_NICE unless told. */
  constructor(size = Math.max(1, availableParallelism()), nice = DEFAULT_WORKER_NICE) {
    super(size, (events) => {
      const worker = startWorker(nice);
      worker.on('message', (msg: unknown) => events.reply(msg));
      worker.on('error', (e: unknown) => events.crash(e instanceof Error ? e : new Error(String(e))));
      worker.on('exit', (exitCode) => events.crash(new Error(`matmul worker exited with code ${exitCode}`)));
      return {
        // A TENSOR_OP's bytes move to the worker rather than being copied once more (1 MB each; issue 16).
        post: (task) => worker.postMessage(task, isTensorOpPayloadTask(task) ? [task.payload.buffer as ArrayBuffer] : []),
        terminate: () => void worker.terminate(),
        // Referenced only while busy: an idle pool never keeps the process alive.
        busy: (busy) => (busy ? worker.ref() : worker.unref()),
      };
    });
  }
}
