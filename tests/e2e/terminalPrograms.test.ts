import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { attachGuest, type AttachedGuest } from '../../bridge/server/attachGuest.js';
import { MemoryLogger } from '../../bridge/util/Logger.js';
import { openPtyPair, type PtyPair } from '../support/ptyPair.js';
import { TmuxTerminal } from '../support/TmuxTerminal.js';

// Real terminal programs nobody on this project wrote, on real lines, dialling the real XP10:
// Debian's telnet and socat to `--telnet`, minicom on a pty pair to `--modem-serial`.

let server: BridgeServer;
let guest: AttachedGuest;
let pty: PtyPair;
const logger = new MemoryLogger();
const terminals: TmuxTerminal[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function terminal(command: string): Promise<TmuxTerminal> {
  const term = await TmuxTerminal.start(command);
  terminals.push(term);
  return term;
}

/** `+++` with a second of silence before and after (S12 guard time), then ATH. */
async function hangUp(term: TmuxTerminal, from: number): Promise<number> {
  await sleep(1_200);
  await term.type('+++');
  let at = await term.waitFor(/\+\+\+\s*OK/, from);
  await term.line('ATH');
  at = await term.waitFor(/ATH\s*OK/, at);
  await until('XP10 to lose carrier', () => !guest.modem.carrierDetect && guest.modem.state === 'idle');
  return at;
}

beforeAll(async () => {
  pty = await openPtyPair();
  server = await BridgeServer.start({ port: 0, packetPort: 0, telnetPort: 0, modemSerial: pty.paths[0], logger });
  guest = await attachGuest(server, { memoryMb: 64 });
}, 60_000);

// A failed test must not leave XP10's line busy for the next one.
afterEach(async () => {
  for (const term of terminals.splice(0)) await term.close();
  await until('XP10 to be on hook', () => guest.modem.state === 'idle').catch(() => undefined);
});

afterAll(async () => {
  await guest?.stop();
  await server?.stop();
  pty?.close();
});

describe('dial-in from terminal programs (real v86 XP10)', () => {
  it("Debian's telnet: AT/OK, ATDT 1, XP10's prompt, a command, +++ ATH, redial; character mode", async () => {
    const port = server.telnetAddress!.port;
    const term = await terminal(`telnet 127.0.0.1 ${port}`);
    let at = await term.waitFor(/Escape character is/);
    at = await term.waitFor(/ATDT 1 dials XP10/, at);
    await term.line('AT');
    // Character mode: the client does not echo locally (the server does), so AT shows once.
    at = await term.waitFor(/\nAT\s*\n\s*OK/, at);
    await term.line('ATDT 1');
    at = await term.waitFor(/ATDT 1\s*RINGING\s*CONNECT 56000/, at);
    at = await term.waitFor(/XP10 \[Version [^\]]+\] - Konomi Corduroy-OS[\s\S]*XP10>/, at);
    await term.line('ping over-telnet');
    at = await term.waitFor(/ping over-telnet\s*Reply from Konomi core: bytes=11/, at);
    // `+++` is typed without Enter: it reaches the modem only because the client sends each key at once.
    at = await hangUp(term, at);
    await term.line('ATDT 1');
    at = await term.waitFor(/CONNECT 56000[\s\S]*XP10 \[Version[\s\S]*XP10>/, at);
    await term.line('ver');
    at = await term.waitFor(/ver\s*\S[\s\S]*XP10>/, at);
    await hangUp(term, at);
    expect(await term.screen()).not.toMatch(/ATAT|OK\s*OK/);
  }, 60_000);

  it('dropping the telnet connection drops carrier: the XP10 session ends, one log line per connection', async () => {
    const port = server.telnetAddress!.port;
    const term = await terminal(`telnet 127.0.0.1 ${port}`);
    await term.waitFor(/ATDT 1 dials XP10/);
    await term.line('ATDT1');
    await term.waitFor(/XP10>/);
    await until('XP10 carrier', () => guest.modem.carrierDetect);
    const before = logger.lines.length;
    await term.close();
    await until('XP10 to lose carrier after the TCP connection dropped', () => !guest.modem.carrierDetect && guest.modem.state === 'idle');
    await until('the connection log line', () => logger.lines.slice(before).some((l) => /telnet:127\.0\.0\.1:\d+: .*telnet client \(ECHO SGA \/ peer/.test(l)));
    const line = logger.lines.slice(before).find((l) => l.includes('telnet:127.0.0.1'))!;
    expect(line).toMatch(/dialled 1, \d+ B in, \d+ B out/);
    expect(logger.lines.slice(before).filter((l) => l.includes('telnet:127.0.0.1'))).toHaveLength(1);
  }, 60_000);

  it('socat as a raw TCP client works too, and dials XP10 by an operator phonebook name', async () => {
    const put = await fetch(`${server.httpUrl}/phonebook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entries: [{ number: '10', names: ['console'], target: 'xp10' }] }),
    });
    expect(put.status).toBe(200);
    const port = server.telnetAddress!.port;
    const term = await terminal(`socat -,raw,echo=0 TCP:127.0.0.1:${port}`);
    let at = await term.waitFor(/ATDT 1 dials XP10/);
    await term.line('ATE1');
    at = await term.waitFor(/ATE1\s*OK/, at);
    await term.line('ATDT console');
    at = await term.waitFor(/CONNECT 56000[\s\S]*XP10>/, at);
    await term.line('ping over-socat');
    at = await term.waitFor(/ping over-socat\s*Reply from Konomi core: bytes=10/, at);
    await hangUp(term, at);
    const line = () => logger.lines.find((l) => /raw TCP client/.test(l));
    await term.close();
    await until('the raw client log line', () => line() !== undefined);
    expect(line()).toMatch(/dialled console/);
  }, 60_000);

  it('minicom on a pty pair dials the modem on --modem-serial: dial, a command, hang up, redial', async () => {
    const term = await terminal(`minicom -D ${pty.paths[1]} -b 115200 -o`);
    await term.waitFor(/Press CTRL-A Z for help/);
    await term.line('AT');
    await term.waitFor(/AT\s*OK/);
    await term.line('ATDT 1');
    await term.waitFor(/RINGING\s*CONNECT 56000[\s\S]*XP10>/);
    await term.line('ping from-minicom');
    await term.waitFor(/ping from-minicom\s*Reply from Konomi core: bytes=12/);
    await sleep(1_200);
    await term.type('+++');
    await term.waitFor(/\+\+\+\s*OK/);
    await term.line('ATH');
    await term.waitFor(/ATH\s*OK/);
    await until('XP10 to lose carrier', () => !guest.modem.carrierDetect && guest.modem.state === 'idle');
    await term.line('ATDT 1');
    await term.waitFor(/ATDT 1\s*RINGING\s*CONNECT 56000/);
    await until('XP10 carrier again', () => guest.modem.carrierDetect);
    await term.line('ping again-minicom');
    await term.waitFor(/ping again-minicom\s*Reply from Konomi core: bytes=13/);
    await sleep(1_200);
    await term.type('+++');
    await sleep(1_200);
    await term.line('ATH');
    await until('XP10 to lose carrier', () => !guest.modem.carrierDetect && guest.modem.state === 'idle');
  }, 90_000);
});
