import { describe, expect, it } from 'vitest';
import {
  MIB,
  V86_MAX_MEMORY_BYTES,
  XP10_MAX_MEMORY_BYTES,
  Xp10Machine,
  Xp10MachineError,
  planMemorySize,
} from '../../bridge/emulator/index.js';

describe('guest memory sizes', () => {
  it('refuses more than 4 GiB with a clear error, before starting anything', () => {
    expect(() => new Xp10Machine({ memoryBytes: XP10_MAX_MEMORY_BYTES + 1 })).toThrow(Xp10MachineError);
    try {
      planMemorySize(8 * 1024 * MIB);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Xp10MachineError);
      expect((error as Xp10MachineError).code).toBe('MEMORY_TOO_LARGE');
      expect((error as Error).message).toMatch(/at most 4 GiB/);
    }
    expect(() => planMemorySize(1.5)).toThrow(/whole number of bytes/);
    expect(() => planMemorySize(MIB)).toThrow(/at least 16 MiB/);
    expect(planMemorySize(64 * MIB + 1).effectiveBytes).toBe(64 * MIB + 128 * 1024); // as v86 rounds
  });

  it('reduces requests above what v86 can give, with a note', () => {
    expect(planMemorySize(64 * MIB)).toEqual({ requestedBytes: 64 * MIB, effectiveBytes: 64 * MIB });
    const fourGiB = planMemorySize(XP10_MAX_MEMORY_BYTES);
    expect(fourGiB.effectiveBytes).toBe(V86_MAX_MEMORY_BYTES);
    expect(fourGiB.note).toMatch(/2 GiB − 128 KiB/);
  });

  it('boots with 2 GiB and reports the memory it actually found', async () => {
    const machine = new Xp10Machine({ memoryBytes: 2048 * MIB });
    try {
      expect(machine.memory.effectiveBytes).toBe(V86_MAX_MEMORY_BYTES);
      await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 30_000 });
      // 2 GiB - 128 KiB minus the 128 KiB VGA hole at 0xA0000..0xC0000 the memory map leaves out.
      expect(machine.output()).toMatch(/Memory: 2096896 KiB usable in 2 regions/);
      const from = machine.outputOffset();
      machine.typeText('mem\r');
      await machine.waitForOutput(/\n[^]*XP10> $/, { from });
      expect(machine.outputSince(from)).toMatch(/region 1: 0x000c0000 - 0x7ffe0000/);
    } finally {
      await machine.destroy();
    }
  });
});
