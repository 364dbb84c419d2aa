import { describe, expect, it } from 'vitest';
import { RtoEstimator } from './RtoEstimator.js';

describe('RtoEstimator', () => {
  it('follows RFC 6298 for the first and later samples', () => {
    const rto = new RtoEstimator(1000, 10, 60_000);
    expect(rto.rto).toBe(1000);
    rto.sample(100);
    expect(rto.srtt).toBe(100);
    expect(rto.rttvar).toBe(50);
    expect(rto.rto).toBe(300);
    rto.sample(200);
    expect(rto.rttvar).toBeCloseTo(0.75 * 50 + 0.25 * 100);
    expect(rto.srtt).toBeCloseTo(0.875 * 100 + 0.125 * 200);
    expect(rto.rto).toBeCloseTo(112.5 + 4 * 62.5);
  });

  it('clamps to min and max and backs off exponentially', () => {
    const rto = new RtoEstimator(1000, 200, 5000);
    rto.sample(1);
    expect(rto.rto).toBe(200);
    expect([0, 1, 2, 3, 4, 5].map((n) => rto.backedOff(n))).toEqual([200, 400, 800, 1600, 3200, 5000]);
    expect(() => new RtoEstimator(1, 0, 10)).toThrow(RangeError);
  });

  it('backs off requests sent after an expiry until the next sample', () => {
    const rto = new RtoEstimator(1000, 100, 60_000);
    rto.expired(0);
    rto.expired(0);
    expect(rto.backedOff(0)).toBe(2000);
    rto.expired(1);
    expect(rto.backedOff(0)).toBe(4000);
    expect(rto.backedOff(3)).toBe(8000);
    rto.sample(100);
    expect(rto.backedOff(0)).toBe(300);
  });
});
