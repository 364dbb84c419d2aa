import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { ClusterNode, type ClusterHost } from '../../bridge/cluster/ClusterNode.js';
import { missingServices, TestServices } from '../stack/services.js';

const skip = missingServices({ redis: true });

const status = (): ReturnType<ClusterHost['status']> => ({ http: 'http://h', packet: 'tcp://p', ledgerLength: 1, ledgerHead: 'ab', cubeKappa: 0.6, llmKappa: 0.5 });

/** Polls until `probe` holds; generous deadline (the machine is shared), no fixed sleeps. */
async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip !== undefined)('ClusterNode over a real Redis', () => {
  let services: TestServices;
  const nodes: ClusterNode[] = [];
  const node = async (bridgeId: string, host: Partial<ClusterHost> = {}, requestTimeoutMs = 2000): Promise<ClusterNode> => {
    const n = await ClusterNode.connect({ redisUrl: services.redisUrl, bridgeId, heartbeatMs: 100, requestTimeoutMs });
    await n.start({ serveCubeMessage: async (p) => p.slice().reverse(), status, ...host });
    nodes.push(n);
    return n;
  };

  beforeAll(async () => {
    services = await TestServices.start({ redis: true });
  });
  afterAll(async () => {
    for (const n of nodes) await n.close();
    await services?.stop();
  });

  it('forwards to the bridge that registered the vertex and returns its reply', async () => {
    const a = await node('a1');
    const b = await node('b1');
    await b.registerVertices([{ cube: 5, vertex: 3 }]);
    expect(await a.hostOf(5, 3)).toBe('b1');
    expect([...(await a.forward(5, 3, new Uint8Array([1, 2, 3])))!]).toEqual([3, 2, 1]);
    // Unregistered vertices and our own are answered locally.
    expect(await a.forward(5, 4, new Uint8Array([1]))).toBeUndefined();
    expect(await b.forward(5, 3, new Uint8Array([1]))).toBeUndefined();
  });

  it('passes the remote protocol error back', async () => {
    const a = await node('a2');
    const b = await node('b2', {
      serveCubeMessage: async () => {
        throw new ProtocolError('NOT_FOUND', 'no such cube');
      },
    });
    await b.registerVertices([{ cube: 6, vertex: 0 }]);
    await expect(a.forward(6, 0, new Uint8Array(1))).rejects.toMatchObject({ code: 'NOT_FOUND', remote: true });
  });

  it('a host that does not answer in time is UNAVAILABLE', async () => {
    const a = await node('a3', {}, 300);
    const b = await node('b3', { serveCubeMessage: () => new Promise(() => undefined) });
    await b.registerVertices([{ cube: 7, vertex: 1 }]);
    await expect(a.forward(7, 1, new Uint8Array(1))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('entries of a bridge that stops heartbeating expire; release only removes our own entries', async () => {
    const a = await node('a4');
    const b = await ClusterNode.connect({ redisUrl: services.redisUrl, bridgeId: 'b4', heartbeatMs: 100, ttlMs: 300 });
    await b.registerVertices([{ cube: 8, vertex: 2 }]);
    expect(await a.hostOf(8, 2)).toBe('b4');
    await until('the entry of b (never heartbeating) to expire', async () => (await a.hostOf(8, 2)) === undefined);

    await b.registerVertices([{ cube: 8, vertex: 2 }]);
    expect(await a.registerVertices([{ cube: 8, vertex: 2 }])).toEqual([]); // the guest moved to a; b still holds it
    await b.releaseVertices([{ cube: 8, vertex: 2 }]);
    await until('a to take the vertex over on its heartbeat', async () => (await a.hostOf(8, 2)) === 'a4');
    await b.close();
  });

  it('members and statuses: each node hears the others; a closed node leaves at once', async () => {
    const a = await node('a5');
    const b = await node('b5');
    await until('a to see b as member and peer', async () => (await a.members()).includes('b5') && a.peers().some((p) => p.bridge === 'b5'));
    expect(await a.members()).toEqual(expect.arrayContaining(['a5', 'b5']));
    expect(a.peers().find((p) => p.bridge === 'b5')).toMatchObject({ ledgerLength: 1, ledgerHead: 'ab', llmKappa: 0.5 });
    await b.close();
    expect(await a.members()).not.toContain('b5');
  });

  it('two bridges announcing the same vertex: the first keeps it over many heartbeats, no flapping', async () => {
    const a = await node('a6');
    const b = await node('b6');
    expect(await a.registerVertices([{ cube: 9, vertex: 4 }])).toEqual([{ cube: 9, vertex: 4 }]);
    expect(await b.registerVertices([{ cube: 9, vertex: 4 }])).toEqual([]);
    const seen = new Set<string | undefined>();
    const end = Date.now() + 1000; // 10 heartbeats of each
    while (Date.now() < end) {
      seen.add(await b.hostOf(9, 4));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect([...seen]).toEqual(['a6']);
  });

  it('a peer is fresh by when we received its status, not by the clock of its sender', async () => {
    const a = await node('a7');
    const publisher = createClient({ url: services.redisUrl });
    await publisher.connect();
    const skewed = { ...status(), bridge: 'slow-clock', at: Date.now() - 3_600_000 };
    await until('a to hear the bridge whose clock is an hour behind', async () => {
      await publisher.publish('konomi:events', JSON.stringify(skewed));
      return a.peers().some((p) => p.bridge === 'slow-clock');
    });
    await publisher.close();
  });
});
