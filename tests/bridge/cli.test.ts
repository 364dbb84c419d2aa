import { spawn } from 'node:child_process';
import { openPtyPair } from '../support/ptyPair.js';
import { PassThrough } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bridge/cli/main.js';
import { recordingCliIo } from '../support/recordingCliIo.js';
import { readPcapng } from '../../bridge/capture/pcapng.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { createLinePair } from '../../protocol/MemoryLine.js';
import { LineDestination } from '../../lines/modem/LineDestination.js';
import { attachGuest, type AttachedGuest } from '../../bridge/server/attachGuest.js';

const io = recordingCliIo;

let server: BridgeServer;
let tcp: string;
beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0 });
  tcp = `tcp://127.0.0.1:${server.packetAddress.port}`;
});
afterAll(async () => {
  await server.stop();
});

describe('konomi usage errors', () => {
  it.each([
    [[]],
    [['frobnicate']],
    [['send']],
    [['send', 'block_get', '1', '2']],
    [['send', 'block_get', '1', '2', 'x']],
    [['send', 'warp', '1']],
    [['send', 'ping', '--timeout']],
    [['send', 'ping', '--colour']],
    [['start', '--port', 'abc']],
    [['start', '--port', '70000']],
    [['start', '--ephemeral', '--data', '/tmp/x']],
    [['capture']],
  ])('%j exits 2 with the usage text', async (argv) => {
    const out = io();
    expect(await main(argv as string[], out)).toBe(2);
    expect(out.stderr).toMatch(/Usage: konomi/);
  });

  it('help prints the usage on stdout and exits 0', async () => {
    const out = io();
    expect(await main(['help'], out)).toBe(0);
    expect(out.stdout).toMatch(/konomi <command>/);
  });
});

describe('konomi send', () => {
  it('sets and gets a block, printing JSON', async () => {
    const set = io();
    expect(await main(['send', 'block_set', '10', '11', '12', '2.5', '--to', tcp, '--json'], set)).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ ok: true, opcode: 'BLOCK_SET', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const get = io();
    expect(await main(['send', 'block_get', '10', '11', '12', '--to', tcp, '--json'], get)).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ ok: true, active: true, value: 2.5 });
  });

  it('prints a readable reply and the raw bytes with --hex', async () => {
    const out = io();
    expect(await main(['send', 'ping', 'hi', 'there', '--to', tcp, '--hex'], out)).toBe(0);
    expect(out.stdout).toBe('PING reply: echo="hi there" bytes=8\n');
    expect(out.stderr).toMatch(/^>> 7e1002/m);
    expect(out.stderr).toMatch(/^<< 7e1102/m);
  });

  it('exits 1 on an ERROR reply', async () => {
    const out = io();
    expect(await main(['send', 'block_get', '5000', '0', '0', '--to', tcp], out)).toBe(1);
    expect(out.stderr).toMatch(/BLOCK_GET failed: OUT_OF_RANGE: \S/);
    expect(out.stderr).not.toMatch(/OUT_OF_RANGE: OUT_OF_RANGE/);
  });

  it('exits 1 on a timeout', async () => {
    const silent = createServer((socket) => socket.on('data', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const out = io();
    const port = (silent.address() as AddressInfo).port;
    expect(await main(['send', 'ping', '--to', `tcp://127.0.0.1:${port}`, '--timeout', '300', '--json'], out)).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, code: 'TIMEOUT' });
    silent.close();
  });

  it('talks to /line/serial0 over WebSocket and runs a tensor op', async () => {
    const out = io();
    const ws = `${server.httpUrl.replace('http', 'ws')}/line/serial0`;
    expect(await main(['send', 'tensor_op', 'relu', '2x2', '1,-2,3,-4', '--to', ws, '--json'], out)).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ shape: [2, 2], data: [1, 0, 3, 0] });
  });
});

