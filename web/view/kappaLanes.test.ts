import { describe, expect, it } from 'vitest';
import { laneLayout, laneScale, MIN_SPAN, vertexSpread } from './kappaLanes.js';

describe('the κ plot\'s lanes', () => {
  it('reads CENTRAL (vertex 8) and the range of the 8 corners from a cube\'s vertexKappa', () => {
    expect(vertexSpread([0.31, 0.9, 0.6, 0.6, 0.45, 0.6, 0.6, 0.77, 0.52])).toEqual({ central: 0.52, low: 0.31, high: 0.9 });
    expect(vertexSpread(undefined)).toEqual({});
    expect(vertexSpread([])).toEqual({});
  });

  it('gives each lane a scale that holds everything it draws', () => {
    const { lo, hi } = laneScale([{ t: 0, kappa: 0.6, central: 0.52, low: 0.31, high: 0.9 }, { t: 1, kappa: 0.61 }]);
    expect(lo).toBeLessThan(0.31);
    expect(hi).toBeGreaterThan(0.9);
    expect(hi - lo).toBeLessThan(0.7);
    // κ lives in [0, 1]: the scale never promises more.
    expect(laneScale([{ t: 0, kappa: 0.99, low: 0.2, high: 1 }])).toMatchObject({ hi: 1 });
    expect(laneScale([{ t: 0, kappa: 0, low: 0, high: 0 }])).toEqual({ lo: 0, hi: MIN_SPAN });
  });

  it('zooms a still κ to MIN_SPAN around it, so 0.600 draws as a level line mid-lane, not on an edge', () => {
    const { lo, hi } = laneScale([{ t: 0, kappa: 0.6, central: 0.6, low: 0.6, high: 0.6 }]);
    expect(hi - lo).toBeCloseTo(MIN_SPAN, 12);
    expect((lo + hi) / 2).toBeCloseTo(0.6, 12);
    // A thousandth of movement is then a twentieth of the lane's height: visible.
    const moved = laneScale([{ t: 0, kappa: 0.6 }, { t: 1, kappa: 0.601 }]);
    expect(0.001 / (moved.hi - moved.lo)).toBeGreaterThan(0.04);
  });

  it('lays one lane per cube, apart, and counts the cubes that do not fit', () => {
    const two = laneLayout(2, 2, 236, 6, 46);
    expect(two.hidden).toBe(0);
    expect(two.lanes).toHaveLength(2);
    expect(two.lanes[0]!.bottom + 6).toBeCloseTo(two.lanes[1]!.top, 9);
    expect(two.lanes[1]!.bottom).toBeCloseTo(236, 9);
    const many = laneLayout(16, 2, 236, 6, 46);
    expect(many.lanes.length + many.hidden).toBe(16);
    for (const lane of many.lanes) expect(lane.bottom - lane.top).toBeGreaterThanOrEqual(46);
    expect(laneLayout(0, 0, 100, 6, 46)).toEqual({ lanes: [], hidden: 0 });
  });
});
