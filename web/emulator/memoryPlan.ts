import { GuestMemoryError, planGuestMemory } from '../../machine/memoryPlan.js';
import { MIB, V86_MAX_MEMORY_BYTES, XP10_MAX_MEMORY_BYTES } from '../../machine/memoryPlan.js';

/** What the person asked for versus what v86 can really give the guest. */
export interface MemoryPlan {
  readonly requestedBytes: number;
  readonly bytes: number;
  /** Set when v86 gives less than requested, for display next to the control. */
  readonly note?: string;
}

export { MIB };
export const MAX_REQUEST_BYTES = XP10_MAX_MEMORY_BYTES;
export const V86_MAX_BYTES = V86_MAX_MEMORY_BYTES;

// Not a CodedError (protocol/errors): a failure of the page itself, shown in its error panel, never
// sent on the wire or in an HTTP answer, so it has no row in ERROR_TABLE.
export class MemoryPlanError extends Error {
  readonly code = 'BAD_MEMORY_SIZE';
  constructor(message: string) {
    super(message);
    this.name = 'MemoryPlanError';
  }
}

/** The shared rule (machine/memoryPlan.ts), in the page's shape. */
export function planMemory(requestedBytes: number): MemoryPlan {
  try {
    const plan = planGuestMemory(requestedBytes);
    return plan.note === undefined
      ? { requestedBytes, bytes: plan.effectiveBytes }
      : { requestedBytes, bytes: plan.effectiveBytes, note: plan.note };
  } catch (error) {
    if (error instanceof GuestMemoryError) throw new MemoryPlanError(error.message);
    throw error;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(2)} GiB`;
  return `${(bytes / MIB).toFixed(bytes % MIB === 0 ? 0 : 2)} MiB`;
}
