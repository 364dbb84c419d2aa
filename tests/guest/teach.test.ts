import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Xp10Machine } from '../../bridge/emulator/index.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { MemoryLogger } from '../../bridge/util/Logger.js';

// XP10's `llm teach` through real v86 and the real image to a real bridge on loopback.
describe('XP10 shell: llm teach X Y Z TEXT against a real bridge', () => {
  let machine: Xp10Machine;
  let server: BridgeServer;

  beforeAll(async () => {
    server = await BridgeServer.start({ port: 0, packetPort: 0, logger: new MemoryLogger(), webRoot: '/nonexistent-konomi-web' });
    machine = new Xp10Machine();
    server.attach(machine.serial0, 'v86');
    await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await machine?.destroy();
    await server?.stop();
  });

  it('teaches the instance at a block: the shell prints the steps and bits, GET /value shows it taught', async () => {
    const from = machine.outputOffset();
    machine.typeText('llm teach 3 3 3 $ ls -l notes.txt build.log src; $ cd src; $ make; cc -O2 -Wall -c main.c -o main.o\r');
    await machine.waitForOutput(/Taught in [^\n]*\n[^]*XP10> $/, { from, timeoutMs: 30_000 });
    const out = machine.outputSince(from);
    const m = /Taught in (\d+) steps: ([\d.]+) -> ([\d.]+) bits\/char/.exec(out);
    expect(m).not.toBeNull();
    const [steps, before, after] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(steps).toBeGreaterThan(0);
    expect(after).toBeLessThan(before);
    const value = await (await fetch(`${server.httpUrl}/value?x=3&y=3&z=3`)).json();
    expect(value.llm.taught).toBe(true);
    expect(value.llm.steps).toBe(steps);
    expect(value.llm.bitsBefore).toBeCloseTo(before, 3);
    expect(value.llm.bitsAfter).toBeCloseTo(after, 3);
  }, 60_000);
});
