import { describe, expect, it } from 'vitest';
import { boundsOf, PITCH_LIMIT, project, rotate } from './projection.js';

const bounds = boundsOf([{ x: 0, y: 0, z: 0 }, { x: 10, y: 10, z: 10 }]);
const front = { yaw: 0, pitch: 0, distance: 2 };

describe('projection', () => {
  it('puts the centre of the bounds at the centre of the screen', () => {
    const p = project({ x: 5, y: 5, z: 5 }, bounds, front, 200, 100);
    expect(p.sx).toBeCloseTo(100);
    expect(p.sy).toBeCloseTo(50);
  });

  it('maps +x to the right and +y upwards when looking straight on', () => {
    const right = project({ x: 10, y: 5, z: 5 }, bounds, front, 200, 200);
    const up = project({ x: 5, y: 10, z: 5 }, bounds, front, 200, 200);
    expect(right.sx).toBeGreaterThan(100);
    expect(up.sy).toBeLessThan(100);
  });

  it('turning by 90° brings +z to where +x was', () => {
    const turned = project({ x: 5, y: 5, z: 10 }, bounds, { ...front, yaw: Math.PI / 2 }, 200, 200);
    const straight = project({ x: 10, y: 5, z: 5 }, bounds, front, 200, 200);
    expect(turned.sx).toBeCloseTo(straight.sx);
  });

  it('draws nearer points larger (perspective)', () => {
    const near = project({ x: 5, y: 5, z: 0 }, bounds, front, 200, 200);
    const far = project({ x: 5, y: 5, z: 10 }, bounds, front, 200, 200);
    expect(near.scale).toBeGreaterThan(far.scale);
    expect(near.depth).toBeLessThan(far.depth);
  });

  it('clamps pitch so dragging never flips the view', () => {
    expect(rotate(front, 0, 10_000).pitch).toBe(PITCH_LIMIT);
    expect(rotate(front, 0, -10_000).pitch).toBe(-PITCH_LIMIT);
    expect(rotate(front, 100, 0).yaw).toBeCloseTo(1);
  });

  it('gives a unit box for no points and spans single points', () => {
    expect(boundsOf([])).toEqual({ min: [0, 0, 0], max: [1, 1, 1] });
    const one = boundsOf([{ x: 3, y: 4, z: 5 }]);
    const p = project({ x: 3, y: 4, z: 5 }, one, front, 100, 100);
    expect(Number.isFinite(p.sx) && Number.isFinite(p.sy)).toBe(true);
  });
});

describe('boundsOf padding', () => {
  it('grows the box by the pad on every side', () => {
    expect(boundsOf([{ x: 1, y: 2, z: 3 }], 1)).toEqual({ min: [0, 1, 2], max: [2, 3, 4] });
  });
});
