import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opcode } from '../../protocol/constants.js';
import { Session } from '../../protocol/Session.js';
import { connectWebSocketLine } from '../../bridge/lines/WebSocketLine.js';
import { decodeBlockSetReply, encodeBlockSetRequest } from '../../protocol/payloads/blockSet.js';
import { freePort } from '../../bridge/stack/freePort.js';
import { PacketClient } from './PacketClient.js';
import { missingServices } from './services.js';

const RUNNER = fileURLToPath(new URL('../../bridge/stack/runStack.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Ready {
  web: string;
  api: string;
  ws: string;
  packet: string;
  pids: Record<'postgres' | 'redis' | 'api' | 'ws' | 'web', number>;
}

interface Stack {
  child: ChildProcess;
  ready: Ready;
  output: () => string;
}

/** A zombie (exited, not yet reaped by whoever inherited it) counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function startStack(env: Record<string, string>): Promise<Stack> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^STACK READY (.*)$/m.exec(out);
      if (m) resolve(JSON.parse(m[1]!) as Ready);
    });
    child.once('exit', (code) => reject(new Error(`stack exited with ${String(code)}:\n${err}`)));
  });
  return { child, ready, output: () => err };
}

async function stopStack(stack: Stack, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (stack.child.exitCode !== null) return stack.child.exitCode;
  const exited = new Promise<number | null>((resolve) => stack.child.once('exit', (code) => resolve(code)));
  stack.child.kill(signal);
  return exited;
}

/** Polls until `done` holds; false if it never did within `ms` (generous: the machine is shared). */
async function eventually(done: () => boolean, ms = 20_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return done();
}

const skip = missingServices({ postgres: true, redis: true });

describe.skipIf(skip !== undefined)('npm run stack (no Docker)', () => {
  let dir = '';
  let env: Record<string, string>;
  let stack: Stack | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'konomi-stack-'));
    chmodSync(dir, 0o755);
    env = {
      STACK_DATA: join(dir, 'stack'),
      WEB_PORT: String(await freePort()),
      API_PORT: String(await freePort()),
      WS_PORT: String(await freePort()),
      PACKET_PORT: String(await freePort()),
      TOKEN: '',
    };
  });

  // SIGKILL of the runner: its reaper stops the services, so a failed test leaves no orphans.
  afterAll(async () => {
    if (stack) {
      const pids = Object.values(stack.ready.pids);
      await stopStack(stack, 'SIGKILL');
      await eventually(() => pids.every((pid) => !alive(pid)));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts PostgreSQL, Redis, api, ws and web; serves through web; stops cleanly on SIGTERM', async () => {
    stack = await startStack(env);
    const { ready } = stack;
    for (const url of [ready.web, ready.api, ready.ws]) expect((await fetch(`${url}/healthz`)).ok).toBe(true);

    // A REST write through the web front lands on the api service…
    const posted = await fetch(`${ready.web}/value`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 4, y: 5, z: 6, value: 2.25 }),
    });
    expect(posted.status).toBe(200);
    expect(await (await fetch(`${ready.api}/value?x=4&y=5&z=6`)).json()).toMatchObject({ active: true, value: 2.25 });

    // …and the ws service, another bridge of the cluster, reads it from the shared store.
    const cluster = (await (await fetch(`${ready.ws}/cluster`)).json()) as { peers: Array<{ bridge: string; packet: string }> };
    const wsPacket = cluster.peers.find((p) => p.bridge === 'stack-ws')!.packet;
    const client = await PacketClient.connect(Number(new URL(wsPacket).port));
    expect(await client.blockGet(4, 5, 6)).toMatchObject({ active: true, value: 2.25 });
    client.close();

    // The page's WebSocket line goes through the web front to the same bridge as its REST calls:
    // a BLOCK_SET the page sends is read back by REST at once.
    const line = await connectWebSocketLine(`${ready.web.replace('http', 'ws')}/line/serial0`);
    const session = new Session(line, { name: 'page' });
    const echo = await session.request(Opcode.PING, new Uint8Array([1, 2, 3]), { timeoutMs: 5000 });
    expect([...echo.payload]).toEqual([1, 2, 3]);
    const set = await session.request(Opcode.BLOCK_SET, encodeBlockSetRequest({ x: 7, y: 8, z: 9, value: -3.5 }), { timeoutMs: 10_000 });
    decodeBlockSetReply(set.payload);
    expect(await (await fetch(`${ready.web}/value?x=7&y=8&z=9`)).json()).toMatchObject({ active: true, value: -3.5 });
    session.close();
    line.close();

    expect(await stopStack(stack)).toBe(0);
    for (const pid of Object.values(ready.pids)) expect(alive(pid)).toBe(false);
    stack = undefined;
  }, 90_000);

  it('a restarted stack has the data back; SIGHUP stops it like SIGTERM', async () => {
    stack = await startStack(env);
    expect(await (await fetch(`${stack.ready.web}/value?x=4&y=5&z=6`)).json()).toMatchObject({ active: true, value: 2.25 });
    expect(await (await fetch(`${stack.ready.api}/ledger/verify`)).json()).toMatchObject({ valid: true });
    expect(await stopStack(stack, 'SIGHUP')).toBe(0);
    stack = undefined;
  }, 90_000);

  it('when the runner is killed (SIGKILL), every service it started goes too', async () => {
    stack = await startStack(env);
    const pids = Object.values(stack.ready.pids);
    expect(pids.every(alive)).toBe(true);
    await stopStack(stack, 'SIGKILL');
    stack = undefined;
    expect(await eventually(() => pids.every((pid) => !alive(pid)))).toBe(true);
  }, 90_000);
});
