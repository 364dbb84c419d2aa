import { describe, expect, it } from 'vitest';
import { Flag, Opcode } from './constants.js';
import { ProtocolError } from './ProtocolError.js';
import { SessionSender } from './SessionSender.js';
import { ManualClock } from './testing/ManualClock.js';
import { memoryPort } from './testing/memoryPort.js';

const reply = (seq: number, payload = new Uint8Array([9])) => ({ flags: Flag.REPLY, opcode: Opcode.PING, seq, channel: 0, payload });

describe('SessionSender (alone)', () => {
  it('numbers requests, keeps the window and sends the next one when a reply frees a slot', async () => {
    const clock = new ManualClock();
    const port = memoryPort(clock);
    const sender = new SessionSender(port, { window: 2, maxMessageBytes: 1 << 20 });
    const answers = [1, 2, 3].map(() => sender.request(Opcode.PING, new Uint8Array([1])));
    expect(port.frames.map((f) => f.seq)).toEqual([1, 2]);
    expect(sender.queuedCount).toBe(1);
    sender.onReply(reply(1));
    expect(port.frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    sender.onReply(reply(3));
    sender.onReply(reply(2));
    expect((await Promise.all(answers)).map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('retransmits after the RTO, on NAK, and fails with TIMEOUT after the retry limit', async () => {
    const clock = new ManualClock();
    const port = memoryPort(clock);
    const sender = new SessionSender(port, { window: 8, maxMessageBytes: 1 << 20, initialRtoMs: 100, minRtoMs: 100, retryLimit: 2 });
    const failed = sender.request(Opcode.PING, new Uint8Array([1])).catch((e: unknown) => e as ProtocolError);
    sender.onNak();
    expect(port.frames.map((f) => f.seq)).toEqual([1, 1]);
    await clock.advance(10_000);
    expect(((await failed) as ProtocolError).code).toBe('TIMEOUT');
    expect(port.stats.retransmits).toBe(3); // the NAK, then one per RTO until the limit
    expect(port.events.some((e) => e.type === 'timeout')).toBe(true);
  });

  it('counts a reply that matches nothing outstanding as late', () => {
    const port = memoryPort(new ManualClock());
    const sender = new SessionSender(port, { window: 8, maxMessageBytes: 1 << 20 });
    sender.onReply(reply(42));
    expect(port.stats.duplicates).toBe(1);
    expect(port.events[0]).toMatchObject({ type: 'late-reply', seq: 42 });
  });
});