describe('konomi capture and replay', () => {
  it('records frames with direction into pcapng, and replays the requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'konomi-capture-'));
    const file = join(dir, 'lines.pcapng');
    const cap = io();
    const capturing = main(['capture', file, '--from', `${server.httpUrl.replace('http', 'ws')}/capture`, '--count', '4'], cap);
    await new Promise((r) => setTimeout(r, 200));
    await main(['send', 'block_set', '20', '20', '20', '9', '--to', tcp], io());
    await main(['send', 'block_get', '20', '20', '20', '--to', tcp], io());
    expect(await capturing).toBe(0);
    const { interfaces, packets } = readPcapng(readFileSync(file));
    expect(interfaces.length).toBeGreaterThanOrEqual(1);
    expect(packets.map((p) => [p.direction, p.data[1]])).toEqual([
      ['in', 0x13],
      ['out', 0x13],
      ['in', 0x12],
      ['out', 0x12],
    ]);
    const replay = io();
    expect(await main(['replay', file, '--to', tcp, '--json'], replay)).toBe(0);
    const lines = replay.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ opcode: 'BLOCK_GET', active: true, value: 9 });
  });

  it('replay rejects a file that is not pcapng', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'konomi-capture-'));
    const file = join(dir, 'bad.pcapng');
    (await import('node:fs')).writeFileSync(file, 'hello');
    const out = io();
    expect(await main(['replay', file, '--to', tcp], out)).toBe(1);
    expect(out.stderr).toMatch(/not a little-endian pcapng/);
  });
});

describe('konomi start', () => {
  it('a store that cannot be opened fails with exit 1 and prints the code once: konomi start: STORE_FAILED: …', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'konomi-data-'));
    const file = join(dir, 'not-a-directory');
    (await import('node:fs')).writeFileSync(file, 'x');
    const out = io();
    expect(await main(['start', '--port', '0', '--packet-port', '0', '--data', join(file, 'sub')], out)).toBe(1);
    expect(out.stderr).toMatch(/^konomi start: STORE_FAILED: cannot open LMDB at /m);
    expect(out.stderr).not.toMatch(/STORE_FAILED: STORE_FAILED/);
  });

  it('serves until SIGTERM, then shuts down cleanly with exit code 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/bridge/konomiEntry.ts', 'start', '--port', '0', '--packet-port', '0', '--ephemeral'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /konomi bridge: (http:\/\/\S+)/.exec(stdout);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health.ok).toBe(true);
    const exit = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/SIGTERM: stopping/);
    expect(stderr).toMatch(/shutting down/);
  }, 60_000);
});

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('konomi send to a serial device', () => {
  it('sends over a socat pty pair whose other end is a bridge serial line, and prints the reply', async () => {
    const { SerialPortLine } = await import('../../bridge/lines/SerialPortLine.js');
    const pty = await openPtyPair();
    const { paths } = pty;
    try {
      const bridgeEnd = await SerialPortLine.open(paths[0]!);
      server.attach(bridgeEnd, 'serial');
      const set = io();
      expect(await main(['send', 'block_set', '7', '8', '9', '2.25', '--to', `${paths[1]!}@115200`, '--json'], set)).toBe(0);
      expect(JSON.parse(set.stdout)).toMatchObject({ ok: true, opcode: 'BLOCK_SET' });
      const get = io();
      const code = await main(['send', 'block_get', '7', '8', '9', '--to', paths[1]!, '--json'], get);
      expect(code).toBe(0);
      expect(JSON.parse(get.stdout)).toMatchObject({ ok: true, opcode: 'BLOCK_GET', active: true, value: 2.25 });
      // Each send is a new Session on the same bridge line: not mistaken for a retransmission.
      const other = io();
      expect(await main(['send', 'block_get', '9', '9', '9', '--to', paths[1]!, '--json'], other)).toBe(0);
      expect(JSON.parse(other.stdout)).toMatchObject({ ok: true, opcode: 'BLOCK_GET', active: false });
      // The same request again after a change: a fresh answer, not the bridge's cached reply to seq 1.
      await fetch(`${server.httpUrl}/value`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 7, y: 8, z: 9, value: 3.5 }) });
      const again = io();
      expect(await main(['send', 'block_get', '7', '8', '9', '--to', paths[1]!, '--json'], again)).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, opcode: 'BLOCK_GET', active: true, value: 3.5 });
      bridgeEnd.close();
    } finally {
      pty.close();
    }
  });
});

