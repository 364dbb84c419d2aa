import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opcode } from '../../protocol/constants.js';
import type { Line } from '../../protocol/Line.js';
import { Session } from '../../protocol/Session.js';
import { decodeCubeMsgReply, encodeCubeMsgRequest } from '../../protocol/payloads/cubeMsg.js';
import { connectTcpLine } from '../../bridge/lines/TcpLine.js';
import { connectWebSocketLine } from '../../bridge/lines/WebSocketLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { attachGuest, type AttachedGuest } from '../../bridge/server/attachGuest.js';
import WebSocket from 'ws';

let server: BridgeServer;
let guest: AttachedGuest;

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A terminal on the bridge's /modem WebSocket: collects what the modem prints. */
class Terminal {
  text = '';
  constructor(readonly line: Line) {
    line.onData((chunk) => {
      this.text += Buffer.from(chunk).toString('latin1');
    });
  }
  type(text: string): void {
    this.line.write(Buffer.from(text, 'latin1'));
  }
  /** Guard time, `+++`, `ATH`, and waits until XP10's COM2 has lost carrier. */
  async hangUp(): Promise<void> {
    await new Promise((r) => setTimeout(r, 1100));
    const before = this.text.length;
    this.type('+++');
    await this.expect(/\r\nOK\r\n/, before, 5000);
    this.type('ATH\r');
    await this.expect(/ATH\r\r\nOK\r\n/, before, 5000);
    await until('carrier drop on COM2', () => (guest.modem.carrierDetect ? undefined : true));
  }

