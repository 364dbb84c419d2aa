import type { ComputePool, MatmulTask } from './ComputePool.js';

/** What a host's worker (a Node worker_thread, a Web Worker) must offer the pool. */
export interface PoolWorker {
  post(task: MatmulTask): void;
  terminate(): void;
  /** Told when the worker gets work after being idle (true) and when it has none left (false). */
  busy?(busy: boolean): void;
}

/** How a host's worker reports back: each reply settles its oldest task; a crash breaks the pool. */
export interface PoolWorkerEvents {
  /** A worker's reply: `{ ok: true }`, or `{ ok: false, error }`; anything else is a failure too. */
  reply(data: unknown): void;
  crash(error: Error): void;
}

interface Pending {
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

/**
 * The host-agnostic half of a worker pool: task i of a batch goes to worker i mod size, each
 * worker answers its tasks in order, and a dead worker breaks the pool so later runs fail at
 * once instead of waiting forever. Hosts only start workers and wire their events.
 */
export class WorkerComputePool implements ComputePool {
  readonly size: number;
  private readonly workers: PoolWorker[];
  private readonly queues: Pending[][];
  private broken: Error | null = null;
  private disposed = false;

  constructor(size: number, start: (events: PoolWorkerEvents) => PoolWorker) {
    if (!Number.isInteger(size) || size < 1 || size > 64) throw new RangeError(`pool size ${size} outside 1..64`);
    this.size = size;
    this.queues = Array.from({ length: size }, () => []);
    this.workers = this.queues.map((queue) => {
      const worker: PoolWorker = start({
        reply: (data) => this.settle(worker, queue, data),
        crash: (error) => this.fail(queue, error),
      });
      worker.busy?.(false);
      return worker;
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
            const queue = this.queues[slot] as Pending[];
            const worker = this.workers[slot] as PoolWorker;
            if (queue.length === 0) worker.busy?.(true);
            queue.push({ resolve, reject });
            worker.post(task);
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

  private settle(worker: PoolWorker, queue: Pending[], data: unknown): void {
    const p = queue.shift();
    if (queue.length === 0) worker.busy?.(false);
    if (!p) return;
    const reply = data as { ok?: unknown; error?: unknown } | null;
    if (reply?.ok === true) p.resolve();
    else p.reject(new Error(`matmul worker failed: ${typeof reply?.error === 'string' ? reply.error : 'bad reply'}`));
  }

  private fail(queue: Pending[], error: Error): void {
    if (!this.disposed) this.broken ??= error;
    for (const p of queue.splice(0)) p.reject(error);
  }
}