describe('konomi dial and boot (stdin is a pipe here, a raw TTY in real use)', () => {
  it('dial NUMBER connects this terminal to the bridge modem; Ctrl-] quits', async () => {
    const term = io();
    const stdin = new PassThrough();
    term.stdin = stdin as unknown as NodeJS.ReadStream;
    const done = main(['dial', '5600', '--to', `${server.httpUrl.replace('http', 'ws')}/modem`], term);
    await until('CONNECT', () => /ATDT5600\r\r\nCONNECT 56000\r\n/.test(term.stdout));
    stdin.write(Buffer.from([0x1d]));
    expect(await done).toBe(0);
    expect(term.stderr).toMatch(/Disconnected/);
  });

  it('dial is binary-safe: bytes >= 0x80 reach stdout unchanged, not re-encoded as UTF-8', async () => {
    const [far, near] = createLinePair(['echo-service', 'modem:echo']);
    far.onData((chunk) => far.write(chunk));
    server.addPhoneNumber('77', ['echo'], new LineDestination(() => near));
    const term = io();
    const stdin = new PassThrough();
    term.stdin = stdin as unknown as NodeJS.ReadStream;
    const done = main(['dial', '77', '--to', `${server.httpUrl.replace('http', 'ws')}/modem`], term);
    await until('CONNECT', () => /CONNECT 56000\r\n/.test(term.stdout));
    const start = term.bytes.length;
    const sent = [0x80, 0xa9, 0xc3, 0xff, 0x00, 0x41];
    stdin.write(Buffer.from(sent));
    await until('the echo', () => term.bytes.length >= start + sent.length);
    expect(term.bytes.slice(start)).toEqual(sent);
    stdin.write(Buffer.from([0x1d]));
    expect(await done).toBe(0);
  });

  it('dial hangs up by itself when piped input ends and the far side has gone quiet', async () => {
    const term = io();
    const stdin = new PassThrough();
    term.stdin = stdin as unknown as NodeJS.ReadStream;
    const done = main(['dial', '5600', '--to', `${server.httpUrl.replace('http', 'ws')}/modem`], term);
    await until('CONNECT', () => /CONNECT 56000\r\n/.test(term.stdout));
    stdin.end();
    expect(await done).toBe(0);
    expect(term.stderr).toMatch(/Disconnected/);
  });

  it('boot runs XP10 with its console on this terminal', async () => {
    const term = io();
    const stdin = new PassThrough();
    term.stdin = stdin as unknown as NodeJS.ReadStream;
    const done = main(['boot', '--memory', '32'], term);
    await until('the XP10 prompt', () => /XP10> $/.test(term.stdout), 30_000);
    const before = term.stdout.length;
    stdin.write('ver\r');
    await until('ver output', () => /XP10> $/.test(term.stdout.slice(before + 4)), 10_000);
    expect(term.stdout.slice(before)).toMatch(/XP10/);
    stdin.write(Buffer.from([0x1d]));
    expect(await done).toBe(0);
    expect(term.stderr).toMatch(/powered off/);
  }, 60_000);

  it('boot answers piped commands, then powers off by itself when the input ends', async () => {
    const term = io();
    const stdin = new PassThrough();
    term.stdin = stdin as unknown as NodeJS.ReadStream;
    const done = main(['boot', '--memory', '32'], term);
    await until('the XP10 prompt', () => /XP10> $/.test(term.stdout), 30_000);
    stdin.end('uptime\r');
    expect(await done).toBe(0);
    expect(term.stdout).toMatch(/uptime[\s\S]*XP10> $/);
    expect(term.stderr).toMatch(/powered off/);
  }, 60_000);
});

