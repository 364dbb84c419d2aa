/**
 * The one rule for how much memory an XP10 guest gets, shared by everything that starts one
 * (bridge/emulator in Node, web/emulator in the page), so both accept, refuse and round the
 * same sizes and show the same figure the guest will report.
 */
import { CodedError } from '../protocol/errors/CodedError.js';

export const MIB = 1024 * 1024;
/** XP10 is a 32-bit kernel without PAE: 4 GiB of physical address space is the limit. */
export const XP10_MAX_MEMORY_BYTES = 4 * 1024 * MIB;
/**
 * v86 keeps its memory size in a signed 32-bit value: whatever is asked, it gives at most
 * 2 GiB − 128 KiB (and 4 GiB would wrap to 0). XP10 reports what it finds in the memory map.
 */
export const V86_MAX_MEMORY_BYTES = 2 ** 31 - 128 * 1024;
/** v86 rounds the size up to this; rounding here keeps the figure shown equal to what the guest sees. */
export const V86_MEMORY_GRANULE_BYTES = 128 * 1024;
/**
 * The kernel image with its .bss (~1.6 MiB), the first 1 MiB heap arena, task stacks and the
 * low megabyte fit in 8 MiB; 16 MiB leaves room for agents and reassembly buffers.
 */
export const XP10_MIN_MEMORY_BYTES = 16 * MIB;
export const XP10_DEFAULT_MEMORY_BYTES = 64 * MIB;

export type GuestMemoryErrorCode = 'MEMORY_INVALID' | 'MEMORY_TOO_LARGE';

export class GuestMemoryError extends CodedError<GuestMemoryErrorCode> {
  override readonly name = 'GuestMemoryError';
}

export interface GuestMemoryPlan {
  /** What the caller asked for. */
  requestedBytes: number;
  /** What v86 is given, and XP10 will see (up to the holes below 1 MiB). */
  effectiveBytes: number;
  /** Set when the request was reduced to v86's limit. */
  note?: string;
}

/** Validates a guest memory size, rounds it as v86 will, and reduces it to v86's limit. */
export function planGuestMemory(requestedBytes: number = XP10_DEFAULT_MEMORY_BYTES): GuestMemoryPlan {
  if (!Number.isSafeInteger(requestedBytes) || requestedBytes < XP10_MIN_MEMORY_BYTES) {
    throw new GuestMemoryError(
      'MEMORY_INVALID',
      `guest memory must be a whole number of bytes, at least ${XP10_MIN_MEMORY_BYTES / MIB} MiB (got ${requestedBytes})`,
    );
  }
  if (requestedBytes > XP10_MAX_MEMORY_BYTES) {
    throw new GuestMemoryError(
      'MEMORY_TOO_LARGE',
      `XP10 supports at most 4 GiB of guest memory (32-bit, no PAE); asked for ${(requestedBytes / MIB).toFixed(0)} MiB`,
    );
  }
  if (requestedBytes > V86_MAX_MEMORY_BYTES) {
    return {
      requestedBytes,
      effectiveBytes: V86_MAX_MEMORY_BYTES,
      note: `v86 gives at most 2 GiB − 128 KiB (${V86_MAX_MEMORY_BYTES} bytes); XP10 will see that much`,
    };
  }
  const rounded = Math.ceil(requestedBytes / V86_MEMORY_GRANULE_BYTES) * V86_MEMORY_GRANULE_BYTES;
  return { requestedBytes, effectiveBytes: rounded };
}
