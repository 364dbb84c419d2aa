import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { attachGuest, type AttachedGuest } from '../../bridge/server/attachGuest.js';
import { MemoryLogger } from '../../bridge/util/Logger.js';
import { openPtyPair, type PtyPair } from '../support/ptyPair.js';
import { SerialCaller, TelnetCaller, type TerminalCaller } from '../support/TerminalCaller.js';

// XMODEM between XP10 and lrzsz (Debian's `sx`/`rx`, nobody on this project wrote them), over
// the bridge's --telnet port and over a real pty pair with --modem-serial, at V.90 pacing, into
// and out of the program store; and over a line that corrupts bytes.

const SX = '/usr/bin/sx';
const RX = '/usr/bin/rx';
const SUB = 0x1a;
const SIZES = [0, 1, 127, 128, 129, 100_000];

let server: BridgeServer;
let guest: AttachedGuest;
let pty: PtyPair;
let work: string;
const logger = new MemoryLogger();
const callers: TerminalCaller[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `n` bytes of UTF-8 text (BASIC-like lines with κ), never ending in SUB. */
function textOf(n: number, seed: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (let i = 0; total < n; i++) {
    const line = Buffer.from(`${10 * (i + 1)} PRINT "κ ${seed} ${i * 7919 % 1000}"\n`);
    parts.push(line);
    total += line.length;
  }
  const all = Buffer.concat(parts);
  let cut = n;
  while (cut > 0 && (all[cut]! & 0xc0) === 0x80) cut--;
  return Buffer.concat([all.subarray(0, cut), Buffer.alloc(n - cut, 0x78)]);
}

function withoutPadding(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === SUB) end--;
  return bytes.subarray(0, end);
}

async function programText(name: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(`${server.httpUrl}/programs/${name}`);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

async function until(what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function dial(caller: TerminalCaller): Promise<number> {
  callers.push(caller);
  caller.type('ATDT1\r');
  return caller.waitFor(/CONNECT \d+[\s\S]*XP10> $/);
}

/** Uploads `content` as NAME with `sx`; resolves with the console text after the transfer. */
async function upload(caller: TerminalCaller, from: number, name: string, content: Buffer, sxArgs: string[], tamper?: (c: Buffer) => Buffer) {
  const file = join(work, `${name}.up`);
  writeFileSync(file, content);
  caller.type(`xmodem receive ${name}\r`);
  const at = await caller.waitFor(/Ctrl-X Ctrl-X cancels\.\r\n/, from);
  const run = await caller.runTransfer(SX, [...sxArgs, file], { cwd: work, from: at, ...(tamper ? { toLine: tamper } : {}) });
  const end = await caller.waitFor(/(Saved|Transfer failed|Received)[^\n]*\n[\s\S]*XP10> $/, at, 60_000);
  return { ...run, console: caller.seen.slice(at, end), end };
}

/** Downloads NAME with `rx`; resolves with the bytes rx wrote (padding included). */
async function download(caller: TerminalCaller, from: number, name: string, rxArgs: string[], tamper?: (c: Buffer) => Buffer) {
  const out = `${name}.down`;
  rmSync(join(work, out), { force: true });
  caller.type(`xmodem send ${name}\r`);
  const at = await caller.waitFor(/Ctrl-X Ctrl-X cancels\.\r\n/, from);
  const run = await caller.runTransfer(RX, [...rxArgs, out], { cwd: work, from: at, ...(tamper ? { toProgram: tamper } : {}) });
  const end = await caller.waitFor(/(Sent|Transfer failed)[^\n]*\n[\s\S]*XP10> $/, at, 60_000);
  let bytes = Buffer.alloc(0);
  try {
    bytes = readFileSync(join(work, out));
  } catch {
    // rx removes a file it did not finish
  }
  return { ...run, bytes, console: caller.seen.slice(at, end), end };
}

/** Flips one bit of the byte at each stream offset in `at` (each once), counting bytes that pass. */
function corruptAt(...at: number[]): (c: Buffer) => Buffer {
  let passed = 0;
  return (chunk) => {
    const out = Buffer.from(chunk);
    for (const offset of at) if (offset >= passed && offset < passed + out.length) out[offset - passed]! ^= 0x04;
    passed += out.length;
    return out;
  };
}

/** Flips a bit in every chunk once `from` bytes have passed: no block gets through. */
function corruptFrom(from: number): (c: Buffer) => Buffer {
  let passed = 0;
  return (chunk) => {
    const out = Buffer.from(chunk);
    const start = Math.max(0, from - passed);
    for (let i = start; i < out.length; i += 97) out[i]! ^= 0x10;
    passed += out.length;
    return out;
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'xmodem-'));
  pty = await openPtyPair();
  server = await BridgeServer.start({ port: 0, packetPort: 0, telnetPort: 0, modemSerial: pty.paths[0], logger });
  guest = await attachGuest(server, { memoryMb: 64 });
}, 60_000);

afterEach(async () => {
  for (const caller of callers.splice(0)) {
    if (caller instanceof SerialCaller) {
      await sleep(1_200);
      caller.type('+++');
      await sleep(1_200);
      caller.type('ATH\r');
      await sleep(300);
    }
    await caller.close();
  }
  await until('XP10 to be on hook', () => guest.modem.state === 'idle').catch(() => undefined);
});

