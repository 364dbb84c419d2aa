import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WorkerComputePool } from '../../core/evgpu/WorkerComputePool.js';

/**
 * Starts the worker entry next to this file: compiled `.js` in dist directly; from source
 * (`.ts`, under tsx or vitest) through a tiny bootstrap that registers tsx's loader first,
 * because worker execArgv cannot carry `--import` on every supported Node.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./matmulWorker.js', here));
  const entry = new URL('./matmulWorker.ts', here).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

/**
 * ComputePool on Node worker_threads. Tasks carry SharedArrayBuffers, so posting one copies a
 * few numbers, not the matrices. Task i of a batch goes to worker i mod size.
 */
export class NodeComputePool extends WorkerComputePool {
  constructor(size = Math.max(1, availableParallelism())) {
    super(size, (events) => {
      const worker = startWorker();
      worker.on('message', (msg: unknown) => events.reply(msg));
      worker.on('error', (e: unknown) => events.crash(e instanceof Error ? e : new Error(String(e))));
      worker.on('exit', (exitCode) => events.crash(new Error(`matmul worker exited with code ${exitCode}`)));
      return {
        post: (task) => worker.postMessage(task),
        terminate: () => void worker.terminate(),
        // Referenced only while busy: an idle pool never keeps the process alive.
        busy: (busy) => (busy ? worker.ref() : worker.unref()),
      };
    });
  }
}
