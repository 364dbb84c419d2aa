import { describe, expect, it } from 'vitest';
import { Flag, Opcode } from './constants.js';
import { SessionResponder } from './SessionResponder.js';
import { ManualClock } from './testing/ManualClock.js';
import { memoryPort } from './testing/memoryPort.js';

const request = (seq: number, payload = new Uint8Array([seq]), flags = 0) => ({ flags, opcode: Opcode.BLOCK_SET, seq, channel: 0, payload });

describe('SessionResponder (alone)', () => {
  it('answers through its handler table and from the duplicate cache, never running a request twice', async () => {
    const clock = new ManualClock();
    const port = memoryPort(clock);
    const responder = new SessionResponder(port, { duplicateCacheSize: 100, duplicateCacheBytes: 10_000 });
    let runs = 0;
    let finish: (() => void) | undefined;
    responder.handle(Opcode.BLOCK_SET, () => {
      runs++;
      return new Promise<Uint8Array>((resolve) => (finish = () => resolve(new Uint8Array([runs]))));
    });
    responder.onRequest(request(1), 1);
    responder.onRequest(request(1), 1); // still running: ignored
    expect(port.frames).toHaveLength(0);
    finish!();
    await clock.settle();
    responder.onRequest(request(1), 1); // answered from the cache
    expect(runs).toBe(1);
    expect(port.frames.map((f) => [f.seq, f.flags, ...f.payload])).toEqual([
      [1, Flag.REPLY, 1],
      [1, Flag.REPLY, 1],
    ]);
    expect(port.stats).toMatchObject({ requestsReceived: 1, duplicates: 2, repliesSent: 1 });
  });

  it('answers an opcode without an entry through the fallback, UNSUPPORTED without one, and forgets answered requests when the peer boot id changes', async () => {
    const clock = new ManualClock();
    const port = memoryPort(clock);
    const responder = new SessionResponder(port, { duplicateCacheSize: 100, duplicateCacheBytes: 10_000 });
    responder.onRequest(request(1), 1);
    expect(port.frames[0]!.flags).toBe(Flag.REPLY | Flag.ERROR);
    let runs = 0;
    responder.setHandler(() => new Uint8Array([++runs]));
    responder.notePeerBootId(7);
    responder.onRequest(request(2), 1);
    responder.notePeerBootId(7);
    responder.onRequest(request(2), 1);
    expect(runs).toBe(1);
    responder.notePeerBootId(8); // restarted: seq 2 is a new request
    responder.onRequest(request(2), 1);
    expect(runs).toBe(2);
    responder.onRequest(request(3, new Uint8Array([3]), Flag.NOREPLY), 1);
    expect(runs).toBe(3);
    expect(port.frames.filter((f) => f.seq === 3)).toHaveLength(0);
  });
});