afterAll(async () => {
  await guest?.stop();
  await server?.stop();
  pty?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('XMODEM with lrzsz (real v86 XP10)', () => {
  it('over telnet: sx -k uploads and rx -c downloads 0, 1, 127, 128, 129 and 100,000 bytes, byte for byte', async () => {
    const caller = await TelnetCaller.connect(server.telnetAddress!.port);
    let at = await dial(caller);
    for (const size of SIZES) {
      const name = `TEL${size}`;
      const content = textOf(size, size);
      const up = await upload(caller, at, name, content, ['-k']);
      expect(up.code, up.stderr).toBe(0);
      expect(up.console).toMatch(new RegExp(`Saved ${name}: ${size} bytes`));
      expect((await programText(name)).body.equals(content)).toBe(true);
      const down = await download(caller, up.end, name, ['-c']);
      expect(down.code, down.stderr).toBe(0);
      expect(down.console).toMatch(new RegExp(`Sent ${name}: ${size} bytes`));
      expect(withoutPadding(down.bytes).equals(content)).toBe(true);
      expect(down.bytes.length % 128).toBe(0);
      at = down.end;
    }
    // docs/MODEM.md's transcript comes from here: XMODEM_TRANSCRIPT=FILE keeps the console text.
    if (process.env['XMODEM_TRANSCRIPT']) writeFileSync(process.env['XMODEM_TRANSCRIPT'], caller.seen, 'latin1');
    // 100,000 bytes went up in 1K blocks and came down in 1K blocks.
    expect(caller.seen).toMatch(/Saved TEL100000: 100000 bytes, \d+ blocks \(CRC, 1K\), 0 retries/);
    expect(caller.seen).toMatch(/Sent TEL100000: 100000 bytes, \d+ blocks \(CRC, 1K\)/);
  }, 300_000);

  it('over a pty pair with --modem-serial: sx (128-byte blocks) up, rx (checksum and CRC) down', async () => {
    const caller = await SerialCaller.open(pty.paths[1]);
    let at = await dial(caller);
    for (const size of SIZES) {
      const name = `PTY${size}`;
      const content = textOf(size, size + 1);
      const up = await upload(caller, at, name, content, []);
      expect(up.code, up.stderr).toBe(0);
      expect((await programText(name)).body.equals(content)).toBe(true);
      const down = await download(caller, up.end, name, size % 2 === 0 ? ['-c'] : []);
      expect(down.code, down.stderr).toBe(0);
      expect(withoutPadding(down.bytes).equals(content)).toBe(true);
      at = down.end;
    }
    expect(caller.seen).toMatch(/Saved PTY129: 129 bytes, 2 blocks \(CRC\), 0 retries/);
    expect(caller.seen).toMatch(/Sent PTY127: 127 bytes, 1 blocks \(checksum\)/);
  }, 300_000);

  it('a line that corrupts bytes: retries, then the same bytes; too many errors: a clean abort, nothing saved; Ctrl-X Ctrl-X cancels', async () => {
    const caller = await TelnetCaller.connect(server.telnetAddress!.port);
    let at = await dial(caller);
    const content = textOf(5000, 42);

    const up = await upload(caller, at, 'NOISY', content, ['-k'], corruptAt(1500, 3100));
    expect(up.code, up.stderr).toBe(0);
    expect(up.console).toMatch(/Saved NOISY: 5000 bytes, \d+ blocks \(CRC, 1K\), [1-9]\d* retries/);
    expect((await programText('NOISY')).body.equals(content)).toBe(true);

    const down = await download(caller, up.end, 'NOISY', ['-c', '-t', '10'], corruptAt(700, 2500));
    expect(down.code, down.stderr).toBe(0);
    expect(down.console).toMatch(/Sent NOISY: 5000 bytes, \d+ blocks \(CRC, 1K\), [1-9]\d* retries/);
    expect(withoutPadding(down.bytes).equals(content)).toBe(true);

    const hopeless = await upload(caller, down.end, 'LOST', content, ['-k'], corruptFrom(1100));
    expect(hopeless.code).not.toBe(0);
    expect(hopeless.console).toMatch(/Transfer failed: too many errors\. Nothing was saved\./);
    expect((await programText('LOST')).status).toBe(404);

    // A person who started `xmodem send` without a receiver cancels with Ctrl-X Ctrl-X.
    caller.type('xmodem send NOISY\r');
    const waiting = await caller.waitFor(/Ctrl-X Ctrl-X cancels\.\r\n/, hopeless.end);
    caller.write(Uint8Array.from([0x18, 0x18]));
    const cancelled = await caller.waitFor(/Transfer failed: cancelled by the other side\.[\s\S]*XP10> $/, waiting);
    // The shell is back and still works.
    caller.type('ping after-xmodem\r');
    at = await caller.waitFor(/Reply from Konomi core: bytes=12/, cancelled);
    expect(at).toBeGreaterThan(0);
  }, 300_000);
});
