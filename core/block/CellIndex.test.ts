import { describe, expect, it } from 'vitest';
import { CellIndex } from './CellIndex.js';

describe('CellIndex', () => {
  it('agrees with a Map under random puts and removes (exercises backward-shift deletion)', () => {
    const index = new CellIndex();
    const model = new Map<number, number>();
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 4096);
    for (let step = 0; step < 50_000; step++) {
      const key = rand() * 7919 % (2 ** 30);
      if (rand() % 3 === 0) {
        expect(index.remove(key)).toBe(model.delete(key));
      } else {
        index.put(key, step, step);
        model.set(key, step);
      }
    }
    expect(index.size).toBe(model.size);
    for (const [k, v] of model) expect(index.valueAt(index.find(k))).toBe(v);
    const sorted = [...model.keys()].sort((a, b) => a - b);
    expect([...index.sortedKeys()]).toEqual(sorted);
    for (let k = 0; k < 4096 * 7919; k += 7919 * 13) {
      if (!model.has(k)) expect(index.find(k)).toBe(-1);
    }
  });

  it('clone is independent', () => {
    const a = new CellIndex();
    a.put(1, 1, 0);
    const b = a.clone();
    b.put(2, 2, 0);
    a.remove(1);
    expect(a.size).toBe(0);
    expect(b.size).toBe(2);
    expect(b.valueAt(b.find(1))).toBe(1);
  });
});
