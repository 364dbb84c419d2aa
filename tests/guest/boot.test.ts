import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Xp10Machine } from '../../bridge/emulator/index.js';

const PROMPT = /XP10> $/;

/** Types a command on COM2 and resolves with everything printed up to the next prompt. */
async function run(machine: Xp10Machine, command: string, timeoutMs = 5000): Promise<string> {
  const from = machine.outputOffset();
  machine.typeText(`${command}\r`);
  await machine.waitForOutput(/\n[^]*XP10> $/, { from, timeoutMs });
  return machine.outputSince(from);
}

describe('XP10 boots in v86 and runs its shell on COM2', () => {
  let machine: Xp10Machine;

  beforeAll(async () => {
    machine = new Xp10Machine();
    await machine.waitForOutput(PROMPT, { from: 0, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await machine?.destroy();
  });

  it('prints the boot log, the memory it found and a banner before the first prompt', () => {
    const boot = machine.output();
    expect(boot).toContain('XP10 kernel 1.0 booting');
    expect(boot).toMatch(/Memory: 65408 KiB usable in 2 regions/);
    expect(boot).toContain('XP10 [Version 1.0] - Konomi Corduroy-OS');
    expect(boot).toMatch(/Console COM2\./);
  });

  it('ver, help, uptime and mem answer', async () => {
    expect(await run(machine, 'ver')).toContain('XP10 [Version 1.0]');
    const help = await run(machine, 'help');
    for (const name of ['help', 'ver', 'mem', 'uptime', 'ps', 'stats', 'clear', 'busy', 'crash', 'ping', 'block', 'llm', 'tensor', 'cube'])
      expect(help).toMatch(new RegExp(`\\n  ${name}\\b`));
    expect(await run(machine, 'uptime')).toMatch(/Up 0:00:\d\d\.\d{3} \(\d+ ticks at 100 Hz\)/);
    const mem = await run(machine, 'mem');
    expect(mem).toMatch(/Memory: 65408 KiB usable \(63 MiB\)/);
    expect(mem).toMatch(/region 1: 0x000c0000 - 0x04000000/);
    expect(mem).toMatch(/Heap: \d+ KiB arena/);
  });

  it('ps lists the link, the agents and both shells', async () => {
    const ps = await run(machine, 'ps');
    expect(ps).toMatch(/link-COM1 .* COM1 packet link/);
    expect(ps).toMatch(/agent-1 .* shell agent, idle/);
    expect(ps).toMatch(/agent-NEU .* resident NEU cube 1 ch 1/);
    expect(ps).toMatch(/shell-COM2\s+running/);
    expect(ps).toMatch(/shell-VGA/);
  });

  it('stats shows the packet link counters', async () => {
    const stats = await run(machine, 'stats');
    for (const label of ['frames sent', 'frames received', 'CRC errors', 'retransmits', 'NAKs sent', 'NAKs received'])
      expect(stats).toMatch(new RegExp(`${label}\\s+\\d+`));
  });

  it('clear sends the ANSI clear sequence, unknown commands are named, line editing works', async () => {
    expect(await run(machine, 'clear')).toContain('\x1b[2J\x1b[H');
    expect(await run(machine, 'frobnicate')).toContain("'frobnicate' is not recognized as a command");
    expect(await run(machine, 'vex\x7fr')).toContain('XP10 [Version 1.0]');
    expect(await run(machine, 'VER')).toContain('XP10 [Version 1.0]');
  });

  it('runs a second shell on the VGA screen with the PS/2 keyboard', async () => {
    const screen = (): string => machine.screenText().join('\n').trimEnd();
    await expect.poll(screen, { timeout: 5000 }).toMatch(/XP10 \[Version 1\.0\][^]*Console VGA\.[^]*XP10>$/);
    expect(machine.screenText()[0]).toBe('XP10 kernel 1.0 booting');
    machine.typeOnKeyboard('ver\n');
    await expect.poll(screen, { timeout: 5000 }).toMatch(/XP10> ver\nXP10 \[Version 1\.0\] - Konomi Corduroy-OS, 56k packet protocol v1\nXP10>$/);
    machine.typeOnKeyboard('Mem\n');
    await expect.poll(screen, { timeout: 5000 }).toMatch(/Memory: 65408 KiB usable/);
    machine.typeOnKeyboard('clear\n');
    await expect.poll(screen, { timeout: 5000 }).toBe('XP10>');
  });

  it('greets a caller when carrier detect rises and ends the session when it falls', async () => {
    let from = machine.outputOffset();
    machine.setCarrierDetect(true);
    await machine.waitForOutput(/Console COM2\.[^]*XP10> $/, { from });
    from = machine.outputOffset();
    machine.setCarrierDetect(false);
    await machine.waitForOutput('Session ended.', { from });
    // Still usable after hang-up: the console line is live without carrier too.
    expect(await run(machine, 'ver')).toContain('XP10 [Version 1.0]');
  });

  it('a dropped carrier cancels the foreground command', async () => {
    machine.setCarrierDetect(true);
    await machine.waitForOutput(/XP10> $/);
    const from = machine.outputOffset();
    const link = machine.outputOffset(0);
    machine.typeText('ping nobody answers on COM1\r'); // no core on COM1: the ping would wait for retries
    // The PING frame on COM1 means an agent has sent the request and is waiting for its reply.
    await machine.waitForOutput('nobody answers on COM1', { port: 0, from: link });
    machine.setCarrierDetect(false);
    await machine.waitForOutput(/\^C Cancelled\.\n?\r?\n?[^]*Session ended\./, { from });
    expect(await run(machine, 'ps')).toMatch(/agent-\d .* shell agent, idle/);
  });

  it('Ctrl-C cancels the foreground command and gives a fresh prompt', async () => {
    const from = machine.outputOffset();
    const link = machine.outputOffset(0);
    machine.typeText('ping again\r');
    await machine.waitForOutput('again', { port: 0, from: link }); // the PING frame is out: an agent waits for it
    machine.typeText('\x03');
    await machine.waitForOutput(/\^C Cancelled\.\r\nXP10> $/, { from });
  });
});
