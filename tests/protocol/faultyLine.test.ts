/**
 * Two sessions over an in-memory line that drops, corrupts, duplicates, delays and splits
 * bytes in both directions: 10,000 requests, each answered exactly once, none applied twice,
 * while the client sends HELLOs in the middle of the traffic (which must not reset the server's
 * duplicate cache).
 */
import { describe, expect, it } from 'vitest';
import { Opcode, Session, createLinePair, type Reply } from '../../protocol/index.js';
import { FaultyLine, type FaultOptions } from '../../protocol/testing/FaultyLine.js';
import { ManualClock } from '../../protocol/testing/ManualClock.js';

const REQUESTS = 10_000;

function faults(seed: number, clock: ManualClock): FaultOptions {
  return {
    seed,
    clock,
    dropChunk: 0.01,
    dropByte: 0.0002,
    corruptByte: 0.0002,
    duplicateChunk: 0.01,
    delayChunk: 0.05,
    maxDelayMs: 80,
    splitChunk: 0.2,
  };
}

function payloadFor(id: number): Uint8Array {
  // Every 500th request is large enough to need three fragments.
  const size = id % 500 === 0 ? 9000 : 8 + (id % 40);
  const payload = new Uint8Array(size);
  new DataView(payload.buffer).setUint32(0, id);
  for (let i = 4; i < size; i++) payload[i] = (id + i) & 0xff;
  return payload;
}

describe('two sessions over a faulty line', () => {
  it(`answers ${REQUESTS} requests exactly once and applies none twice`, async () => {
    const clock = new ManualClock();
    const [a, b] = createLinePair(['client', 'server']);
    const clientLine = new FaultyLine(a, faults(11, clock));
    const serverLine = new FaultyLine(b, faults(22, clock));
    const options = { clock, initialRtoMs: 200, minRtoMs: 50, maxRtoMs: 2000, retryLimit: 40 };
    // Starting near the top of the seq space makes the run wrap from 65535 to 0 under faults.
    const client = new Session(clientLine, { ...options, name: 'client', initialSeq: 60_000 });
    const server = new Session(serverLine, { ...options, name: 'server' });

    const applied = new Uint32Array(REQUESTS);
    const seqs = new Set<number>();
    server.setHandler((req) => {
      seqs.add(req.seq);
      const id = new DataView(req.payload.buffer, req.payload.byteOffset).getUint32(0);
      applied[id]!++;
      // Reply: the id, then the payload reversed, so a mixed-up reply is caught.
      const reply = new Uint8Array(req.payload.length);
      reply.set(req.payload.subarray(0, 4));
      for (let i = 4; i < req.payload.length; i++) reply[i] = req.payload[req.payload.length + 3 - i]!;
      return id % 7 === 0 ? Promise.resolve(reply) : reply;
    });

    let done = 0;
    let hellos = 0;
    let hellosSent = 0;
    const failures: string[] = [];
    const helloMidTraffic = () => {
      hellosSent++;
      client.hello().then(
        () => hellos++,
        (error: unknown) => {
          failures.push(`HELLO: ${String(error)}`);
          hellos++;
        },
      );
    };
    const replies: (Reply | undefined)[] = new Array(REQUESTS);
    for (let id = 0; id < REQUESTS; id++) {
      client.request(Opcode.BLOCK_SET, payloadFor(id), { channel: id % 3 }).then(
        (reply) => {
          if (replies[id] !== undefined) throw new Error(`request ${id} answered twice`);
          replies[id] = reply;
          done++;
          if (done % 250 === 0) helloMidTraffic();
        },
        (error: unknown) => {
          failures.push(`${id}: ${String(error)}`);
          done++;
        },
      );
    }
    await clock.runUntil(() => done === REQUESTS && hellos === hellosSent);

    expect(failures).toEqual([]);
    for (let id = 0; id < REQUESTS; id++) {
      const reply = replies[id]!;
      const sent = payloadFor(id);
      expect(reply.channel).toBe(id % 3);
      expect(reply.payload.length).toBe(sent.length);
      expect(new DataView(reply.payload.buffer, reply.payload.byteOffset).getUint32(0)).toBe(id);
      expect(reply.payload[4]).toBe(sent[sent.length - 1]);
    }
    const twice = Array.from(applied).flatMap((n, id) => (n === 1 ? [] : [`${id}×${n}`]));
    expect(twice).toEqual([]);

    expect(seqs.has(65535) && seqs.has(0)).toBe(true);

    // The faults really happened and the mechanisms really ran.
    expect(clientLine.stats.droppedChunks + serverLine.stats.droppedChunks).toBeGreaterThan(50);
    expect(clientLine.stats.corruptedBytes + serverLine.stats.corruptedBytes).toBeGreaterThan(20);
    expect(clientLine.stats.duplicatedChunks + serverLine.stats.duplicatedChunks).toBeGreaterThan(50);
    expect(client.stats.retransmits).toBeGreaterThan(50);
    expect(server.stats.duplicates).toBeGreaterThan(50);
    expect(server.stats.crcErrors + client.stats.crcErrors).toBeGreaterThan(10);
    expect(server.stats.naksSent + client.stats.naksSent).toBeGreaterThan(10);
    expect(client.stats.naksReceived).toBeGreaterThan(0);
    expect(hellosSent).toBe(REQUESTS / 250);
    expect(server.peerBootId).toBe(client.bootId);
    expect(client.outstandingCount).toBe(0);
  });
});
