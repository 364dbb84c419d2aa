import { DEFAULT_TENSOR_OP_LIMITS, type TensorOpLimits } from '../../core/evgpu/TensorOp.js';

/**
 * Per-line limits; past them a request gets BUSY (or TOO_LARGE) instead of using more memory.
 * The defaults are chosen so that a client that keeps to the window it negotiated never meets
 * them (docs/BRIDGE.md, "Limits"); `konomi start` sets each one (startConfig.ts).
 */
export interface DispatcherLimits {
  /** The window this side announces in HELLO (1..64); the line uses the smaller of both sides'. */
  readonly window: number;
  /** Requests expecting a reply being handled at once on one line (BUSY past it); ≥ window. */
  readonly maxOutstanding: number;
  /**
   * NOREPLY requests waiting on one line while `maxOutstanding` of them are being handled. They
   * have no window, so they queue instead of being refused; past the queue they are dropped
   * (counted as noReplyFailed, since the peer cannot be told).
   */
  readonly maxQueuedNoReply: number;
  /** Sustained requests per second of one line (0: no rate limit), and the burst allowed above it. */
  readonly requestsPerSecond: number;
  readonly requestBurst: number;
  /**
   * Bytes one line's partial messages may hold together (the Session's reassembler in-flight
   * limit); a fragment past it gets BUSY. One message is at most MAX_MESSAGE (1,046,016 bytes).
   */
  readonly maxReassemblyBytes: number;
  /** How long a peer's duplicate cache is kept after its last line closed, for a reconnect with the same boot id. */
  readonly sessionExpiryMs: number;
  /** Duplicate caches kept for peers whose lines closed (oldest forgotten first). */
  readonly maxParkedSessions: number;
  /** How long a CUBE_MSG forwarded to a guest may take before UNAVAILABLE. */
  readonly forwardTimeoutMs: number;
  /**
   * How long a whole-cube think waits for the vertices guests host; one that has not answered by
   * then votes as faulty (docs/CORE.md).
   */
  readonly hostedVoteTimeoutMs: number;
  readonly tensorOp: TensorOpLimits;
}

export const DEFAULT_DISPATCHER_LIMITS: DispatcherLimits = {
  window: 64,
  maxOutstanding: 64,
  maxQueuedNoReply: 16_384,
  requestsPerSecond: 0,
  requestBurst: 1000,
  maxReassemblyBytes: 2 * 1024 * 1024,
  sessionExpiryMs: 120_000,
  maxParkedSessions: 64,
  forwardTimeoutMs: 30_000,
  hostedVoteTimeoutMs: 5_000,
  tensorOp: DEFAULT_TENSOR_OP_LIMITS,
};
