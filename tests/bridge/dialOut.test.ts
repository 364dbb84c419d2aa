import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectWebSocketLine } from '../../bridge/lines/WebSocketLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { MemoryLogger } from '../../bridge/util/Logger.js';
import { TmuxTerminal } from '../support/TmuxTerminal.js';

const IAC = 255;
const WILL = 251;
const DO = 253;
const ECHO = 1;
const SGA = 3;

/** A non-loopback address of this machine, so a connection really comes from "another host". */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
const external = externalAddress();

/**
 * A small telnet BBS: offers to echo, greets, and echoes every data byte back (IAC sequences
 * taken out). Written independently of lines/telnet, from RFC 854.
 */
class TestBbs {
  readonly server: Server;
  connections = 0;
  /** Negotiation the caller sent us, as `DO 1` etc. */
  readonly negotiation: string[] = [];
  readonly received: number[] = [];
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.write(Buffer.from([IAC, WILL, ECHO, IAC, WILL, SGA]));
      socket.write('welcome to the test BBS\r\n');
      let pending: number[] = [];
      socket.on('data', (chunk: Buffer) => {
        const bytes = [...pending, ...chunk];
        pending = [];
        const out: number[] = [];
        for (let i = 0; i < bytes.length; i++) {
          if (bytes[i] !== IAC) {
            out.push(bytes[i]!);
            continue;
          }
          if (i + 2 >= bytes.length) {
            pending = bytes.slice(i);
            break;
          }
          const verb = { 251: 'WILL', 252: 'WONT', 253: 'DO', 254: 'DONT' }[bytes[i + 1]!] ?? `cmd${bytes[i + 1]}`;
          this.negotiation.push(`${verb} ${bytes[i + 2]}`);
          i += 2;
        }
        this.received.push(...out);
        socket.write(Buffer.from(out));
      });
      socket.on('error', () => undefined);
    });
  }

  async listen(host: string): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A raw TCP caller on the telnet port, optionally from a given local address. */
