import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { ClusterNode, type ClusterHost } from '../../bridge/cluster/ClusterNode.js';
import { missingServices, TestServices } from '../stack/services.js';

const skip = missingServices({ redis: true });

const status = (): ReturnType<ClusterHost['status']> => ({ http: 'http://h', packet: 'tcp://p', ledgerLength: 1, ledgerHead: 'ab', cubeKappa: 0.6, llmKappa: 0.5 });

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
    await new Promise((r) => setTimeout(r, 500)); // b never started its heartbeat
    expect(await a.hostOf(8, 2)).toBeUndefined();

    await b.registerVertices([{ cube: 8, vertex: 2 }]);
    await a.registerVertices([{ cube: 8, vertex: 2 }]); // the guest moved to a
    await b.releaseVertices([{ cube: 8, vertex: 2 }]);
    expect(await a.hostOf(8, 2)).toBe('a4');
    await b.close();
  });

  it('members and statuses: each node hears the others; a closed node leaves at once', async () => {
    const a = await node('a5');
    const b = await node('b5');
    await new Promise((r) => setTimeout(r, 300));
    expect(await a.members()).toEqual(expect.arrayContaining(['a5', 'b5']));
    expect(a.peers().find((p) => p.bridge === 'b5')).toMatchObject({ ledgerLength: 1, ledgerHead: 'ab', llmKappa: 0.5 });
    await b.close();
    expect(await a.members()).not.toContain('b5');
  });
});
