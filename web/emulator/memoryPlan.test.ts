import { describe, expect, it } from 'vitest';
import { MemoryPlanError, MIB, planMemory, V86_MAX_BYTES } from './memoryPlan.js';

describe('planMemory', () => {
  it('passes sizes v86 supports through unchanged', () => {
    expect(planMemory(64 * MIB)).toEqual({ requestedBytes: 64 * MIB, bytes: 64 * MIB });
    expect(planMemory(1024 * MIB).note).toBeUndefined();
  });

  it('rounds up to the 128 KiB granule v86 uses', () => {
    expect(planMemory(64 * MIB + 1).bytes).toBe(64 * MIB + 128 * 1024);
  });

  it('caps 2 GiB and 4 GiB at 2 GiB − 128 KiB with a note', () => {
    for (const request of [2048 * MIB, 4096 * MIB]) {
      const plan = planMemory(request);
      expect(plan.bytes).toBe(V86_MAX_BYTES);
      expect(plan.note).toMatch(/2 GiB − 128 KiB/);
      expect(plan.requestedBytes).toBe(request);
    }
  });

  it('refuses more than 4 GiB, too little, and non-numbers with a typed error', () => {
    for (const bad of [4096 * MIB + 1, 1 * MIB, Number.NaN, Number.POSITIVE_INFINITY, -1]) {
      expect(() => planMemory(bad)).toThrow(MemoryPlanError);
    }
    try {
      planMemory(8192 * MIB);
    } catch (err) {
      expect((err as MemoryPlanError).code).toBe('BAD_MEMORY_SIZE');
    }
  });
});
