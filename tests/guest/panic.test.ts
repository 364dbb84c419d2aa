import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Xp10Machine } from '../../bridge/emulator/index.js';

describe('a CPU exception in XP10', () => {
  let machine: Xp10Machine;

  beforeAll(async () => {
    machine = new Xp10Machine({ memoryBytes: 16 * 1024 * 1024 });
    await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await machine?.destroy();
  });

  it('prints a register dump and halts instead of rebooting', async () => {
    const from = machine.outputOffset();
    machine.typeText('crash\r');
    await machine.waitForOutput('*** STOP: XP10 halted. ***', { from });
    const dump = machine.outputSince(from);
    expect(dump).toMatch(/\*\*\* EXCEPTION 0: Divide error \(error code 0x00000000\)/);
    expect(dump).toMatch(/EIP=[0-9a-f]{8} {2}CS=0008 {2}EFLAGS=[0-9a-f]{8}/);
    expect(dump).toMatch(/EAX=[0-9a-f]{8} {2}EBX=[0-9a-f]{8} {2}ECX=[0-9a-f]{8} {2}EDX=[0-9a-f]{8}/);
    expect(dump).toMatch(/DS=0010 {2}ES=0010/);
    // Halted for good: no reboot banner, no prompt, typing does nothing.
    const after = machine.outputOffset();
    machine.typeText('ver\r');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(machine.outputSince(after)).toBe('');
    expect(machine.output().match(/XP10 kernel 1\.0 booting/g)).toHaveLength(1);
  });
});
