import { describe, expect, it } from 'vitest';
import { createLinePair } from './MemoryLine.js';
import { PacedLine } from './PacedLine.js';
import { bytesPerSecond, lineProfile, LINE_PROFILES } from './LineProfile.js';
import { ManualClock } from './testing/ManualClock.js';

function paced(profileName: string, direction: 'downstream' | 'upstream', latencyMs = 0) {
  const clock = new ManualClock();
  const [a, b] = createLinePair();
  const line = new PacedLine(a, lineProfile(profileName, { latencyMs }), direction, clock);
  const arrivals: { at: number; bytes: number[] }[] = [];
  b.onData((chunk) => arrivals.push({ at: clock.now(), bytes: Array.from(chunk) }));
  return { clock, line, arrivals, b };
}

describe('line profiles', () => {
  it('name v90, v34 and unlimited with 10 bits per byte', () => {
    expect(bytesPerSecond(LINE_PROFILES.v90, 'downstream')).toBe(5600);
    expect(bytesPerSecond(LINE_PROFILES.v90, 'upstream')).toBe(3360);
    expect(bytesPerSecond(LINE_PROFILES.v34, 'downstream')).toBe(3360);
    expect(bytesPerSecond(LINE_PROFILES.unlimited, 'upstream')).toBe(Infinity);
    expect(() => lineProfile('v92')).toThrow(RangeError);
  });
});

describe('PacedLine', () => {
  it('delivers 5600 bytes in one second downstream on v90, in order, none lost', async () => {
    const { clock, line, arrivals } = paced('v90', 'downstream');
    const data = Uint8Array.from({ length: 5600 }, (_, i) => i & 0xff);
    line.write(data.subarray(0, 1000));
    line.write(data.subarray(1000));
    expect(line.queuedBytes).toBe(5600);
    await clock.advance(500);
    const half = arrivals.reduce((n, a) => n + a.bytes.length, 0);
    expect(half).toBeGreaterThan(2700);
    expect(half).toBeLessThan(2900);
    await clock.advance(500);
    expect(arrivals.flatMap((a) => a.bytes)).toEqual(Array.from(data));
    expect(arrivals.at(-1)?.at).toBeCloseTo(1000, 6);
    expect(line.queuedBytes).toBe(0);
  });

  it('paces upstream at 33,600 bit/s and adds latency', async () => {
    const { clock, line, arrivals } = paced('v90', 'upstream', 150);
    line.write(new Uint8Array(336));
    await clock.advance(100);
    expect(arrivals).toHaveLength(0);
    await clock.advance(149);
    expect(arrivals.length).toBeGreaterThan(0);
    await clock.advance(2);
    expect(arrivals.reduce((n, a) => n + a.bytes.length, 0)).toBe(336);
    expect(arrivals.at(-1)?.at).toBeCloseTo(250, 6);
  });

  it('passes bytes straight through when unlimited', async () => {
    const { clock, line, arrivals } = paced('unlimited', 'downstream');
    line.write(new Uint8Array([1, 2, 3]));
    await clock.settle();
    expect(arrivals).toEqual([{ at: 0, bytes: [1, 2, 3] }]);
  });

  it('keeps its own copy of written bytes and stops on close', async () => {
    const { clock, line, arrivals } = paced('v34', 'downstream');
    const buf = new Uint8Array([9, 9, 9]);
    line.write(buf);
    buf.fill(0);
    await clock.advance(10);
    expect(arrivals.flatMap((a) => a.bytes)).toEqual([9, 9, 9]);
    line.write(new Uint8Array(1000));
    line.close();
    await clock.advance(1000);
    expect(arrivals.flatMap((a) => a.bytes)).toHaveLength(3);
    expect(clock.pendingTimers).toBe(0);
  });
});
