import { Xp10MachineError } from './Xp10MachineError.js';

export const MIB = 1024 * 1024;
/** XP10 is a 32-bit kernel without PAE: 4 GiB of physical address space is the limit. */
export const XP10_MAX_MEMORY_BYTES = 4 * 1024 * MIB;
/**
 * v86 keeps its memory size in a signed 32-bit value: whatever is asked, it gives at most
 * 2 GiB − 128 KiB. XP10 reports what it actually finds in the multiboot memory map.
 */
export const V86_MAX_MEMORY_BYTES = 2 ** 31 - 128 * 1024;
/** Below this the kernel image, its tables and the first heap arena do not fit. */
export const XP10_MIN_MEMORY_BYTES = 8 * MIB;
export const XP10_DEFAULT_MEMORY_BYTES = 64 * MIB;

export interface MemorySize {
  /** What the caller asked for. */
  requestedBytes: number;
  /** What v86 is given (and XP10 will see, up to the loader's holes below 1 MiB). */
  effectiveBytes: number;
  /** Set when the request was reduced to v86's limit. */
  note?: string;
}

/** Validates a guest memory size; refuses anything XP10 cannot address. */
export function planMemorySize(requestedBytes: number = XP10_DEFAULT_MEMORY_BYTES): MemorySize {
  if (!Number.isSafeInteger(requestedBytes) || requestedBytes < XP10_MIN_MEMORY_BYTES) {
    throw new Xp10MachineError(
      'MEMORY_INVALID',
      `guest memory must be a whole number of bytes, at least ${XP10_MIN_MEMORY_BYTES / MIB} MiB (got ${requestedBytes})`,
    );
  }
  if (requestedBytes > XP10_MAX_MEMORY_BYTES) {
    throw new Xp10MachineError(
      'MEMORY_TOO_LARGE',
      `XP10 supports at most 4 GiB of guest memory (32-bit, no PAE); asked for ${(requestedBytes / MIB).toFixed(0)} MiB`,
    );
  }
  if (requestedBytes > V86_MAX_MEMORY_BYTES) {
    return {
      requestedBytes,
      effectiveBytes: V86_MAX_MEMORY_BYTES,
      note: `v86 gives at most 2 GiB - 128 KiB (${V86_MAX_MEMORY_BYTES} bytes); XP10 will see that much`,
    };
  }
  return { requestedBytes, effectiveBytes: requestedBytes };
}
