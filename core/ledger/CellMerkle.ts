import { sha256 } from '@noble/hashes/sha2.js';
import type { BlockArray } from '../block/BlockArray.js';
import { mortonEncode } from '../block/Morton.js';
import { CoreError } from '../errors/CoreError.js';
import { HASH_BYTES } from './LedgerEntry.js';
import { MerkleLevels, type InclusionProof } from './Merkle.js';

/**
 * The Merkle tree over one array's active cells in Morton order, built on demand and cached
 * until the array changes: writes never pay for hashing, only the first root or proof after them.
 */
export class CellMerkle {
  private cached: MerkleLevels | null = null;
  private cachedVersion = -1;

  constructor(private readonly array: BlockArray) {}

  root(): Uint8Array {
    return this.levels().root();
  }

  proof(x: number, y: number, z: number): InclusionProof {
    const cell = this.array.getCell(x, y, z);
    if (cell === undefined) throw new CoreError('NOT_FOUND', `cell (${x}, ${y}, ${z}) is not active`);
    const levels = this.levels();
    const keys = this.array.mortonKeys();
    const leafIndex = indexOfKey(keys, mortonEncode(x, y, z));
    return {
      x,
      y,
      z,
      value: cell.value,
      leafIndex,
      treeSize: levels.size,
      path: levels.path(leafIndex),
      root: levels.root(),
    };
  }

  private levels(): MerkleLevels {
    if (this.cached && this.cachedVersion === this.array.version) return this.cached;
    const n = this.array.size;
    const leaves = new Uint8Array(n * HASH_BYTES);
    const buf = new Uint8Array(15);
    const view = new DataView(buf.buffer);
    let i = 0;
    this.array.forEach((x, y, z, value) => {
      view.setUint16(1, x);
      view.setUint16(3, y);
      view.setUint16(5, z);
      view.setFloat64(7, value);
      leaves.set(sha256(buf), i * HASH_BYTES);
      i++;
    });
    this.cached = new MerkleLevels(leaves, n);
    this.cachedVersion = this.array.version;
    return this.cached;
  }
}

function indexOfKey(keys: Uint32Array, key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
