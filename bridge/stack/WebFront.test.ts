import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './freePort.js';
import { WebFront } from './WebFront.js';

describe('WebFront', () => {
  const root = mkdtempSync(join(tmpdir(), 'konomi-webfront-'));
  let api: Server;
  let front: WebFront;
  let deadFront: WebFront;

  beforeAll(async () => {
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>page</title>');
    api = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-api': 'yes' });
        res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, auth: req.headers.authorization ?? null, body }));
      });
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    front = await WebFront.start({ port: 0, webRoot: root, apiUrl, wsUrl: apiUrl });
    const nobody = `http://127.0.0.1:${await freePort()}`;
    deadFront = await WebFront.start({ port: 0, webRoot: root, apiUrl: nobody, wsUrl: nobody });
  });

  afterAll(async () => {
    await front.stop();
    await deadFront.stop();
    await new Promise<void>((r) => api.close(() => r()));
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the page and its own health check', async () => {
    expect(await (await fetch(`${front.url}/`)).text()).toContain('<title>page</title>');
    expect(await (await fetch(`${front.url}/healthz`)).json()).toEqual({ ok: true, role: 'web' });
  });

  it('passes other requests to the api unchanged: method, path, query, body, headers, status', async () => {
    const response = await fetch(`${front.url}/value?x=1`, { method: 'POST', body: '{"v":1}', headers: { authorization: 'Bearer t' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-api')).toBe('yes');
    const echoed = (await response.json()) as { method: string; url: string; host: string; auth: string; body: string };
    expect(echoed).toMatchObject({ method: 'POST', url: '/value?x=1', auth: 'Bearer t', body: '{"v":1}' });
    expect(echoed.host).toBe(new URL(`http://127.0.0.1:${(api.address() as AddressInfo).port}`).host);
  });

  it('answers 502 with a JSON error when the api is down', async () => {
    const response = await fetch(`${deadFront.url}/value?x=1`);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: 'UNAVAILABLE' });
  });
});

/** A non-loopback address of this machine, so requests really arrive from "another host". */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
const external = externalAddress();

describe.skipIf(!external)('WebFront exposed with --host', () => {
  const root = mkdtempSync(join(tmpdir(), 'konomi-webfront-exposed-'));
  let api: Server;
  let front: WebFront;
  let port = 0;

  beforeAll(async () => {
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>page</title>');
    api = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"reached":"api"}');
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    front = await WebFront.start({ host: '0.0.0.0', port: 0, webRoot: root, apiUrl, wsUrl: apiUrl, token: 'open-sesame' });
    port = Number(new URL(front.url).port);
  });

  afterAll(async () => {
    await front.stop();
    await new Promise<void>((r) => api.close(() => r()));
    rmSync(root, { recursive: true, force: true });
  });

  // Behind the front every request reaches the api role from loopback, which the api trusts;
  // so the front itself must refuse other hosts that do not present the token.
  it('serves the page to anyone but passes on only requests that present the token', async () => {
    expect((await fetch(`http://${external}:${port}/`)).status).toBe(200);
    const refused = await fetch(`http://${external}:${port}/ledger/head`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const withHeader = await fetch(`http://${external}:${port}/ledger/head`, { headers: { authorization: 'Bearer open-sesame' } });
    expect(await withHeader.json()).toEqual({ reached: 'api' });
    expect((await fetch(`http://${external}:${port}/ledger/head?token=open-sesame`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/ledger/head`)).status).toBe(200);
  });

  it('refuses WebSocket upgrades from other hosts without the token', async () => {
    const status = await new Promise<number>((resolve) => {
      const req = httpRequest({ host: external, port, path: '/ws', headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.on('error', () => resolve(-1));
      req.end();
    });
    expect(status).toBe(401);
  });
});
