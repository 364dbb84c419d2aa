import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Xp10Machine } from '../../bridge/emulator/index.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { LmdbStore } from '../../bridge/store/LmdbStore.js';

const SHELL_PROMPT = /XP10> $/;
const OK = /Ok\r?\n$/;
const MIB = 1024 * 1024;

let server: BridgeServer;
const dir = mkdtempSync(join(tmpdir(), 'konomi-basic-programs-'));

/** An XP10 on the bridge's dispatcher, as `konomi start --guest` attaches it (COM1 is a v86 line). */
async function boot(): Promise<Xp10Machine> {
  const machine = new Xp10Machine({ memoryBytes: 64 * MIB });
  await machine.ready;
  void server.dispatcher.greet(server.attach(machine.serial0, 'v86')).catch(() => undefined);
  await machine.waitForOutput(SHELL_PROMPT, { from: 0, timeoutMs: 30_000 });
  return machine;
}

async function type(machine: Xp10Machine, line: string, until: RegExp, timeoutMs = 20_000): Promise<string> {
  const from = machine.outputOffset();
  machine.typeText(`${line}\r`);
  await machine.waitForOutput(until, { from, timeoutMs });
  return machine.outputSince(from).replace(/\r\n/g, '\n');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0, store: LmdbStore.open(dir) });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('XP10 BASIC SAVE / LOAD / FILES / KILL on the bridge (real v86, real image, real bridge)', () => {
  it('a program SAVEd in one XP10 is LOADed and RUN in the next boot, and a program PUT over REST too', async () => {
    const first = await boot();
    try {
      await type(first, 'basic', OK);
      for (const line of ['10 FOR I = 1 TO 3', '20 PRINT "SAVED"; I * 7;', '30 NEXT I: PRINT']) {
        await type(first, line, new RegExp(`${escape(line)}\\r?\\n$`));
      }
      expect(await type(first, 'SAVE "agent1"', OK)).toBe('SAVE "agent1"\nOk\n');
      expect(await type(first, 'FILES', OK)).toMatch(/^FILES\nAGENT1 +\d+ bytes\n1 program\nOk\n$/);
      expect(await type(first, 'LOAD "nothing"', OK)).toBe('LOAD "nothing"\n?FILE NOT FOUND\nOk\n');
    } finally {
      await first.destroy();
    }

    // What XP10 saved, a person reads over REST; and a program a person uploads, XP10 runs.
    expect(await (await fetch(`${server.httpUrl}/programs/AGENT1`)).text()).toBe(
      '10 FOR I = 1 TO 3\n20 PRINT "SAVED"; I * 7;\n30 NEXT I: PRINT\n',
    );
    // Longer than one agent job (4 KiB): the LOAD reply is fragmented, and so is the SAVE of it below.
    const lines = ['10 T = 0'];
    for (let n = 20; n < 20 + 10 * 120; n += 10) lines.push(`${n} T = T + ${n} ' a comment to make the text long enough`);
    lines.push('9000 PRINT "TOTAL"; T');
    const uploaded = `${lines.join('\r\n')}\r\n`;
    expect(uploaded.length).toBeGreaterThan(5000);
    const put = await fetch(`${server.httpUrl}/programs/uploaded`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: uploaded });
    expect(put.status).toBe(200);
    const total = Array.from({ length: 120 }, (_, i) => 20 + 10 * i).reduce((a, b) => a + b, 0);

    const second = await boot();
    try {
      await type(second, 'basic', OK);
      expect(await type(second, 'LOAD "AGENT1"', OK)).toBe('LOAD "AGENT1"\nOk\n');
      expect(await type(second, 'RUN', OK)).toBe('RUN\nSAVED 7 SAVED 14 SAVED 21 \nOk\n');
      expect(await type(second, 'LOAD "uploaded"', OK)).toBe('LOAD "uploaded"\nOk\n');
      expect(await type(second, 'RUN', OK)).toBe(`RUN\nTOTAL ${total} \nOk\n`);
      expect(await type(second, 'SAVE "COPY"', OK)).toBe('SAVE "COPY"\nOk\n');
      expect(await type(second, 'KILL "agent1"', OK)).toBe('KILL "agent1"\nOk\n');
      expect(await type(second, 'FILES', OK)).toMatch(/^FILES\nCOPY +\d+ bytes\nUPLOADED +\d+ bytes\n2 programs\nOk\n$/);
    } finally {
      await second.destroy();
    }
    // XP10's copy is the listing of what it loaded: the same lines, LF line ends.
    expect(await (await fetch(`${server.httpUrl}/programs/COPY`)).text()).toBe(`${lines.join('\n')}\n`);
  }, 180_000);
});
