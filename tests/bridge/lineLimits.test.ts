import { afterEach, describe, expect, it } from 'vitest';
import { Opcode } from '../../protocol/constants.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { Session } from '../../protocol/Session.js';
import { encodeBlockGetRequest } from '../../protocol/payloads/blockGet.js';
import { encodeBlockSetRequest } from '../../protocol/payloads/blockSet.js';
import { connectTcpLine, type TcpLine } from '../../bridge/lines/TcpLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { parseArgs } from '../../bridge/cli/parseArgs.js';
import { START_CONFIG_OPTIONS, startConfig } from '../../bridge/cli/commands/startConfig.js';

/** Issue 11 item 12: per-line limits a well-behaved loopback client never meets, configurable, counted. */
describe('per-line limits over a real loopback TCP line', () => {
  let server: BridgeServer | undefined;
  const lines: TcpLine[] = [];
  afterEach(async () => {
    for (const line of lines.splice(0)) line.close();
    await server?.stop();
    server = undefined;
  });

  /** The bridge with the limits `konomi start` would derive from these flags. */
  async function start(flags: string[] = []) {
    const { limits } = startConfig(parseArgs(flags, START_CONFIG_OPTIONS), {});
    server = await BridgeServer.start({ port: 0, packetPort: 0, limits });
    return server;
  }

  async function client(window: number): Promise<Session> {
    const line = await connectTcpLine('127.0.0.1', server!.packetAddress.port);
    lines.push(line);
    const session = new Session(line, { name: 'client', window, initialRtoMs: 5000 });
    await session.hello();
    return session;
  }

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${server!.httpUrl}/metrics`)).text();
    const match = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
    if (!match) throw new Error(`${name} missing from /metrics`);
    return Number(match[1]);
  }

  /** `window` workers each keep one request in flight, as fast as replies come. */
  async function flood(session: Session, requests: number, window: number, payload: (i: number) => Uint8Array) {
    const codes = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: window }, async () => {
        while (next < requests) {
          const i = next++;
          const code = await session.request(Opcode.BLOCK_GET, payload(i)).then(
            () => 'OK',
            (e: unknown) => (e instanceof ProtocolError ? e.code : String(e)),
          );
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }),
    );
    return Object.fromEntries(codes);
  }

  it('never answers BUSY to a window-8 client sending 20,000 requests as fast as it can', async () => {
    await start();
    const session = await client(8);
    expect(session.window).toBe(8);
    const codes = await flood(session, 20_000, 8, (i) => encodeBlockGetRequest({ x: i % 100, y: 1, z: 2 }));
    expect(codes).toEqual({ OK: 20_000 });
    expect(await metric('konomi_busy_replies_total')).toBe(0);
  });

  it('answers BUSY past a low configured rate (--line-rate) and counts every BUSY in /metrics', async () => {
    await start(['--line-rate', '50', '--line-burst', '20']);
    const session = await client(8);
    const codes = await flood(session, 400, 8, () => encodeBlockGetRequest({ x: 1, y: 1, z: 1 }));
    expect(codes.BUSY).toBeGreaterThan(300);
    expect(codes.OK).toBeGreaterThanOrEqual(20);
    expect(await metric('konomi_busy_replies_total')).toBe(codes.BUSY);
  });

  it('applies 5,000 NOREPLY writes sent in one burst (queued, not dropped) and counts none as dropped', async () => {
    await start();
    const ledger = () => server!.service.konomi.grid.ledgerHead().length;
    const before = ledger();
    const session = await client(8);
    for (let i = 0; i < 5000; i++) {
      await session.request(Opcode.BLOCK_SET, encodeBlockSetRequest({ x: i % 1000, y: Math.floor(i / 1000), z: 3, value: i }), { noReply: true });
    }
    await session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 }));
    for (let i = 0; i < 100 && ledger() < before + 5000; i++) await new Promise((r) => setTimeout(r, 50));
    expect(ledger()).toBe(before + 5000);
    expect(await metric('konomi_noreply_dropped_total')).toBe(0);
  });

  it('counts NOREPLY requests dropped past a small configured queue (--line-queue) in /metrics', async () => {
    await start(['--window', '2', '--line-outstanding', '2', '--line-queue', '10']);
    const ledger = () => server!.service.konomi.grid.ledgerHead().length;
    const before = ledger();
    const session = await client(2);
    for (let i = 0; i < 1000; i++) {
      await session.request(Opcode.BLOCK_SET, encodeBlockSetRequest({ x: i, y: 5, z: 5, value: i }), { noReply: true });
    }
    await session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 }));
    let dropped = 0;
    for (let i = 0; i < 100; i++) {
      dropped = await metric('konomi_noreply_dropped_total');
      if (ledger() - before + dropped === 1000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(dropped).toBeGreaterThan(0);
    expect(ledger() - before + dropped).toBe(1000);
  });
});
