import { describe, expect, it } from 'vitest';
import {
  GuestMemoryError,
  MIB,
  V86_MAX_MEMORY_BYTES,
  XP10_DEFAULT_MEMORY_BYTES,
  XP10_MAX_MEMORY_BYTES,
  XP10_MIN_MEMORY_BYTES,
  planGuestMemory,
} from './memoryPlan.js';

function codeOf(requested: number): string | undefined {
  try {
    planGuestMemory(requested);
    return undefined;
  } catch (error) {
    return error instanceof GuestMemoryError ? error.code : 'not a GuestMemoryError';
  }
}

describe('planGuestMemory', () => {
  it('passes whole 128 KiB multiples through and defaults to 64 MiB', () => {
    expect(planGuestMemory(64 * MIB)).toEqual({ requestedBytes: 64 * MIB, effectiveBytes: 64 * MIB });
    expect(planGuestMemory().effectiveBytes).toBe(XP10_DEFAULT_MEMORY_BYTES);
    expect(planGuestMemory(XP10_MIN_MEMORY_BYTES).effectiveBytes).toBe(16 * MIB);
  });

  it('rounds up to the 128 KiB granule v86 uses', () => {
    expect(planGuestMemory(64 * MIB + 1).effectiveBytes).toBe(64 * MIB + 128 * 1024);
  });

  it('reduces 2 GiB .. 4 GiB to 2 GiB − 128 KiB with a note', () => {
    for (const request of [V86_MAX_MEMORY_BYTES + 1, 2048 * MIB, XP10_MAX_MEMORY_BYTES]) {
      const plan = planGuestMemory(request);
      expect(plan).toMatchObject({ requestedBytes: request, effectiveBytes: V86_MAX_MEMORY_BYTES });
      expect(plan.note).toMatch(/2 GiB − 128 KiB/);
    }
  });

  it('refuses more than 4 GiB, less than 16 MiB and non-integers with typed codes', () => {
    expect(codeOf(XP10_MAX_MEMORY_BYTES + 1)).toBe('MEMORY_TOO_LARGE');
    for (const bad of [XP10_MIN_MEMORY_BYTES - 1, 8 * MIB, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(codeOf(bad)).toBe('MEMORY_INVALID');
    }
    expect(() => planGuestMemory(MIB)).toThrow(/at least 16 MiB/);
  });
});
