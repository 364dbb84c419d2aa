import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Xp10Machine } from '../../bridge/emulator/index.js';

const PROMPT = /XP10> $/;
/** XP10's PIT rate: an idle guest wakes once per tick. */
const PIT_HZ = 100;

async function uptimeTicks(machine: Xp10Machine): Promise<number> {
  const from = machine.outputOffset();
  machine.typeText('uptime\r');
  const { match } = await machine.waitForOutput(/\((\d+) ticks at 100 Hz\)[^]*XP10> $/, { from, timeoutMs: 5000 });
  return Number(match[1]);
}

describe('an idle XP10 halts and its emulator sleeps', () => {
  let machine: Xp10Machine;

  beforeAll(async () => {
    machine = new Xp10Machine();
    await machine.waitForOutput(PROMPT, { from: 0, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await machine?.destroy();
  });

  it('runs v86 main loop about once per PIT tick while the guest waits at its prompt', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const state = machine.cpuState();
    expect(state.halted).toBe(true);
    expect(state.interruptsEnabled).toBe(true);
    const runs0 = machine.mainLoopRuns;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    const perSecond = ((machine.mainLoopRuns - runs0) * 1000) / (performance.now() - t0);
    // v86 alone busy-waits (setImmediate) through the last millisecond before each tick:
    // thousands of runs per second. Sleeping through it leaves one or two per tick.
    expect(perSecond).toBeGreaterThan(PIT_HZ / 4);
    expect(perSecond).toBeLessThan(3 * PIT_HZ);
  });

  it('keeps guest time and answers input while it sleeps between ticks', async () => {
    const before = await uptimeTicks(machine);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 1500));
    const after = await uptimeTicks(machine);
    const wallTicks = ((performance.now() - t0) * PIT_HZ) / 1000;
    // The PIT follows the host clock; a tick lost to a late wake would show as a shortfall.
    expect(after - before).toBeGreaterThanOrEqual(Math.floor(wallTicks * 0.9));
    expect(after - before).toBeLessThanOrEqual(Math.ceil(wallTicks * 1.1) + 5);
  });
});
