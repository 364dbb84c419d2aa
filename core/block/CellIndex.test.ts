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
        index.put(key, step, step * 1000);
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

describe('CellIndex timestamps and sizing', () => {
  it('keeps exact timestamps, switching to wide storage when one does not fit 32 bits', () => {
    const index = new CellIndex();
    index.put(1, 1, 1_700_000_000_000);
    index.put(2, 2, 1_700_000_000_123);
    expect(index.byteLength).toBe(16 * 16);
    index.put(3, 3, 5);
    index.put(4, 4, 1.5);
    expect(index.stampAt(index.find(1))).toBe(1_700_000_000_000);
    expect(index.stampAt(index.find(2))).toBe(1_700_000_000_123);
    expect(index.stampAt(index.find(3))).toBe(5);
    expect(index.stampAt(index.find(4))).toBe(1.5);
    expect(index.byteLength).toBe(24 * 16);
  });

  it('grows past many resizes and compacts to ~85% load', () => {
    const index = new CellIndex();
    for (let k = 0; k < 100_000; k++) index.put(k * 3, k, k);
    expect(index.size).toBe(100_000);
    for (let k = 0; k < 100_000; k += 97) expect(index.valueAt(index.find(k * 3))).toBe(k);
    index.compact();
    expect(index.byteLength).toBeLessThan((100_000 / 0.84) * 16);
    let wrong = 0;
    for (let k = 0; k < 100_000; k++) if (index.stampAt(index.find(k * 3)) !== k) wrong++;
    expect(wrong).toBe(0);
    expect(index.find(1)).toBe(-1);
  });
});

describe('CellIndex rehashing', () => {
  it('random 30-bit keys survive growth, deletions and compaction', () => {
    const index = new CellIndex();
    const model = new Map<number, number>();
    let seed = 99;
    const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    for (let i = 0; i < 120_000; i++) {
      const key = rand() & 0x3fffffff;
      index.put(key, i, i);
      model.set(key, i);
      if (i % 3 === 0) {
        const victim = rand() & 0x3fffffff;
        expect(index.remove(victim)).toBe(model.delete(victim));
      }
      if (i % 40_000 === 39_999) {
        for (const k of [...model.keys()].slice(0, model.size / 2)) {
          index.remove(k);
          model.delete(k);
        }
        index.compact();
      }
    }
    let wrong = 0;
    for (const [k, v] of model) if (index.valueAt(index.find(k)) !== v) wrong++;
    for (let i = 0; i < 10_000; i++) {
      const k = rand() & 0x3fffffff;
      if (!model.has(k) && index.find(k) !== -1) wrong++;
    }
    expect(wrong).toBe(0);
    expect(index.size).toBe(model.size);
    expect(index.sortedKeys().length).toBe(model.size);
  });
});
