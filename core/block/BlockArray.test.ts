import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors/CoreError.js';
import { BlockArray } from './BlockArray.js';
import { BlockTemplate } from './BlockTemplate.js';
import { mortonEncode } from './Morton.js';

const clock = () => 1000;
const dims = { x: 1000, y: 1000, z: 1000 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isCoreError(e) ? e.code : 'OTHER';
  }
  return undefined;
}

describe('BlockArray', () => {
  it('get, set, has, activate, deactivate', () => {
    const a = new BlockArray(dims, { clock });
    expect(a.get(1, 2, 3)).toBeUndefined();
    a.set(1, 2, 3, 4.5);
    a.activate(999, 999, 999, 7, 42);
    expect(a.get(1, 2, 3)).toBe(4.5);
    expect(a.getCell(999, 999, 999)).toEqual({ x: 999, y: 999, z: 999, value: 7, timestamp: 42 });
    expect(a.getCell(1, 2, 3)?.timestamp).toBe(1000);
    expect(a.has(1, 2, 3)).toBe(true);
    expect(a.size).toBe(2);
    expect(a.deactivate(1, 2, 3)).toBe(true);
    expect(a.deactivate(1, 2, 3)).toBe(false);
    expect(a.has(1, 2, 3)).toBe(false);
    expect(a.size).toBe(1);
  });

  it('rejects bad input with typed errors and changes nothing', () => {
    const a = new BlockArray({ x: 10, y: 10, z: 10 }, { clock });
    expect(codeOf(() => a.set(10, 0, 0, 1))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => a.set(-1, 0, 0, 1))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => a.set(1.5, 0, 0, 1))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => a.set(0, 0, 0, Number.NaN))).toBe('BAD_VALUE');
    expect(codeOf(() => a.set(0, 0, 0, Number.POSITIVE_INFINITY))).toBe('BAD_VALUE');
    expect(codeOf(() => a.set(0, 0, 0, 1, -5))).toBe('BAD_VALUE');
    expect(codeOf(() => a.get(0, 0, Number.NaN))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => new BlockArray({ x: 1025, y: 1, z: 1 }))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => new BlockArray({ x: 0, y: 1, z: 1 }))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => a.planeActivate('w' as 'x', 0, 1))).toBe('BAD_VALUE');
    expect(codeOf(() => a.planeActivate('x', 10, 1))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => a.neighbours(0, 0, 0, [[3, 0, 0]]))).toBe('BAD_VALUE');
    expect(a.size).toBe(0);
    expect(a.version).toBe(0);
  });

  it('keeps -0 as +0 wherever a value enters: set, plane activate, plane process', () => {
    const a = new BlockArray({ x: 4, y: 4, z: 4 }, { clock });
    a.set(1, 1, 1, -0);
    expect(Object.is(a.get(1, 1, 1), 0)).toBe(true);
    a.planeActivate('z', 2, -0);
    expect(Object.is(a.get(3, 3, 2), 0)).toBe(true);
    a.planeProcess('z', 2, () => -0);
    expect(Object.is(a.get(0, 1, 2), 0)).toBe(true);
    const seen: number[] = [];
    a.forEach((_x, _y, _z, v) => seen.push(v));
    expect(seen.some((v) => Object.is(v, -0))).toBe(false);
  });

  it('neighbours with 6, 26 and custom adjacency, clipped at the border', () => {
    const a = new BlockArray({ x: 5, y: 5, z: 5 }, { clock });
    for (let z = 0; z < 5; z++) for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) a.set(x, y, z, x + 10 * y + 100 * z);
    expect(a.neighbours(2, 2, 2, 6)).toHaveLength(6);
    expect(a.neighbours(2, 2, 2, 26)).toHaveLength(26);
    expect(a.neighbours(0, 0, 0, 6)).toHaveLength(3);
    expect(a.neighbours(0, 0, 0, 26)).toHaveLength(7);
    const custom = a.neighbours(2, 2, 2, [[2, 0, 0], [0, 0, -2]]);
    expect(custom.map((c) => c.value)).toEqual([4 + 20 + 200, 2 + 20]);
    a.deactivate(3, 2, 2);
    expect(a.neighbours(2, 2, 2, 6)).toHaveLength(5);
  });

  it('box queries match brute force, on both the probe and the BIGMIN walk paths', () => {
    const a = new BlockArray({ x: 64, y: 64, z: 64 }, { clock });
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
    const cells: [number, number, number][] = [];
    for (let i = 0; i < 3000; i++) {
      const c: [number, number, number] = [rand(64), rand(64), rand(64)];
      a.set(c[0], c[1], c[2], i);
      cells.push(c);
    }
    const boxes = [
      { x0: 3, y0: 5, z0: 7, x1: 9, y1: 11, z1: 13 }, // small: probed
      { x0: 0, y0: 10, z0: 20, x1: 63, y1: 40, z1: 50 }, // large: walked
      { x0: 63, y0: 63, z0: 63, x1: 63, y1: 63, z1: 63 },
    ];
    for (const box of boxes) {
      const expected = new Set<string>();
      a.forEach((x, y, z) => {
        if (x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1 && z >= box.z0 && z <= box.z1) expected.add(`${x},${y},${z}`);
      });
      const got = a.region(box).map((c) => `${c.x},${c.y},${c.z}`);
      expect(new Set(got)).toEqual(expected);
      expect(got.length).toBe(expected.size);
    }
    expect(() => a.region({ x0: 5, y0: 0, z0: 0, x1: 4, y1: 1, z1: 1 })).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
  });

  it('iterates in Morton order', () => {
    const a = new BlockArray({ x: 4, y: 4, z: 4 }, { clock });
    a.set(1, 1, 1, 0);
    a.set(0, 0, 0, 0);
    a.set(1, 0, 0, 0);
    a.set(0, 1, 0, 0);
    const seen: string[] = [];
    a.forEach((x, y, z) => seen.push(`${x}${y}${z}`));
    expect(seen).toEqual(['000', '100', '010', '111']);
  });

  it('plane activate, process, deactivate and sync over full 1000×1000 slices', () => {
    const a = new BlockArray(dims, { clock });
    expect(a.planeActivate('z', 5, 1)).toBe(1_000_000);
    expect(a.size).toBe(1_000_000);
    expect(a.get(999, 0, 5)).toBe(1);
    expect(a.planeProcess('z', 5, (v, x) => v + x)).toBe(1_000_000);
    expect(a.get(999, 0, 5)).toBe(1000);
    expect(a.planeSync('z', 5, 6)).toBe(1_000_000);
    expect(a.get(10, 20, 6)).toBe(11);
    expect(a.planeDeactivate('z', 5)).toBe(1_000_000);
    expect(a.size).toBe(1_000_000);
    expect(a.has(10, 20, 5)).toBe(false);
  });

  it('slice keys are the same whether the slice is probed or the cells are scanned', () => {
    const sparse = new BlockArray({ x: 40, y: 40, z: 40 }, { clock });
    const dense = new BlockArray({ x: 40, y: 40, z: 40 }, { clock });
    for (let i = 0; i < 2000; i++) dense.set(i % 40, Math.floor(i / 40) % 40, Math.floor(i / 1600), 0); // fills z = 0 and part of z = 1
    for (const a of [sparse, dense]) for (let i = 0; i < 300; i++) a.set((i * 7) % 40, (i * 11) % 40, (i * 13) % 40, i);
    for (const axis of ['x', 'y', 'z'] as const) {
      for (const index of [0, 1, 13]) {
        for (const a of [sparse, dense]) {
          const expected: number[] = [];
          a.forEach((x, y, z) => {
            if ({ x, y, z }[axis] === index) expected.push(mortonEncode(x, y, z));
          });
          expect([...a.planeMortonKeys(axis, index)]).toEqual(expected);
        }
      }
    }
  });

  it('plane process is all-or-nothing', () => {
    const a = new BlockArray({ x: 10, y: 10, z: 10 }, { clock });
    a.planeActivate('y', 3, 2);
    expect(() => a.planeProcess('y', 3, (v, x) => (x === 9 ? Number.NaN : v * 2))).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    expect(a.get(0, 3, 0)).toBe(2);
  });

  it('plane sync into another array and across axes', () => {
    const a = new BlockArray({ x: 8, y: 8, z: 8 }, { clock });
    const b = new BlockArray({ x: 8, y: 3, z: 8 }, { clock });
    a.set(1, 4, 2, 9);
    b.set(5, 1, 1, 3); // must be cleared: inactive in the source slice
    b.set(5, 2, 1, 3); // another slice: untouched
    expect(a.planeSync('y', 4, 1, b)).toBe(1);
    expect(b.get(1, 1, 2)).toBe(9);
    expect(b.has(5, 1, 1)).toBe(false);
    expect(b.get(5, 2, 1)).toBe(3);
    expect(() => a.planeSync('x', 0, 0, b)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
  });
});

describe('BlockTemplate', () => {
  it('instances share until written and are independent after', () => {
    const base = new BlockArray({ x: 16, y: 16, z: 16 }, { clock });
    base.set(1, 1, 1, 1);
    const template = BlockTemplate.from(base);
    const i1 = template.instantiate(clock);
    const i2 = template.instantiate(clock);
    expect(i1.ownedBytes).toBe(0);
    expect(i1.get(1, 1, 1)).toBe(1);
    i1.set(2, 2, 2, 2);
    i2.deactivate(1, 1, 1);
    base.set(1, 1, 1, 100);
    expect(i1.ownedBytes).toBeGreaterThan(0);
    expect(i1.get(1, 1, 1)).toBe(1);
    expect(i1.get(2, 2, 2)).toBe(2);
    expect(i2.size).toBe(0);
    expect(template.instantiate().get(1, 1, 1)).toBe(1);
    expect(template.size).toBe(1);
  });
});
