import { describe, expect, it } from 'vitest';
import { RateMeter } from './RateMeter.js';

describe('RateMeter', () => {
  it('reports the per-second rate between samples, 0 first and after a counter reset', () => {
    const meter = new RateMeter();
    expect(meter.sample(100, 1_000)).toBe(0);
    expect(meter.sample(300, 1_500)).toBe(400);
    expect(meter.sample(10, 2_500)).toBe(0);
    expect(meter.sample(20, 3_500)).toBe(10);
  });
});
