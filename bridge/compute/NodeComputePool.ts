import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ComputePool, MatmulTask } from '../../core/evgpu/ComputePool.js';

interface Pending {
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly queue: Pending[];
}

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
export class NodeComputePool implements ComputePool {
  readonly size: number;
  private readonly slots: Slot[];
  private disposed = false;
  private broken: Error | null = null;

  constructor(size = Math.max(1, availableParallelism())) {
    if (!Number.isInteger(size) || size < 1 || size > 64) throw new RangeError(`pool size ${size} outside 1..64`);
    this.size = size;
    this.slots = Array.from({ length: size }, () => {
      const worker = startWorker();
      const slot: Slot = { worker, queue: [] };
      worker.on('message', (msg: { ok: boolean; error?: string }) => {
        const p = slot.queue.shift();
        if (slot.queue.length === 0) worker.unref();
        if (!p) return;
        if (msg.ok) p.resolve();
        else p.reject(new Error(`matmul worker failed: ${msg.error ?? 'unknown'}`));
      });
      worker.on('error', (e: unknown) => this.fail(slot, e instanceof Error ? e : new Error(String(e))));
      worker.on('exit', (exitCode) => this.fail(slot, new Error(`matmul worker exited with code ${exitCode}`)));
      worker.unref();
      return slot;
    });
  }

  run(tasks: readonly MatmulTask[]): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('compute pool disposed'));
    if (this.broken) return Promise.reject(this.broken);
    return Promise.all(
      tasks.map(
        (task, i) =>
          new Promise<void>((resolve, reject) => {
            const slot = this.slots[i % this.size] as Slot;
            // Referenced only while busy: an idle pool never keeps the process alive.
            if (slot.queue.length === 0) slot.worker.ref();
            slot.queue.push({ resolve, reject });
            slot.worker.postMessage(task);
          }),
      ),
    ).then(() => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const slot of this.slots) {
      this.failAll(slot, new Error('compute pool disposed'));
      void slot.worker.terminate();
    }
  }

  /** A dead worker breaks the pool: later runs fail at once instead of waiting forever. */
  private fail(slot: Slot, e: Error): void {
    if (!this.disposed) this.broken ??= e;
    this.failAll(slot, e);
  }

  private failAll(slot: Slot, e: Error): void {
    for (const p of slot.queue.splice(0)) p.reject(e);
  }
}
