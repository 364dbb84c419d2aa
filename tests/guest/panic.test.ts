import { afterEach, describe, expect, it } from 'vitest';
import { Xp10Machine } from '../../bridge/emulator/index.js';

async function bootToPrompt(): Promise<Xp10Machine> {
  const machine = new Xp10Machine({ memoryBytes: 16 * 1024 * 1024 });
  await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 20_000 });
  return machine;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds (or fails after `timeoutMs`). */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Stopped for good: the CPU sits in `hlt` with interrupts off (only a reset could wake it),
 * executes no instruction while input arrives on both consoles, and never boots again.
 */
async function expectStoppedForGood(machine: Xp10Machine): Promise<void> {
  await until(() => {
    const cpu = machine.cpuState();
    return cpu.halted === true && cpu.interruptsEnabled === false;
  }, 'the CPU to halt with interrupts off');
  const halted = machine.cpuState().instructions;
  const after = machine.outputOffset();
  machine.typeText('ver\r');
  machine.typeOnKeyboard('ver\n');
  for (let sample = 0; sample < 10; sample++) {
    await sleep(100);
    expect(machine.cpuState()).toEqual({ halted: true, interruptsEnabled: false, instructions: halted });
  }
  expect(machine.outputSince(after)).toBe('');
  expect(machine.output().match(/XP10 kernel 1\.0 booting/g)).toHaveLength(1);
}

describe('XP10 stops with a dump instead of rebooting', () => {
  let machine: Xp10Machine | undefined;

  afterEach(async () => {
    await machine?.destroy();
    machine = undefined;
  });

  it('prints a register dump with the faulting ESP on a CPU exception and halts', async () => {
    machine = await bootToPrompt();
    const from = machine.outputOffset();
    machine.typeOnKeyboard('crash\n'); // at the machine's own console: a caller may not

    await machine.waitForOutput('*** STOP: XP10 halted. ***', { from });
    const dump = machine.outputSince(from);
    expect(dump).toMatch(/\*\*\* EXCEPTION 0: Divide error \(error code 0x00000000\)/);
    expect(dump).toMatch(/EIP=[0-9a-f]{8} {2}CS=0008 {2}EFLAGS=[0-9a-f]{8}/);
    expect(dump).toMatch(/EAX=[0-9a-f]{8} {2}EBX=[0-9a-f]{8} {2}ECX=[0-9a-f]{8} {2}EDX=[0-9a-f]{8}/);
    expect(dump).toMatch(/DS=0010 {2}ES=0010/);
    expect(machine.screenText().join('\n')).toContain('XP10> crash\nRaising a divide error...');
    // The stack pointer before the CPU pushed its frame: word-aligned on the shell task's stack.
    const esp = /ESP=([0-9a-f]{8}) \(at the fault\)/.exec(dump);
    expect(esp).not.toBeNull();
    expect(Number.parseInt(esp![1]!, 16) % 4).toBe(0);
    await expectStoppedForGood(machine);
  });

  it('notices a task that overran its stack at the next switch and panics with its name', async () => {
    machine = await bootToPrompt();
    const from = machine.outputOffset();
    machine.typeOnKeyboard('crash stack\n');
    await machine.waitForOutput('*** STOP: XP10 halted. ***', { from });
    expect(machine.outputSince(from)).toMatch(
      /\*\*\* KERNEL PANIC: stack overflow in task \d+ \(shell-VGA\): canary at [0-9a-f]{8} overwritten/,
    );
    await expectStoppedForGood(machine);
  });

  it('refuses crash to a caller on the dial-in console (COM2): XP10 keeps running', async () => {
    machine = await bootToPrompt();
    machine.setCarrierDetect(true);
    await machine.waitForOutput(/Console COM2\.[^]*XP10> $/);
    for (const command of ['crash', 'crash stack', 'CRASH']) {
      const from = machine.outputOffset();
      machine.typeText(`${command}\r`);
      await machine.waitForOutput(/XP10> $/, { from });
      expect(machine.outputSince(from)).toContain("works on the local console only (VGA keyboard), not on COM2.");
    }
    const from = machine.outputOffset();
    machine.typeText('help\r');
    await machine.waitForOutput(/XP10> $/, { from });
    expect(machine.outputSince(from)).toMatch(/crash \[stack\][^]*local console only/);
    await sleep(300);
    expect(machine.output()).not.toContain('STOP');
    const cpu = machine.cpuState();
    expect(cpu.interruptsEnabled).toBe(true);
    const uptime = machine.outputOffset();
    machine.typeText('uptime\r');
    await machine.waitForOutput(/Up \d+:\d\d:\d\d/, { from: uptime });
  });
});
