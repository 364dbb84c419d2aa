import type { ComputePool, MatmulTask } from '../../core/evgpu/ComputePool.js';

/** The part of a Web Worker the pool uses, so tests can stand in for the browser. */
export interface WorkerLike {
  postMessage(message: MatmulTask): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  terminate(): void;
}

interface Pending {
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

/**
 * ComputePool on Web Workers. SharedArrayBuffer needs a cross-origin-isolated page (COOP
 * `same-origin` + COEP `require-corp`); without it, use core/evgpu's InlineComputePool.
 * `createWorker` starts one worker running web/compute/matmulWorker.ts (bundled separately).
 */
export class WebComputePool implements ComputePool {
  readonly size: number;
  private readonly workers: WorkerLike[];
  private readonly queues: Pending[][];
  private broken: Error | null = null;
  private disposed = false;

  constructor(createWorker: () => WorkerLike, size = 2) {
    if (!Number.isInteger(size) || size < 1 || size > 64) throw new RangeError(`pool size ${size} outside 1..64`);
    this.size = size;
    this.queues = Array.from({ length: size }, () => []);
    this.workers = Array.from({ length: size }, (_, i) => {
      const w = createWorker();
      const queue = this.queues[i] as Pending[];
      w.onmessage = (event) => {
        const p = queue.shift();
        const data = event.data as { ok?: boolean; error?: string } | null;
        if (!p) return;
        if (data?.ok === true) p.resolve();
        else p.reject(new Error(`matmul worker failed: ${data?.error ?? 'bad reply'}`));
      };
      w.onerror = () => {
        this.broken ??= new Error('matmul worker crashed');
        for (const p of queue.splice(0)) p.reject(this.broken);
      };
      return w;
    });
  }

  run(tasks: readonly MatmulTask[]): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('compute pool disposed'));
    if (this.broken) return Promise.reject(this.broken);
    return Promise.all(
      tasks.map(
        (task, i) =>
          new Promise<void>((resolve, reject) => {
            const slot = i % this.size;
            (this.queues[slot] as Pending[]).push({ resolve, reject });
            (this.workers[slot] as WorkerLike).postMessage(task);
          }),
      ),
    ).then(() => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const e = new Error('compute pool disposed');
    this.queues.forEach((q) => q.splice(0).forEach((p) => p.reject(e)));
    this.workers.forEach((w) => w.terminate());
  }
}
