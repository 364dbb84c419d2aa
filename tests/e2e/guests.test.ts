import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bridge/cli/main.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { attachGuest, type AttachedGuest } from '../../bridge/server/attachGuest.js';
import { recordingCliIo } from '../support/recordingCliIo.js';
import { TelnetCaller } from '../support/TerminalCaller.js';

// A cube of XP10 machines: machine i (booted with "machine=i") answers ATDT i, names itself
// xp10-i in HELLO and hosts vertex i-1 of cube 1.

const run = promisify(execFile);
let server: BridgeServer;
const guests: AttachedGuest[] = [];

beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0, telnetPort: 0 });
  for (let machine = 1; machine <= 3; machine++) guests.push(await attachGuest(server, { memoryMb: 32, machine }));
}, 90_000);

afterAll(async () => {
  for (const g of guests) await g.stop();
  await server?.stop();
});

async function untilLines(count: number): Promise<{ peerName?: string; vertices?: { cube: number; vertex: number }[] }[]> {
  for (let i = 0; i < 200; i++) {
    const { lines } = (await (await fetch(`${server.httpUrl}/lines`)).json()) as {
      lines: { kind: string; peerName?: string; vertices?: { cube: number; vertex: number }[] }[];
    };
    const xp10 = lines.filter((l) => l.kind === 'v86' && l.peerName?.startsWith('XP10'));
    if (xp10.length === count) return xp10;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('XP10 machines did not all say HELLO');
}

describe('a cube of XP10 machines (real v86)', () => {
  it('/lines lists each machine with its name and the vertex it hosts', async () => {
    const lines = await untilLines(3);
    const byName = new Map(lines.map((l) => [l.peerName, l.vertices]));
    expect(byName.get('XP10')).toEqual([expect.objectContaining({ cube: 1, vertex: 0 })]);
    expect(byName.get('XP10-2')).toEqual([expect.objectContaining({ cube: 1, vertex: 1 })]);
    expect(byName.get('XP10-3')).toEqual([expect.objectContaining({ cube: 1, vertex: 2 })]);
  });

  it('ATDT 2 reaches machine 2, and a CUBE_MSG to vertex NED of cube 1 is answered by it', async () => {
    const caller = await TelnetCaller.connect(server.telnetAddress!.port);
    try {
      caller.type('ATDT2\r');
      let at = await caller.waitFor(/CONNECT \d+[\s\S]*XP10> $/);
      caller.type('ver\r');
      at = await caller.waitFor(/Machine 2 \(XP10-2\): hosts NED of cube 1[\s\S]*XP10> $/, at);
      expect(at).toBeGreaterThan(0);
    } finally {
      await caller.close();
    }
    await untilLines(3);
    const { stdout } = await run('python3', ['tests/clients/cube_message.py', '127.0.0.1', String(server.packetAddress.port), '1', '1', 'which machine?'], { timeout: 20_000 });
    const reply = JSON.parse(stdout) as { vertex: number; text: string };
    expect(reply.vertex).toBe(1);
    expect(reply.text).toMatch(/^NED of cube 1 in XP10/);
  }, 60_000);

  it('konomi start --guests outside 1..9 is a usage error (exit 2)', async () => {
    for (const bad of ['0', '10', 'nine']) {
      const out = recordingCliIo();
      expect(await main(['start', '--ephemeral', '--guests', bad], out)).toBe(2);
      expect(out.stderr).toMatch(/--guests/);
    }
  });
});
