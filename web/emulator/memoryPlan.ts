/** What the person asked for versus what v86 can really give the guest. */
export interface MemoryPlan {
  readonly requestedBytes: number;
  readonly bytes: number;
  /** Set when v86 gives less than requested, for display next to the control. */
  readonly note?: string;
}

export const MIB = 1024 * 1024;
export const MAX_REQUEST_BYTES = 4 * 1024 * MIB;
/** v86 stores the size in an int32 and silently caps anything ≥ 2 GiB to 2 GiB − 128 KiB (and 4 GiB wraps to 0). */
export const V86_MAX_BYTES = 2 ** 31 - 128 * 1024;
/** v86 rounds memory up to a 128 KiB multiple; doing it here keeps what we show equal to what the guest sees. */
const GRANULE = 128 * 1024;
const MIN_BYTES = 16 * MIB;

export class MemoryPlanError extends Error {
  readonly code = 'BAD_MEMORY_SIZE';
  constructor(message: string) {
    super(message);
    this.name = 'MemoryPlanError';
  }
}

export function planMemory(requestedBytes: number): MemoryPlan {
  if (!Number.isFinite(requestedBytes) || requestedBytes < MIN_BYTES) {
    throw new MemoryPlanError(`memory size must be at least ${MIN_BYTES / MIB} MiB`);
  }
  if (requestedBytes > MAX_REQUEST_BYTES) {
    throw new MemoryPlanError('memory size must be at most 4 GiB');
  }
  if (requestedBytes > V86_MAX_BYTES) {
    return {
      requestedBytes,
      bytes: V86_MAX_BYTES,
      note: `v86 gives at most 2 GiB − 128 KiB (${formatBytes(V86_MAX_BYTES)}); XP10 will see that`,
    };
  }
  return { requestedBytes, bytes: Math.ceil(requestedBytes / GRANULE) * GRANULE };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(2)} GiB`;
  return `${(bytes / MIB).toFixed(bytes % MIB === 0 ? 0 : 2)} MiB`;
}
