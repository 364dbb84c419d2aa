import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterNode } from '../../bridge/cluster/ClusterNode.js';
import { freePort } from '../../bridge/stack/freePort.js';
import { RedisProcess } from '../../bridge/stack/RedisProcess.js';
import { missingServices } from '../stack/services.js';

const skip = missingServices({ redis: true });

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skip !== undefined)('a cluster across a Redis restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'konomi-redis-restart-'));
  chmodSync(dir, 0o755);
  let redis: RedisProcess | undefined;
  const nodes: ClusterNode[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('while Redis is away the local core answers; when it returns the registry re-forms', async () => {
    const port = await freePort();
    redis = await RedisProcess.start({ dataDir: dir, port });
    const host = { serveCubeMessage: async (p: Uint8Array) => p.slice().reverse(), status: () => ({ http: '', packet: '', ledgerLength: 0, ledgerHead: '', cubeKappa: 0, llmKappa: 0 }) };
    const a = await ClusterNode.connect({ redisUrl: redis.url, bridgeId: 'a', heartbeatMs: 100, requestTimeoutMs: 1000 });
    const b = await ClusterNode.connect({ redisUrl: redis.url, bridgeId: 'b', heartbeatMs: 100, requestTimeoutMs: 1000 });
    nodes.push(a, b);
    await a.start(host);
    await b.start(host);
    await b.registerVertices([{ cube: 1, vertex: 0 }]);
    expect([...(await a.forward(1, 0, new Uint8Array([1, 2])))!]).toEqual([2, 1]);

    await redis.stop();
    expect(await a.forward(1, 0, new Uint8Array([1, 2]))).toBeUndefined();

    // A fresh Redis with nothing in it, on the same port: the heartbeats must rebuild the registry.
    redis = await RedisProcess.start({ dataDir: join(dir, 'again'), port });
    const reply = await until('forwarding to work again', async () => {
      const r = await a.forward(1, 0, new Uint8Array([3, 4]));
      return r ? [...r] : undefined;
    });
    expect(reply).toEqual([4, 3]);
    expect(await a.members()).toEqual(['a', 'b']);
  }, 30_000);
});
