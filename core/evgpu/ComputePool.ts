import { matmulRows } from './kernels/matmulKernel.js';

/**
 * One slice of a GEMM handed to a worker: rows [rowStart, rowEnd) of C = A·B, with all three
 * matrices packed row-major on SharedArrayBuffers (A m×k, B k×n, C m×n), so nothing is copied
 * to or from the worker and every worker writes a disjoint band of C.
 */
export interface MatmulTask {
  readonly a: SharedArrayBuffer;
  readonly b: SharedArrayBuffer;
  readonly c: SharedArrayBuffer;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly rowStart: number;
  readonly rowEnd: number;
  /** Kernel choice made once for the whole product (see useSimdFor), so bands agree. */
  readonly simd: boolean;
}

/**
 * Host-agnostic worker pool: Node implements it with worker_threads (bridge/compute), a browser
 * with Web Workers. `run` resolves when every task has finished.
 */
export interface ComputePool {
  /** Number of threads the tasks are spread over. */
  readonly size: number;
  run(tasks: readonly MatmulTask[]): Promise<void>;
  dispose(): void;
}

/** What a worker does with a task; shared by every pool implementation. */
export function runMatmulTask(task: MatmulTask): void {
  const a = new Float32Array(task.a, 0, task.m * task.k);
  const b = new Float32Array(task.b, 0, task.k * task.n);
  const c = new Float32Array(task.c, 0, task.m * task.n);
  matmulRows(a, b, c, task.k, task.n, task.rowStart, task.rowEnd, task.simd);
}

/** Runs tasks on the calling thread: the pool for hosts without threads, and for tests. */
export class InlineComputePool implements ComputePool {
  readonly size = 1;

  async run(tasks: readonly MatmulTask[]): Promise<void> {
    for (const t of tasks) runMatmulTask(t);
  }

  dispose(): void {}
}