class RawCaller {
  text = '';
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }
  static open(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawCaller> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, ...(localAddress ? { localAddress } : {}) }, () => resolve(new RawCaller(socket)));
      socket.once('error', reject);
    });
  }
  type(text: string): void {
    this.socket.write(Buffer.from(text, 'latin1'));
  }
  async expect(pattern: RegExp, from = 0, timeoutMs = 10_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text.slice(from));
      if (m) return from + m.index + m[0].length;
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} in ${JSON.stringify(this.text.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  close(): void {
    this.socket.destroy();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

let bbs: TestBbs;
let bbsPort: number;
beforeAll(async () => {
  bbs = new TestBbs();
  bbsPort = await bbs.listen('127.0.0.1');
});
afterAll(async () => {
  await bbs.close();
});

async function bridge(options: Parameters<typeof BridgeServer.start>[0] = {}): Promise<{ server: BridgeServer; logger: MemoryLogger }> {
  const logger = new MemoryLogger();
  const server = await BridgeServer.start({ port: 0, packetPort: 0, telnetPort: 0, logger, webRoot: '/nonexistent-konomi-web', ...options });
  cleanup.push(() => server.stop());
  return { server, logger };
}

describe('dial-out: ATDT host:port', () => {
  it("Debian's telnet dials a telnet BBS on loopback through the bridge, types, is echoed, hangs up", async () => {
    const { server, logger } = await bridge();
    const before = bbs.connections;
    const term = await TmuxTerminal.start(`telnet 127.0.0.1 ${server.telnetAddress!.port}`);
    cleanup.push(() => term.close());
    let at = await term.waitFor(/ATDT 1 dials XP10/);
    await term.line(`ATDT 127.0.0.1:${bbsPort}`);
    at = await term.waitFor(/CONNECT 56000\s*welcome to the test BBS/, at);
    await term.line('hello bbs');
    at = await term.waitFor(/hello bbs/, at);
    // The bridge answered the BBS's offers as a telnet client, and sent CR as CR NUL (NVT).
    expect(bbs.negotiation).toEqual(expect.arrayContaining([`DO ${ECHO}`, `DO ${SGA}`]));
    await sleep(300);
    expect(Buffer.from(bbs.received).toString('latin1')).toContain('hello bbs\r\0');
    await sleep(1_200);
    await term.type('+++');
    at = await term.waitFor(/OK/, at);
    await term.line('ATH');
    await term.waitFor(/ATH\s*OK/, at);
    expect(bbs.connections).toBe(before + 1);
    await term.close();
    const ended = () => logger.lines.find((l) => new RegExp(`dial-out from telnet:127.0.0.1:\\d+ to 127.0.0.1:${bbsPort} \\(telnet\\) ended`).test(l));
    for (let i = 0; i < 50 && !ended(); i++) await sleep(50);
    expect(ended()).toMatch(/B sent, \d+ B received/);
  }, 40_000);

  it('a host that is neither loopback nor allowed answers NO CARRIER, never connects, and the log says why', async () => {
    const outside = new TestBbs();
    const port = await outside.listen('0.0.0.0');
    cleanup.push(() => outside.close());
    const { server, logger } = await bridge();
    const caller = await RawCaller.open(server.telnetAddress!.port);
    cleanup.push(() => caller.close());
    await caller.expect(/ATDT 1 dials XP10/);
    const target = external ?? '192.0.2.1';
    caller.type(`ATDT ${target}:${port}\r`);
    await caller.expect(/NO CARRIER/);
    caller.type('ATDT example.org:23\r');
    await caller.expect(/NO CARRIER[\s\S]*NO CARRIER/);
    expect(outside.connections).toBe(0);
    expect(logger.lines).toContain(`warn dial-out from telnet:127.0.0.1:${caller.socket.localPort} to ${target}:${port} (telnet) refused: ${target}:${port} is not loopback and not in --dial-allow`);
    expect(logger.lines.some((l) => /to example\.org:23 \(telnet\) refused/.test(l))).toBe(true);
  });

  it.skipIf(!external)('--dial-allow HOST:PORT lets callers reach that service and no other port of the host', async () => {
    const outside = new TestBbs();
    const port = await outside.listen('0.0.0.0');
    cleanup.push(() => outside.close());
    const { server } = await bridge({ dialAllow: [`${external}:${port}`] });
    const caller = await RawCaller.open(server.telnetAddress!.port);
    cleanup.push(() => caller.close());
    caller.type(`ATDT ${external}:${port + 1}\r`);
    let at = await caller.expect(/NO CARRIER/);
    caller.type(`ATDT ${external}:${port}\r`);
    at = await caller.expect(/CONNECT 56000\r\n[\s\S]*welcome to the test BBS/, at);
    expect(outside.connections).toBe(1);
  });

  it('konomi dial\'s /modem caller dials a phonebook name listed over PUT /phonebook', async () => {
    const { server } = await bridge();
    const put = await fetch(`${server.httpUrl}/phonebook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entries: [{ number: '555-2000', names: ['TestBBS'], target: `127.0.0.1:${bbsPort}`, description: 'the test BBS' }, { number: '10', target: 'xp10' }] }),
    });
    expect(put.status).toBe(200);
    const list = (await (await fetch(`${server.httpUrl}/phonebook`)).json()) as { entries: Array<Record<string, unknown>>; dialOut: unknown };
    expect(list.entries).toEqual([
      { number: '5600', names: ['packet'], target: 'packet', description: 'the bridge packet port', builtIn: true },
      { number: '555-2000', names: ['TestBBS'], target: `127.0.0.1:${bbsPort}`, protocol: 'telnet', description: 'the test BBS', builtIn: false },
      { number: '10', target: 'xp10', builtIn: false },
    ]);
    expect(list.dialOut).toEqual({ loopback: true, allow: [] });
    const line = await connectWebSocketLine(`${server.httpUrl.replace('http', 'ws')}/modem`);
    cleanup.push(() => line.close());
    let text = '';
    line.onData((chunk) => {
      text += Buffer.from(chunk).toString('latin1');
    });
    line.write(Buffer.from('ATDT testbbs\r'));
    for (let i = 0; i < 100 && !/welcome to the test BBS/.test(text); i++) await sleep(50);
    expect(text).toMatch(/CONNECT 56000\r\nwelcome to the test BBS/);
  });

  it("the page's /dial: the call is placed before the upgrade; answered it carries data, refused it is a 502", async () => {
    const { server, logger } = await bridge();
    const ws = (to: string) => `${server.httpUrl.replace('http', 'ws')}/dial?to=${encodeURIComponent(to)}`;
    const line = await connectWebSocketLine(ws(`127.0.0.1:${bbsPort}`));
    cleanup.push(() => line.close());
    let text = '';
    line.onData((chunk) => {
      text += Buffer.from(chunk).toString('latin1');
    });
    for (let i = 0; i < 100 && !/welcome to the test BBS/.test(text); i++) await sleep(20);
    expect(text).toBe('welcome to the test BBS\r\n');
    line.write(Buffer.from('ping\r'));
    for (let i = 0; i < 100 && !/ping/.test(text.slice(25)); i++) await sleep(20);
    expect(text.slice(25)).toBe('ping\r');
    await expect(connectWebSocketLine(ws('10.9.8.7:23'))).rejects.toThrow(/502/);
    await expect(connectWebSocketLine(ws('no-such-name'))).rejects.toThrow(/502/);
    expect(logger.lines.some((l) => /^warn dial-out from ws:127\.0\.0\.1:\d+\/dial to 10\.9\.8\.7:23 \(telnet\) refused: .*not in --dial-allow$/.test(l))).toBe(true);
  });

  it('PUT /phonebook refuses bad entries naming the field, and hosts the dial policy does not allow', async () => {
    const { server } = await bridge();
    const put = async (body: unknown) => {
      const res = await fetch(`${server.httpUrl}/phonebook`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { error?: { field?: string; message: string } } };
    };
    const cases: Array<[unknown, string, RegExp]> = [
      [{ entries: [{ number: '2', target: '10.9.8.7:23' }] }, 'entries[0].target', /10\.9\.8\.7:23 is not loopback and not in --dial-allow/],
      [{ entries: [{ number: '1', target: `127.0.0.1:${bbsPort}` }] }, 'entries[0].number', /1 is already listed by the bridge \(xp10\)/],
      [{ entries: [{ number: '2', target: 'nowhere' }] }, 'entries[0].target', /HOST:PORT or one of the bridge's own entries \(xp10, packet\)/],
      [{ entries: [{ number: '2', target: `127.0.0.1:${bbsPort}`, protocol: 'ftp' }] }, 'entries[0].protocol', /telnet or raw/],
      [{ entries: [{ number: '2', target: 'localhost:1' }, { number: '3', names: ['two', 'TWO'], target: 'localhost:2' }] }, 'entries[1].number', /already listed by entries\[1\]/],
      [{ entries: [{ number: 'localhost:99', target: 'localhost:1' }] }, 'entries[0].number', /HOST:PORT/],
      [{ entries: 'all of them' }, 'entries', /must be an array/],
    ];
    for (const [body, field, message] of cases) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error?.field).toBe(field);
      expect(res.body.error?.message).toMatch(message);
    }
    // Nothing of a refused PUT was applied.
    const list = (await (await fetch(`${server.httpUrl}/phonebook`)).json()) as { entries: Array<{ builtIn: boolean }> };
    expect(list.entries.filter((e) => !e.builtIn)).toEqual([]);
  });

  it('--phonebook FILE is read at start and rewritten by PUT; a bad file stops the start with its reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'konomi-phonebook-'));
    const file = join(dir, 'phonebook.json');
    writeFileSync(file, JSON.stringify({ entries: [{ number: '7', names: ['bbs'], target: `localhost:${bbsPort}`, protocol: 'raw' }] }));
    const { server } = await bridge({ phonebookFile: file });
    const caller = await RawCaller.open(server.telnetAddress!.port);
    cleanup.push(() => caller.close());
    caller.type('ATDT BBS\r');
    await caller.expect(/CONNECT 56000\r\n/);
    const res = await fetch(`${server.httpUrl}/phonebook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ number: '8', target: `127.0.0.1:${bbsPort}` }]),
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ entries: [{ number: '8', target: `127.0.0.1:${bbsPort}`, protocol: 'telnet' }] });
    writeFileSync(file, JSON.stringify({ entries: [{ number: '9', target: '203.0.113.5:23' }] }));
    await expect(BridgeServer.start({ port: 0, packetPort: 0, phonebookFile: file })).rejects.toThrow(
      /phonebook\.json: entries\[0\]\.target: 203\.0\.113\.5:23 is not loopback and not in --dial-allow/,
    );
  });
});

