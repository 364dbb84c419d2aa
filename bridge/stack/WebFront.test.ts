import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
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
