import { networkInterfaces } from 'node:os';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opcode } from '../../protocol/constants.js';
import { Session } from '../../protocol/Session.js';
import { encodeBlockGetRequest } from '../../protocol/payloads/blockGet.js';
import { connectWebSocketLine } from '../../bridge/lines/WebSocketLine.js';
import { connectTcpLine } from '../../bridge/lines/TcpLine.js';
import { BridgeServer } from '../../bridge/server/BridgeServer.js';
import { MemoryLogger } from '../../bridge/util/Logger.js';

/** A non-loopback address of this machine, so requests really arrive from "another host". */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const external = externalAddress();
const TOKEN = 'open-sesame';
let server: BridgeServer;

beforeAll(async () => {
  server = await BridgeServer.start({ host: '0.0.0.0', port: 0, packetPort: 0, token: TOKEN, logger: new MemoryLogger(), webRoot: '/nonexistent-konomi-web' });
});
afterAll(async () => {
  await server.stop();
});

const url = (host: string, path: string) => `http://${host}:${server.httpAddress.port}${path}`;

describe.skipIf(!external)('REST exposed with --host', () => {
  it('answers loopback callers without a token', async () => {
    const res = await fetch(url('127.0.0.1', '/ledger/head'));
    expect(res.status).toBe(200);
  });

  it('refuses other hosts without the token with a JSON 401', async () => {
    for (const path of ['/ledger/head', '/value?x=1&y=1&z=1', '/metrics', '/value?x=1&y=1&z=1&token=wrong']) {
      const res = await fetch(url(external!, path));
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('UNAUTHORIZED');
      expect(body.error.message).toMatch(/token/);
    }
    const post = await fetch(url(external!, '/value'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 1, y: 1, z: 1, value: 2 }),
    });
    expect(post.status).toBe(401);
    const wrong = await fetch(url(external!, '/ledger/head'), { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('serves other hosts presenting the token in the header or the query', async () => {
    const header = await fetch(url(external!, '/ledger/head'), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(header.status).toBe(200);
    const post = await fetch(url(external!, '/value'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ x: 1, y: 1, z: 1, value: 2 }),
    });
    expect(post.status).toBe(200);
    const query = await fetch(url(external!, `/value?x=1&y=1&z=1&token=${TOKEN}`));
    expect(query.status).toBe(200);
    expect(((await query.json()) as { value: number }).value).toBe(2);
  });

  it('still serves the page to other hosts', async () => {
    const res = await fetch(url(external!, '/'));
    expect(res.status).toBe(200);
  });
});

describe('WebSocket upgrades check Host and Origin', () => {
  const wsUrl = (host: string, path: string) => `ws://${host}:${server.httpAddress.port}${path}`;
  /** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opened. */
  const upgradeStatus = (target: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(target, { headers });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('error', (err) => reject(err));
    });

  it('opens for a non-browser client (no Origin) and for the bridge\'s own origin', async () => {
    const port = server.httpAddress.port;
    expect(await upgradeStatus(wsUrl('127.0.0.1', '/ws'))).toBe(101);
    expect(await upgradeStatus(wsUrl('127.0.0.1', '/ws'), { origin: `http://127.0.0.1:${port}` })).toBe(101);
    expect(await upgradeStatus(wsUrl('127.0.0.1', '/line/serial0'), { origin: `http://localhost:${port}` })).toBe(101);
  });

  it('refuses a page of another site (cross-site WebSocket hijacking) with 403', async () => {
    for (const path of ['/ws', '/modem', '/capture', '/line/serial0']) {
      expect(await upgradeStatus(wsUrl('127.0.0.1', path), { origin: 'https://evil.example' }), path).toBe(403);
    }
    expect(await upgradeStatus(wsUrl('127.0.0.1', '/ws'), { origin: 'null' })).toBe(403);
  });

  it('refuses a Host the server does not listen as (DNS rebinding) with 403', async () => {
    const port = server.httpAddress.port;
    expect(await upgradeStatus(wsUrl('127.0.0.1', '/ws'), { host: `rebind.evil.example:${port}` })).toBe(403);
    expect(
      await upgradeStatus(wsUrl('127.0.0.1', '/line/serial0'), { host: `rebind.evil.example:${port}`, origin: `http://rebind.evil.example:${port}` }),
    ).toBe(403);
  });
});

describe.skipIf(!external)('/line/serial0 from another host', () => {
  const lineUrl = (query = '') => `ws://${external}:${server.httpAddress.port}/line/serial0${query}`;
  const blockGet = (session: Session) => session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 }));

  it('is served without a HELLO token when the URL carries ?token=', async () => {
    const line = await connectWebSocketLine(lineUrl(`?token=${TOKEN}`));
    const session = new Session(line, { name: 'browser-xp10' });
    await expect(blockGet(session)).resolves.toBeDefined();
    session.close();
    line.close();
  });

  it('is served nothing but HELLO without it, or with a wrong one', async () => {
    for (const query of ['', '?token=wrong']) {
      const line = await connectWebSocketLine(lineUrl(query));
      const session = new Session(line, { name: 'browser-xp10' });
      await expect(blockGet(session)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      session.close();
      line.close();
    }
  });
});