  async expect(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<number> {
    return until(`${pattern} in ${JSON.stringify(this.text.slice(-200))}`, () => {
      const m = pattern.exec(this.text.slice(from));
      return m ? from + m.index + m[0].length : undefined;
    }, timeoutMs);
  }
}

beforeAll(async () => {
  server = await BridgeServer.start({ port: 0, packetPort: 0 });
  guest = await attachGuest(server, { memoryMb: 64 });
}, 60_000);

afterAll(async () => {
  await guest?.stop();
  await server?.stop();
});

describe('bridge + XP10 end to end (real v86, real image)', () => {
  it('registers the vertex XP10 announces in HELLO', async () => {
    const line = await until('the guest HELLO', () =>
      server.dispatcher.lines().find((l) => l.kind === 'v86' && l.vertices.length > 0),
    );
    expect(line.vertices).toEqual([{ cube: 1, vertex: 0, channel: 1 }]);
  });

  it("a script's CUBE_MSG to the guest-hosted vertex is answered by the guest agent", async () => {
    const tcp = await connectTcpLine('127.0.0.1', server.packetAddress.port);
    const session = new Session(tcp, { name: 'script' });
    const reply = decodeCubeMsgReply(
      (await session.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 1, vertex: 0, text: 'hello from a script' }), { timeoutMs: 15_000 })).payload,
    );
    expect(reply.vertex).toBe(0);
    expect(reply.text).toMatch(/NEU of cube 1 in XP10 .*heard: .*hello from a script/);
    session.close();
    tcp.close();
  });

  it('the /ws `process` and REST cube message name the vertex ("NEU") and are answered by XP10, as CUBE_MSG is', async () => {
    await until('the guest HELLO', () => server.dispatcher.lines().find((l) => l.kind === 'v86' && l.vertices.length > 0));
    const ws = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
    ws.send(JSON.stringify({ type: 'process', id: 1, cube: 1, vertex: 'NEU', text: 'hello over /ws' }));
    expect(await reply).toMatchObject({ type: 'process', id: 1, ok: true, vertex: 0, vertexName: 'NEU', text: expect.stringMatching(/NEU of cube 1 in XP10 .*heard: .*hello over \/ws/) });
    ws.close();
    const rest = await fetch(`${server.httpUrl}/cubes/1/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vertex: 'neu', text: 'hello over REST' }),
    });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toMatchObject({ cube: 1, vertex: 0, text: expect.stringMatching(/NEU of cube 1 in XP10 .*heard: .*hello over REST/) });
    // A vertex XP10 does not host is answered by the core.
    const core = (await (await fetch(`${server.httpUrl}/cubes/1/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vertex: 'SWD', text: 'and you?' }),
    })).json()) as { vertex: number; text: string };
    expect(core.vertex).toBe(7);
    expect(core.text).not.toMatch(/in XP10/);
  }, 60_000);

  it('`vote` in XP10\'s shell runs a choice vote of the whole cube and prints the choice, the votes and who dissented', async () => {
    const term = new Terminal(await connectWebSocketLine(`${server.httpUrl.replace('http', 'ws')}/modem`));
    term.type('ATDT1\r');
    let at = await term.expect(/CONNECT 56000\r\n/);
    at = await term.expect(/XP10> $/, at);
    term.type('vote 0 yes|no Is the grid up?\r');
    at = await term.expect(/XP10> $/, at, 30_000);
    const shown = term.text.slice(0, at).split('vote 0 yes|no Is the grid up?').at(-1) ?? '';
    // The same vote through /ws, for the answer to compare with (the field does not move between:
    // a vote reads each vertex's own model, and no tick changes those).
    const ws = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws`);
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'collective_think', id: 1, cube: 0, query: 'Is the grid up?', choices: ['yes', 'no'] }));
    const json = (await new Promise((r) => ws.once('message', (d) => r(JSON.parse(String(d)))))) as { choice: string; votes: Array<{ choice: string }> };
    ws.close();
    expect(shown).toMatch(/\[vertex 8, kappa=\d\.\d{4}\] /);
    expect(shown).toContain(json.choice);
    expect(shown).toMatch(/quorum/);
    expect(term.text.slice(0, at)).not.toMatch(/Usage: vote/);
    // A malformed vote is refused with usage, not sent.
    term.type('vote 0 yes Is it?\r');
    at = await term.expect(/Usage: vote CUBE A\|B/, at);
    await term.expect(/XP10> $/, at);
    // Hang up as a caller does, so the next test finds the line free.
    await term.hangUp();
    term.line.close();
  }, 60_000);

  it("dials XP10 through the modem; the shell's `block set` is visible through REST; +++ ATH hangs up", async () => {
    const term = new Terminal(await connectWebSocketLine(`${server.httpUrl.replace('http', 'ws')}/modem`));
    const signals: string[] = [];
    const sub = guest.modem.onEvent((e) => {
      if (e.type === 'signal' && e.detail) signals.push(e.detail);
    });
    term.type('ATDT1\r');
    let at = await term.expect(/CONNECT 56000\r\n/);
    at = await term.expect(/XP10> $/, at);
    expect(guest.modem.carrierDetect).toBe(true);
    // The guest's COM2 saw the ring indicator, then carrier detect.
    expect(signals).toEqual(['RI on', 'RI off', 'DCD on']);
    term.type('block set 1 2 3 4.5\r');
    await term.expect(/XP10> $/, at);
    const value = (await (await fetch(`${server.httpUrl}/value?x=1&y=2&z=3`)).json()) as { active: boolean; value: number };
    expect(value).toMatchObject({ active: true, value: 4.5 });
    await term.hangUp();
    expect(guest.modem.state).toBe('idle');
    expect(signals.at(-1)).toBe('DCD off');
    sub.dispose();
    term.line.close();
  }, 60_000);

  it('a hang-up ends the XP10 session: the foreground command is cancelled and a redial gets a fresh banner and prompt', async () => {
    // COM2 as the guest writes it, whether or not a call carries it.
    let com2 = '';
    const tap = guest.machine.serial1.onData((chunk) => {
      com2 += Buffer.from(chunk).toString('latin1');
    });
    const term = new Terminal(await connectWebSocketLine(`${server.httpUrl.replace('http', 'ws')}/modem`));
    term.type('ATDT1\r');
    let at = await term.expect(/CONNECT 56000\r\n/);
    at = await term.expect(/XP10> $/, at);
    term.type('busy 60000\r');
    await term.expect(/busy 60000\r?\n/, at);
    await term.hangUp();
    // The 60 s command stopped on the carrier edge, long before it would have finished.
    await until(`the command cancelled, in ${JSON.stringify(com2.slice(-200))}`, () => (/Stopped after \d+ ms/.test(com2) ? true : undefined), 10_000);
    await until('the session end', () => (/Session ended\./.test(com2) ? true : undefined), 10_000);
    expect(com2).not.toMatch(/Busy for 60000 ms/);
    const redial = term.text.length;
    term.type('ATDT1\r');
    at = await term.expect(/CONNECT 56000\r\n/, redial);
    at = await term.expect(/XP10 \[Version [^\]]+\][^\n]*\r?\nConsole [^\n]*\r?\n\r?\nXP10> $/, at);
    term.type('ver\r');
    await term.expect(/XP10> $/, at + 4);
    await new Promise((r) => setTimeout(r, 1100));
    const end = term.text.length;
    term.type('+++');
    await term.expect(/\r\nOK\r\n/, end, 5000);
    term.type('ATH\r');
    await until('carrier drop on COM2', () => (guest.modem.carrierDetect ? undefined : true));
    tap.dispose();
    term.line.close();
  }, 90_000);
});
