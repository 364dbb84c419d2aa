import { GuestMemoryError, planGuestMemory, type GuestMemoryPlan } from '../../machine/memoryPlan.js';
import { Xp10MachineError } from './Xp10MachineError.js';

export {
  MIB,
  V86_MAX_MEMORY_BYTES,
  XP10_DEFAULT_MEMORY_BYTES,
  XP10_MAX_MEMORY_BYTES,
  XP10_MIN_MEMORY_BYTES,
} from '../../machine/memoryPlan.js';

/** What was asked and what v86 gets (the shared rule in machine/memoryPlan.ts). */
export type MemorySize = GuestMemoryPlan;

/** Validates a guest memory size by the shared rule; refusals are Xp10MachineErrors with the same code. */
export function planMemorySize(requestedBytes?: number): MemorySize {
  try {
    return planGuestMemory(requestedBytes);
  } catch (error) {
    if (error instanceof GuestMemoryError) throw new Xp10MachineError(error.code, error.message);
    throw error;
  }
}