describe('WebSocket connections per endpoint', () => {
  it('are capped (503 past the limit) and freed when a socket closes', async () => {
    const small = await BridgeServer.start({ port: 0, packetPort: 0, maxSocketsPerEndpoint: 2, logger: new MemoryLogger(), webRoot: '/nonexistent-konomi-web' });
    try {
      const url = (path: string) => `${small.httpUrl.replace('http', 'ws')}${path}`;
      const a = await connectWebSocketLine(url('/line/serial0'));
      const b = await connectWebSocketLine(url('/line/serial0'));
      await expect(connectWebSocketLine(url('/line/serial0'))).rejects.toThrow(/503/);
      const other = await connectWebSocketLine(url('/capture'));
      other.close();
      const closed = new Promise<void>((resolve) => a.onClose(() => resolve()));
      a.close();
      await closed;
      let c: Awaited<ReturnType<typeof connectWebSocketLine>> | undefined;
      for (let i = 0; i < 50 && !c; i++) {
        c = await connectWebSocketLine(url('/line/serial0')).catch(() => undefined);
        if (!c) await new Promise((r) => setTimeout(r, 20));
      }
      expect(c?.isOpen).toBe(true);
      b.close();
      c?.close();
    } finally {
      await small.stop();
    }
  });
});

describe('plain HTTP checks Host too', () => {
  it('refuses a Host that is not a name of the bridge (DNS rebinding against REST) with a JSON 403', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.httpAddress.port, path: '/ledger/head', headers: { host: 'rebind.evil.example' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status.code).toBe(403);
    expect(JSON.parse(status.body)).toMatchObject({ error: { code: 'FORBIDDEN', message: expect.stringMatching(/rebind\.evil\.example/) } });
    expect((await fetch(`http://localhost:${server.httpAddress.port}/ledger/head`)).status).toBe(200);
  });
});

describe.skipIf(!external)('a flood of unauthenticated requests', () => {
  it('1,200 refused requests cost a bounded number of log lines, and the summary reports how many', async () => {
    const log = new MemoryLogger();
    const exposed = await BridgeServer.start({ host: '0.0.0.0', port: 0, packetPort: 0, token: TOKEN, logger: log, webRoot: '/nonexistent-konomi-web' });
    const target = `http://${external!}:${exposed.httpAddress.port}/ledger/head`;
    let refused = 0;
    try {
      // 1,200 requests, 40 at a time, as a scanner or a client without the token sends them.
      for (let batch = 0; batch < 30; batch++) {
        const statuses = await Promise.all(Array.from({ length: 40 }, () => fetch(target).then((r) => r.status)));
        refused += statuses.filter((s) => s === 401).length;
      }
    } finally {
      // Stopping writes the summary of the window still open.
      await exposed.stop();
    }
    expect(refused).toBe(1200);
    const lines = log.lines.filter((l) => /UNAUTHORIZED/.test(l));
    // The default: 5 lines in full and one summary per 10 s window; the run takes a few windows at most.
    expect(lines.length).toBeLessThanOrEqual(20);
    const full = lines.filter((l) => /^warn GET \/ledger\/head from \S+ -> 401 UNAUTHORIZED: /.test(l));
    const summaries = lines.map((l) => /^warn 401 UNAUTHORIZED: (\d+) more like this in the last 10 s/.exec(l)).filter((m) => m !== null);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(full.length + summaries.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(1200);
    expect(full.length + summaries.length).toBe(lines.length);
  }, 60_000);

  it('so do 1,200 requests on a packet-port line that never presented the token', async () => {
    const log = new MemoryLogger();
    const exposed = await BridgeServer.start({ host: '0.0.0.0', port: 0, packetPort: 0, token: TOKEN, logger: log, webRoot: '/nonexistent-konomi-web' });
    let refused = 0;
    try {
      const line = await connectTcpLine(external!, exposed.packetAddress.port);
      const session = new Session(line, { name: 'no-token' });
      for (let batch = 0; batch < 150; batch++) {
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => session.request(Opcode.BLOCK_GET, encodeBlockGetRequest({ x: 0, y: 0, z: 0 }))));
        refused += results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'UNAUTHORIZED').length;
      }
      session.close();
      line.close();
    } finally {
      await exposed.stop();
    }
    expect(refused).toBe(1200);
    const lines = log.lines.filter((l) => /UNAUTHORIZED/.test(l));
    expect(lines.length).toBeLessThanOrEqual(20);
    const full = lines.filter((l) => /^warn line \d+ BLOCK_GET -> UNAUTHORIZED: /.test(l));
    const counted = lines.map((l) => /^warn line UNAUTHORIZED: (\d+) more like this/.exec(l)).filter((m) => m !== null);
    expect(full.length + counted.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(1200);
  }, 60_000);
});