describe.skipIf(!external)('an exposed bridge is no open proxy', () => {
  const TOKEN = 'telnet-sesame';

  it('a caller from another host must type the token; with it, dial-out still reaches only what is allowed', async () => {
    const outside = new TestBbs();
    const port = await outside.listen('0.0.0.0');
    cleanup.push(() => outside.close());
    const { server, logger } = await bridge({ host: '0.0.0.0', token: TOKEN });
    const telnetPort = server.telnetAddress!.port;

    const stranger = await RawCaller.open(telnetPort, external!, external!);
    cleanup.push(() => stranger.close());
    await stranger.expect(/Token: $/);
    stranger.type(`AT\rATDT ${external}:${port}\r`);
    await stranger.expect(/UNAUTHORIZED/);
    for (let i = 0; i < 50 && !stranger.closed; i++) await sleep(20);
    expect(stranger.closed).toBe(true);
    expect(stranger.text).not.toMatch(/OK|CONNECT/);
    expect(logger.lines.some((l) => new RegExp(`telnet:${external!.replace(/\./g, '\\.')}:\\d+: refused: wrong or no token`).test(l))).toBe(true);

    const member = await RawCaller.open(telnetPort, external!, external!);
    cleanup.push(() => member.close());
    await member.expect(/Token: $/);
    member.type(`${TOKEN}\r`);
    let at = await member.expect(/ATDT 1 dials XP10/);
    expect(member.text).not.toContain(TOKEN);
    member.type(`ATDT ${external}:${port}\r`);
    at = await member.expect(/NO CARRIER/, at);
    member.type('ATDT 198.51.100.7:25\r');
    at = await member.expect(/NO CARRIER/, at);
    expect(outside.connections).toBe(0);

    // The phonebook cannot be widened from outside either: PUT needs the token like every write.
    const res = await fetch(`http://${external}:${server.httpAddress.port}/phonebook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ number: '2', target: `${external}:${port}` }]),
    });
    expect(res.status).toBe(401);
    const withToken = await fetch(`http://${external}:${server.httpAddress.port}/phonebook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify([{ number: '2', target: `${external}:${port}` }]),
    });
    expect(withToken.status).toBe(400);
 
    // Nor can the page's /dial be used from outside without the token.
    const dialUrl = `ws://${external}:${server.httpAddress.port}/dial?to=${encodeURIComponent(`127.0.0.1:${bbsPort}`)}`;
    await expect(connectWebSocketLine(dialUrl)).rejects.toThrow(/401/);
    const before = bbs.connections;
    const allowed = await connectWebSocketLine(`${dialUrl}&token=${TOKEN}`);
    allowed.close();
    expect(bbs.connections).toBe(before + 1);
  });

  it('loopback callers of an exposed bridge need no token', async () => {
    const { server } = await bridge({ host: '0.0.0.0', token: TOKEN });
    const caller = await RawCaller.open(server.telnetAddress!.port);
    cleanup.push(() => caller.close());
    await caller.expect(/ATDT 1 dials XP10/);
    expect(caller.text).not.toContain('Token:');
  });
});