/** Runs the real `konomi` command in a child process; `stdin` is piped in and closed, as `printf … |` does. */
function konomi(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The test machine's own settings must not leak into what is tested.
  for (const name of ['HOST', 'PORT', 'PACKET_PORT', 'TOKEN', 'KONOMI_TOKEN', 'KONOMI_TO', 'ROLE']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/bridge/konomiEntry.ts', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...env, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('latin1')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('konomi send reads the environment konomi start reads', () => {
  // A value only this test's bridge holds: another bridge on the default port cannot pass for it.
  beforeAll(async () => {
    const res = await fetch(`${server.httpUrl}/value`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 123, y: 45, z: 67, value: 8.25 }) });
    expect(res.status).toBe(200);
  });
  const mine = { ok: true, opcode: 'BLOCK_GET', active: true, value: 8.25 };

  it('PACKET_PORT (and HOST) find the packet port without --to', async () => {
    const r = await konomi(['send', 'block_get', '123', '45', '67', '--json'], { env: { PACKET_PORT: String(server.packetAddress.port) } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject(mine);
    // A bridge started with HOST=0.0.0.0 is reached on loopback.
    const wildcard = await konomi(['send', 'block_get', '123', '45', '67', '--json'], { env: { HOST: '0.0.0.0', PACKET_PORT: String(server.packetAddress.port) } });
    expect(wildcard.code).toBe(0);
    expect(JSON.parse(wildcard.stdout)).toMatchObject(mine);
  }, 120_000);

  it('KONOMI_TO names the whole target; --to still wins', async () => {
    const ws = `${server.httpUrl.replace('http', 'ws')}/line/serial0`;
    const r = await konomi(['send', 'block_get', '123', '45', '67', '--json'], { env: { KONOMI_TO: ws, PACKET_PORT: '1' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject(mine);
    const flag = await konomi(['send', 'block_get', '123', '45', '67', '--json', '--to', tcp], { env: { KONOMI_TO: 'tcp://127.0.0.1:1' } });
    expect(flag.code).toBe(0);
    expect(JSON.parse(flag.stdout)).toMatchObject(mine);
  }, 120_000);

  it('a bad PACKET_PORT is a usage error (exit 2) naming the variable', async () => {
    const r = await konomi(['send', 'ping'], { env: { PACKET_PORT: 'fifty-six' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PACKET_PORT must be a port number, got "fifty-six"/);
  }, 120_000);
});

describe('konomi dial with piped input, against a bridge with XP10 (real v86)', () => {
  let guestServer: BridgeServer;
  let guest: AttachedGuest;
  let modemUrl: string;
  beforeAll(async () => {
    guestServer = await BridgeServer.start({ port: 0, packetPort: 0 });
    guest = await attachGuest(guestServer, { memoryMb: 32 });
    modemUrl = `${guestServer.httpUrl.replace('http', 'ws')}/modem`;
  }, 120_000);
  afterAll(async () => {
    await guest?.stop();
    await guestServer?.stop();
  });

  it("`printf 'help\\r' | konomi dial 1` waits for CONNECT, prints XP10's help, hangs up and exits 0", async () => {
    const r = await konomi(['dial', '1', '--to', modemUrl], { stdin: 'help\r' });
    expect(r.stdout).toMatch(/CONNECT \d+\r\n/);
    expect(r.stdout).not.toMatch(/NO CARRIER/);
    // XP10 read the piped command after the call was up: its command list came back.
    expect(r.stdout.slice(r.stdout.indexOf('CONNECT'))).toMatch(/help\s+list commands[\s\S]*uptime\s+time since boot/);
    expect(r.stderr).toMatch(/Disconnected/);
    expect(r.code).toBe(0);
  }, 120_000);

  it('a call that fails exits 1 and says why', async () => {
    const r = await konomi(['dial', '99', '--to', modemUrl], { stdin: 'help\r' });
    expect(r.stdout).toMatch(/NO CARRIER/);
    expect(r.stderr).toMatch(/Call to 99 failed: NO CARRIER/);
    expect(r.code).toBe(1);
  }, 120_000);
});
