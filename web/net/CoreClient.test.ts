import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import { BridgeError, CoreClient, CoreEventFeed, type FeedState } from './CoreClient.js';
import type { CoreEvent } from './coreTypes.js';

beforeAll(() => {
  const g = globalThis as { WebSocket?: unknown };
  g.WebSocket ??= NodeWebSocket;
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

type Route = (res: import('node:http').ServerResponse, req: import('node:http').IncomingMessage) => void;

async function httpServer(routes: Record<string, Route>): Promise<string> {
  const server: Server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(res, req);
    else { res.writeHead(404); res.end(); }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('CoreClient (REST)', () => {
  it('decodes the bridge\'s answers', async () => {
    const json = (body: unknown) => (res: import('node:http').ServerResponse): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const base = await httpServer({
      '/blocks': json({ total: 1_000_000, blocks: [{ x: 1, y: 2, z: 3, value: 4.5 }] }),
      '/cubes': json({ cubes: [{ id: 0, origin: { x: 0, y: 0, z: 0 }, kappa: 0.6, vertexKappa: [] }] }),
      '/ledger/head': json({ length: 2, index: 1, hash: 'ab' }),
      '/lines': json({ lines: [{ name: 'ws', kind: 'ws', stats: { framesIn: 3, framesOut: 4, crcErrors: 1, retransmits: 2 } }] }),
      '/metrics': (res) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end('konomi_frames_received_total 5\nkonomi_frames_sent_total 6\nkonomi_crc_errors_total 1\nkonomi_retransmits_total 0\n');
      },
    });
    const client = new CoreClient(new URL(base));
    expect(await client.blocks(10)).toEqual({ total: 1_000_000, blocks: [{ x: 1, y: 2, z: 3, value: 4.5 }] });
    expect(await client.cubes()).toEqual([{ id: '0', kappa: 0.6 }]);
    expect(await client.ledgerHead()).toEqual({ length: 2, index: 1, hash: 'ab' });
    expect((await client.lines())[0]).toMatchObject({ framesIn: 3, framesOut: 4, crcErrors: 1, retransmits: 2 });
    expect(await client.lineTotals()).toEqual({ framesIn: 5, framesOut: 6, crcErrors: 1, retransmits: 0 });
  });

  it('fails with typed errors that say "bridge unreachable": no bridge API (404), not JSON, wrong shape, unreachable', async () => {
    const base = await httpServer({
      '/cubes': (res) => { res.writeHead(200); res.end('<html>'); },
      '/ledger/head': (res) => { res.writeHead(200); res.end('{"height":1}'); },
      '/metrics': (res) => { res.writeHead(200); res.end('# nothing here\n'); },
    });
    const client = new CoreClient(new URL(base));
    await expect(client.blocks(1)).rejects.toMatchObject({ code: 'BRIDGE_HTTP', message: expect.stringMatching(/^bridge unreachable: .* no bridge API \(GET \/blocks not found\)$/) });
    await expect(client.cubes()).rejects.toMatchObject({ code: 'BRIDGE_BAD_JSON', message: expect.stringMatching(/^bridge unreachable: GET \/cubes did not answer JSON/) });
    await expect(client.ledgerHead()).rejects.toMatchObject({ code: 'BRIDGE_BAD_JSON', message: expect.stringMatching(/GET \/ledger\/head: unexpected answer/) });
    await expect(client.lineTotals()).rejects.toMatchObject({ code: 'BRIDGE_BAD_JSON', message: expect.stringMatching(/^bridge unreachable: GET \/metrics lacks/) });
    const gone = new CoreClient(new URL('http://127.0.0.1:1/'), { timeoutMs: 2_000 });
    const error = await gone.lines().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).code).toBe('BRIDGE_UNREACHABLE');
    expect((error as BridgeError).message).toMatch(/^bridge unreachable at http:\/\/127\.0\.0\.1:1 /);
  });

  it('sends the page\'s token as a bearer header on every request and says so when the bridge refuses', async () => {
    const seen: (string | undefined)[] = [];
    const base = await httpServer({
      '/cubes': (res, req) => {
        seen.push(req.headers.authorization);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ cubes: [] }));
      },
      '/metrics': (res, req) => {
        seen.push(req.headers.authorization);
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"UNAUTHORIZED"}}');
      },
    });
    await new CoreClient(new URL(base), { token: 's3cret' }).cubes();
    await new CoreClient(new URL(base)).cubes();
    await expect(new CoreClient(new URL(base), { token: 'wrong' }).lineTotals())
      .rejects.toMatchObject({ code: 'BRIDGE_UNAUTHORIZED', message: expect.stringMatching(/\?token=/) });
    expect(seen).toEqual(['Bearer s3cret', undefined, 'Bearer wrong']);
  });

  it('turns http into ws URLs for the same bridge, with the token in the query', () => {
    expect(new CoreClient(new URL('http://127.0.0.1:3000/')).wsUrl('/line/serial0')).toBe('ws://127.0.0.1:3000/line/serial0');
    expect(new CoreClient(new URL('https://k.example/app/')).wsUrl('/ws')).toBe('wss://k.example/app/ws');
    const withToken = new CoreClient(new URL('http://10.0.0.2:3000/'), { token: 'a b&c' });
    for (const path of ['/line/serial0', '/ws', '/modem']) {
      const url = new URL(withToken.wsUrl(path));
      expect(url.pathname).toBe(path);
      expect(url.searchParams.get('token')).toBe('a b&c');
    }
  });
});

describe('CoreEventFeed (/ws subscribe)', () => {
  it('subscribes on open, delivers decoded events, ignores junk, and resubscribes after the bridge returns', async () => {
    let server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const subscribes: unknown[] = [];
    const serve = (s: WebSocketServer): void => {
      s.on('connection', (socket) => {
        socket.on('message', (data: Buffer) => {
          subscribes.push(JSON.parse(data.toString()));
          socket.send('not json');
          socket.send(JSON.stringify({ type: 'subscribe', id: 1, ok: true }));
          socket.send(JSON.stringify({ type: 'event', event: 'block', data: { array: 0, x: 1, y: 2, z: 3, value: 4.5, index: 1 } }));
        });
      });
    };
    serve(server);
    const feed = new CoreEventFeed(`ws://127.0.0.1:${port}/ws`, 50);
    cleanup.push(() => feed.stop());
    const events: CoreEvent[] = [];
    const states: FeedState[] = [];
    feed.onEvent((e) => events.push(e));
    feed.onState((s) => states.push(s));
    feed.start();
    await until(() => events.length === 1, 'first event');
    expect(subscribes).toEqual([{ type: 'subscribe' }]);
    expect(events[0]).toEqual({ event: 'block', blocks: [{ x: 1, y: 2, z: 3, value: 4.5, index: 1 }] });

    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await until(() => states.includes('closed'), 'closed reported');
    server = new WebSocketServer({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    cleanup.push(() => new Promise<void>((resolve) => { for (const c of server.clients) c.terminate(); server.close(() => resolve()); }));
    serve(server);
    await until(() => events.length === 2, 'event after reconnect');
    expect(subscribes).toHaveLength(2);
  });
});
