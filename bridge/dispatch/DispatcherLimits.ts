import { DEFAULT_TENSOR_OP_LIMITS, type TensorOpLimits } from '../../core/evgpu/TensorOp.js';

/** Per-line limits; past them a request gets BUSY (or TOO_LARGE) instead of using more memory. */
export interface DispatcherLimits {
  /** Requests of one line being handled at once. */
  readonly maxOutstanding: number;
  /** Sustained requests per second of one line, and the burst allowed above it. */
  readonly requestsPerSecond: number;
  readonly requestBurst: number;
  /**
   * Bytes one line's partial messages may hold together (the Session's reassembler in-flight
   * limit); a fragment past it gets BUSY. One message is at most MAX_MESSAGE (1,046,016 bytes).
   */
  readonly maxReassemblyBytes: number;
  /** How long a CUBE_MSG forwarded to a guest may take before UNAVAILABLE. */
  readonly forwardTimeoutMs: number;
  readonly tensorOp: TensorOpLimits;
}

export const DEFAULT_DISPATCHER_LIMITS: DispatcherLimits = {
  maxOutstanding: 64,
  requestsPerSecond: 5000,
  requestBurst: 500,
  maxReassemblyBytes: 2 * 1024 * 1024,
  forwardTimeoutMs: 30_000,
  tensorOp: DEFAULT_TENSOR_OP_LIMITS,
};
