import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { attachGuest, type AttachedGuest } from '../../bridge/server/attachGuest.js';
import { MemoryLogger } from '../../bridge/util/Logger.js';
import { TelnetCaller } from '../support/TerminalCaller.js';

// The example agents a first start seeds (programs/*.bas: LIFE, SCRIBE, GOSSIP) run in the real
// XP10 and do what docs/AGENTS.md says; AUTORUN starts agents when XP10 boots.

const run = promisify(execFile);
let server: BridgeServer;
let guest: AttachedGuest;
const logger = new MemoryLogger();
const callers: TelnetCaller[] = [];
const PROMPT = /XP10> $/;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function dial(): Promise<{ caller: TelnetCaller; at: number }> {
  const caller = await TelnetCaller.connect(server.telnetAddress!.port);
  callers.push(caller);
  caller.type('ATDT1\r');
  return { caller, at: await caller.waitFor(/CONNECT \d+[\s\S]*XP10> $/) };
}

async function command(caller: TelnetCaller, from: number, line: string): Promise<{ text: string; at: number }> {
  caller.type(`${line}\r`);
  const at = await caller.waitFor(PROMPT, from);
  return { text: caller.seen.slice(from, at).replace(/\r\n/g, '\n'), at };
}

/** Starts NAME and waits until `agent log` matches `pattern`; resolves with the agent id and log. */
async function startAndWatch(caller: TelnetCaller, at: number, name: string, pattern: RegExp) {
  let r = await command(caller, at, `agent start ${name}`);
  const id = /Agent (\d) started/.exec(r.text)![1]!;
  at = r.at;
  const log = await until(`${name} to print ${pattern}`, async () => {
    r = await command(caller, at, `agent log ${id}`);
    at = r.at;
    return pattern.test(r.text) ? r.text : undefined;
  });
  return { id, log, at };
}

beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0, telnetPort: 0, logger, examplePrograms: true });
  guest = await attachGuest(server, { memoryMb: 64 });
}, 60_000);

afterEach(async () => {
  for (const c of callers.splice(0)) await c.close();
  await until('XP10 on hook', async () => (guest.modem.state === 'idle' ? true : undefined)).catch(() => undefined);
});

afterAll(async () => {
  await guest?.stop();
  await server?.stop();
});

describe('the example agents (real v86 XP10 behind a real bridge)', () => {
  it('a first start seeds GOSSIP, LIFE and SCRIBE into the empty program store', async () => {
    const { programs } = (await (await fetch(`${server.httpUrl}/programs`)).json()) as { programs: { name: string }[] };
    expect(programs.map((p) => p.name)).toEqual(['GOSSIP', 'LIFE', 'SCRIBE']);
    expect(logger.lines.some((l) => /seeded the example agents GOSSIP, LIFE, SCRIBE/.test(l))).toBe(true);
  });

  it('GOSSIP passes its note around the eight corners of cube 1 and reports the path', async () => {
    const { caller, at } = await dial();
    const { log } = await startAndWatch(caller, at, 'GOSSIP', /path: /);
    expect(log).toMatch(/path: NEU NED NWU NWD SEU SED SWU SWD/);
    expect(log).toMatch(/note: gossip via NEU via NED via NWU via NWD via SEU via SED via SWU via SWD/);
  }, 120_000);

  it('LIFE draws generations on its 32x32 plane of the BlockArray', async () => {
    const { caller, at } = await dial();
    const { id, log, at: after } = await startAndWatch(caller, at, 'LIFE', /generation 2 alive/);
    expect(log).toMatch(/generation 1 alive \d+/);
    const blocks = (await (await fetch(`${server.httpUrl}/blocks?limit=100000`)).json()) as { blocks: { x: number; y: number; z: number; value: number }[] };
    const plane = blocks.blocks.filter((b) => b.z === 500 && b.x >= 400 && b.x < 432 && b.y >= 400 && b.y < 432);
    expect(plane.length).toBe(32 * 32);
    expect(plane.every((b) => b.value === 0 || b.value === 1)).toBe(true);
    const r = await command(caller, after, `agent stop ${id}`);
    expect(r.text).toMatch(/stopped/);
  }, 180_000);

  it('SCRIBE hosts SWD of cube 1 and answers with the FemtoLLM at its block', async () => {
    const { caller, at } = await dial();
    const { log } = await startAndWatch(caller, at, 'SCRIBE', /SCRIBE hosts SWD/);
    expect(log).toMatch(/SCRIBE hosts SWD of cube 1/);
    const answer = await until('SWD to be answered by SCRIBE', async () => {
      const { stdout } = await run('python3', ['tests/clients/cube_message.py', '127.0.0.1', String(server.packetAddress.port), '1', '7', 'tell me']);
      const reply = JSON.parse(stdout) as { vertex: number; kappa: number; text: string };
      return reply.kappa === 0.5 ? reply : undefined;
    });
    expect(answer.vertex).toBe(7);
    expect(answer.text.length).toBeGreaterThan(0);
  }, 120_000);

  it('agent autorun NAME on: the program starts as an agent when XP10 boots', async () => {
    let { caller, at } = await dial();
    let r = await command(caller, at, 'agent autorun GOSSIP on');
    expect(r.text).toMatch(/GOSSIP starts when XP10 boots\./);
    r = await command(caller, r.at, 'agent autorun');
    expect(r.text).toMatch(/^\s+GOSSIP$/m);
    expect(await (await fetch(`${server.httpUrl}/programs/AUTORUN`)).text()).toBe('GOSSIP\n');
    for (const c of callers.splice(0)) await c.close();
    await guest.stop();
    guest = await attachGuest(server, { memoryMb: 64 });
    ({ caller, at } = await dial());
    const row = await until('GOSSIP to have run at boot', async () => {
      const l = await command(caller, at, 'agent list');
      at = l.at;
      return l.text.split('\n').find((line) => /GOSSIP\s+ended/.test(line));
    });
    expect(row).toMatch(/^\s+1 GOSSIP\s+ended/);
    r = await command(caller, at, 'agent autorun GOSSIP off');
    expect(r.text).toMatch(/GOSSIP no longer starts when XP10 boots\./);
    r = await command(caller, r.at, 'agent autorun');
    expect(r.text).toMatch(/Nothing starts at boot/);
  }, 180_000);
});
