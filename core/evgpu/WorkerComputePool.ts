import type { ComputePool, MatmulTask, PoolTask, TensorOpPayloadTask, TensorOpTask } from './ComputePool.js';
import { EvgpuError, type EvgpuErrorCode } from './EvgpuError.js';

const EVGPU_CODES: readonly EvgpuErrorCode[] = ['BAD_SHAPE', 'BAD_PAYLOAD', 'TOO_LARGE', 'UNSUPPORTED'];

/** What a host's worker (a Node worker_thread, a Web Worker) must offer the pool. */
export interface PoolWorker {
  post(task: PoolTask): void;
  terminate(): void;
  /** Told when the worker gets work after being idle (true) and when it has none left (false). */
  busy?(busy: boolean): void;
}

/** How a host's worker reports back: each reply settles its oldest task; a crash breaks the pool. */
export interface PoolWorkerEvents {
  /**
   * A worker's reply: `{ ok: true }` (with `result`, `{ shape, data }`, for a TENSOR_OP), or
   * `{ ok: false, error, code? }` (code: an EvgpuError's); anything else is a failure too.
   */
  reply(data: unknown): void;
  crash(error: Error): void;
}

interface Pending {
  readonly resolve: (reply: unknown) => void;
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
            queue.push({ resolve: () => resolve(), reject });
            worker.post(task);
          }),
      ),
    ).then(() => undefined);
  }

  /**
   * One whole TENSOR_OP on the worker with the shortest queue. An EvgpuError thrown there comes
   * back as an EvgpuError with the same code, so the wire error is the one the main thread sends.
   */
  tensorOp(task: TensorOpTask): Promise<{ shape: number[]; data: Float32Array }> {
    return this.submit(task).then((result) => {
      const r = result as { shape?: unknown; data?: unknown } | undefined;
      if (!r || !Array.isArray(r.shape) || !(r.data instanceof Float32Array)) throw new Error('compute worker sent no TENSOR_OP result');
      return { shape: r.shape as number[], data: r.data };
    });
  }

  /** A whole TENSOR_OP request's bytes → its reply payload, decoded, run and encoded by a worker. */
  tensorOpPayload(task: TensorOpPayloadTask): Promise<Uint8Array> {
    return this.submit(task).then((result) => {
      if (!(result instanceof Uint8Array)) throw new Error('compute worker sent no TENSOR_OP reply');
      return result;
    });
  }

  /** One task on the worker with the shortest queue; resolves with what the worker sends back. */
  private submit(task: TensorOpTask | TensorOpPayloadTask): Promise<unknown> {
    if (this.disposed) return Promise.reject(new Error('compute pool disposed'));
    if (this.broken) return Promise.reject(this.broken);
    let slot = 0;
    for (let i = 1; i < this.size; i++) if ((this.queues[i] as Pending[]).length < (this.queues[slot] as Pending[]).length) slot = i;
    const queue = this.queues[slot] as Pending[];
    const worker = this.workers[slot] as PoolWorker;
    return new Promise<unknown>((resolve, reject) => {
      if (queue.length === 0) worker.busy?.(true);
      queue.push({ resolve, reject });
      worker.post(task);
    });
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
    const reply = data as { ok?: unknown; error?: unknown; code?: unknown; result?: unknown } | null;
    if (reply?.ok === true) return p.resolve(reply.result);
    const message = typeof reply?.error === 'string' ? reply.error : 'bad reply';
    const code = EVGPU_CODES.find((c) => c === reply?.code);
    p.reject(code ? new EvgpuError(code, message) : new Error(`compute worker failed: ${message}`));
  }

  private fail(queue: Pending[], error: Error): void {
    if (!this.disposed) this.broken ??= error;
    for (const p of queue.splice(0)) p.reject(error);
  }
}
