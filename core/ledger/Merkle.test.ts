import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { BlockArray } from '../block/BlockArray.js';
import { CellMerkle } from './CellMerkle.js';
import { EMPTY_TREE_ROOT, cellLeafHash, merkleNodeHash, verifyInclusionProof } from './Merkle.js';

/** RFC 6962 MTH written directly from the definition, as the reference. */
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return merkleNodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('Merkle over cells', () => {
  it('root equals the RFC 6962 definition for sizes 0..20', () => {
    for (let n = 0; n <= 20; n++) {
      const a = new BlockArray({ x: 32, y: 32, z: 32 }, { clock: () => 0 });
      for (let i = 0; i < n; i++) a.set(i, (i * 7) % 32, (i * 3) % 32, i / 3);
      const leaves: Uint8Array[] = [];
      a.forEach((x, y, z, v) => leaves.push(cellLeafHash(x, y, z, v)));
      expect(new CellMerkle(a).root()).toEqual(mth(leaves));
    }
    expect(new CellMerkle(new BlockArray({ x: 1, y: 1, z: 1 })).root()).toEqual(EMPTY_TREE_ROOT);
  });

  it('leaf hash uses the 0x00 prefix and documented bytes', () => {
    const bytes = new Uint8Array([0x00, 0, 1, 0, 2, 0, 3, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]);
    expect(cellLeafHash(1, 2, 3, Math.PI)).toEqual(sha256(bytes));
  });

  it('every inclusion proof verifies; altered proofs do not', () => {
    for (const n of [1, 2, 3, 5, 8, 13, 64, 100]) {
      const a = new BlockArray({ x: 128, y: 128, z: 128 }, { clock: () => 0 });
      for (let i = 0; i < n; i++) a.set(i, 127 - i, i % 5, i * 1.25);
      const merkle = new CellMerkle(a);
      const root = merkle.root();
      for (let i = 0; i < n; i++) {
        const proof = merkle.proof(i, 127 - i, i % 5);
        expect(verifyInclusionProof(proof, root)).toBe(true);
        expect(verifyInclusionProof({ ...proof, value: proof.value + 1 }, root)).toBe(false);
        if (n > 1) {
          expect(verifyInclusionProof({ ...proof, leafIndex: (proof.leafIndex + 1) % n }, root)).toBe(false);
          expect(verifyInclusionProof({ ...proof, path: proof.path.slice(1) }, root)).toBe(false);
        }
      }
    }
  });

  it('the cached root follows changes; proof of an inactive cell is NOT_FOUND', () => {
    const a = new BlockArray({ x: 8, y: 8, z: 8 }, { clock: () => 0 });
    a.set(1, 1, 1, 1);
    const merkle = new CellMerkle(a);
    const r1 = merkle.root();
    a.set(1, 1, 1, 2);
    expect(merkle.root()).not.toEqual(r1);
    a.set(1, 1, 1, 1);
    expect(merkle.root()).toEqual(r1);
    expect(() => merkle.proof(2, 2, 2)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('incremental Merkle updates', () => {
  it('value changes update paths and match a fresh build; structure changes rebuild', () => {
    const a = new BlockArray({ x: 64, y: 64, z: 64 }, { clock: () => 0 });
    for (let i = 0; i < 300; i++) a.set(i % 64, (i * 7) % 64, (i * 13) % 64, i);
    const incremental = new CellMerkle(a);
    incremental.root();
    for (let round = 0; round < 5; round++) {
      for (let i = round; i < 300; i += 37) a.set(i % 64, (i * 7) % 64, (i * 13) % 64, i * 10 + round);
      expect(incremental.root()).toEqual(new CellMerkle(a).root());
      const p = incremental.proof(round, (round * 7) % 64, (round * 13) % 64);
      expect(verifyInclusionProof(p, new CellMerkle(a).root())).toBe(true);
    }
    a.set(63, 63, 63, 1);
    expect(incremental.root()).toEqual(new CellMerkle(a).root());
    a.deactivate(0, 0, 0);
    expect(incremental.root()).toEqual(new CellMerkle(a).root());
    a.planeProcess('x', 5, (v) => v + 1);
    expect(incremental.root()).toEqual(new CellMerkle(a).root());
  });
});
