import { describe, expect, it } from 'vitest';
import { LeafHashMemo } from './LeafHashMemo.js';
import { cellLeafHash } from './Merkle.js';

describe('LeafHashMemo', () => {
  it('answers the leaf hash of what was asked, hit or miss, also when cells share a slot or a value changes', () => {
    // One slot: every cell collides, so each question evicts the last.
    for (const memo of [new LeafHashMemo(1), new LeafHashMemo(4), new LeafHashMemo()]) {
      const asks: [number, number, number, number][] = [
        [1, 2, 3, 4.5], [1, 2, 3, 4.5], [1, 2, 3, 5], [1, 2, 3, 4.5], [999, 999, 999, -0.25], [0, 0, 0, 0], [1, 2, 3, 4.5], [0, 0, 0, 1e-300],
      ];
      for (const [x, y, z, v] of asks) expect(memo.hash(x, y, z, v)).toEqual(cellLeafHash(x, y, z, v));
    }
  });

  it('gives each caller its own array: changing one does not change the next answer', () => {
    const memo = new LeafHashMemo();
    const first = memo.hash(7, 8, 9, 1);
    first.fill(0);
    expect(memo.hash(7, 8, 9, 1)).toEqual(cellLeafHash(7, 8, 9, 1));
  });

  it('refuses a slot count that is not a power of two', () => {
    expect(() => new LeafHashMemo(3)).toThrow(RangeError);
  });
});
