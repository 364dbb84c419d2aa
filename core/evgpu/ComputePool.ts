import { matmulRows } from './kernels/matmulKernel.js';
import { Tensor } from './Tensor.js';
import { executeTensorOp, type TensorOpCall, type TensorOpLimits } from './TensorOp.js';

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
 * A whole TENSOR_OP handed to one worker (issue 16: a 1 MB conv2d on the bridge's main thread
 * stalled every other line for 0.3 s). Inputs travel as contiguous (shape, data) pairs; the worker
 * runs executeTensorOp, the same code as the main thread, so the result is the same bits.
 */
export interface TensorOpTask {
  readonly kind: 'tensorOp';
  readonly op: TensorOpCall['op'];
  readonly params: readonly number[];
  readonly inputs: readonly { readonly shape: readonly number[]; readonly data: Float32Array }[];
  readonly limits: TensorOpLimits;
}

/**
 * A whole TENSOR_OP as wire bytes: the worker decodes, runs and encodes it, so the main thread
 * only moves bytes (the host's worker knows the codec; core/ never sees bytes).
 */
export interface TensorOpPayloadTask {
  readonly kind: 'tensorOpPayload';
  /** Given up by the caller: a host may move its buffer to the worker instead of copying it (the whole buffer goes). */
  readonly payload: Uint8Array;
  readonly limits: TensorOpLimits;
}

/** What a pool's worker is given: a band of a GEMM, or a whole TENSOR_OP (as a call or as bytes). */
export type PoolTask = MatmulTask | TensorOpTask | TensorOpPayloadTask;

export function isTensorOpTask(task: PoolTask): task is TensorOpTask {
  return (task as { kind?: unknown }).kind === 'tensorOp';
}

export function isTensorOpPayloadTask(task: PoolTask): task is TensorOpPayloadTask {
  return (task as { kind?: unknown }).kind === 'tensorOpPayload';
}

/** The task for `call` (inputs copied to contiguous buffers the worker may own). */
export function tensorOpTask(call: TensorOpCall, limits: TensorOpLimits): TensorOpTask {
  return { kind: 'tensorOp', op: call.op, params: [...call.params], limits, inputs: call.inputs.map((t) => ({ shape: [...t.shape], data: t.contiguous().data })) };
}

/** Runs a TensorOpTask (in a worker): the result's shape and data. */
export function runTensorOpTask(task: TensorOpTask): { shape: number[]; data: Float32Array } {
  const inputs = task.inputs.map((i) => new Tensor(i.data, i.shape));
  const out = executeTensorOp(task.op, inputs, task.params, task.limits).contiguous();
  return { shape: [...out.shape], data: out.data };
}

/**
 * Host-agnostic worker pool: Node implements it with worker_threads (bridge/compute), a browser
 * with Web Workers. `run` resolves when every task has finished.
 */
export interface ComputePool {
  /** Number of threads the tasks are spread over. */
  readonly size: number;
  run(tasks: readonly MatmulTask[]): Promise<void>;
  /** A whole TENSOR_OP, computed off the calling thread (pools with workers only). */
  tensorOp?(task: TensorOpTask): Promise<{ shape: number[]; data: Float32Array }>;
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
