import type { BlockArray } from '../block/BlockArray.js';
import { mortonEncode, mortonX, mortonY, mortonZ } from '../block/Morton.js';
import { CoreError } from '../errors/CoreError.js';
import { HASH_BYTES } from './LedgerEntry.js';
import { MerkleLevels, cellLeafHash, type InclusionProof } from './Merkle.js';
import { sha256Into } from './Sha256.js';

/** Past this share of changed leaves a full rebuild is cheaper than path updates. */
const PATH_UPDATE_LIMIT = 1 / 16;

/**
 * The Merkle tree over one array's active cells in Morton order. Writes never hash: the tree
 * is brought up to date when a root or proof is asked for. A value change of an active cell
 * costs one leaf and its path (O(log n)); activating or deactivating cells shifts leaf
 * positions, so the next root rebuilds the tree (O(n)).
 */
export class CellMerkle {
  private cached: MerkleLevels | null = null;
  /** Leaf order of `cached`: the array's sorted keys when it was built. */
  private keys: Uint32Array = new Uint32Array(0);
  private readonly dirty = new Set<number>();
  private stale = true;
  private readonly unwatch: () => void;

  constructor(private readonly array: BlockArray) {
    this.unwatch = array.watch({
      valueChanged: (key) => {
        if (this.stale) return;
        this.dirty.add(key);
        if (this.dirty.size > Math.max(64, this.keys.length * PATH_UPDATE_LIMIT)) this.markStale();
      },
      structureChanged: () => this.markStale(),
    });
  }

  root(): Uint8Array {
    return this.levels().root();
  }

  proof(x: number, y: number, z: number): InclusionProof {
    const cell = this.array.getCell(x, y, z);
    if (cell === undefined) throw new CoreError('NOT_FOUND', `cell (${x}, ${y}, ${z}) is not active`);
    const levels = this.levels();
    const leafIndex = indexOfKey(this.keys, mortonEncode(x, y, z));
    return { x, y, z, value: cell.value, leafIndex, treeSize: levels.size, path: levels.path(leafIndex), root: levels.root() };
  }

  /** Stops following the array (when the array is dropped). */
  dispose(): void {
    this.unwatch();
  }

  private markStale(): void {
    this.stale = true;
    this.dirty.clear();
  }

  private levels(): MerkleLevels {
    if (this.stale || this.cached === null) return this.rebuild();
    for (const key of this.dirty) {
      const [x, y, z] = [mortonX(key), mortonY(key), mortonZ(key)];
      this.cached.updateLeaf(indexOfKey(this.keys, key), cellLeafHash(x, y, z, this.array.get(x, y, z)!));
    }
    this.dirty.clear();
    return this.cached;
  }

  private rebuild(): MerkleLevels {
    this.keys = this.array.mortonKeys();
    const leaves = new Uint8Array(this.keys.length * HASH_BYTES);
    const buf = new Uint8Array(15);
    const view = new DataView(buf.buffer);
    let i = 0;
    this.array.forEach((x, y, z, value) => {
      view.setUint16(1, x);
      view.setUint16(3, y);
      view.setUint16(5, z);
      view.setFloat64(7, value);
      sha256Into(buf, leaves, i * HASH_BYTES);
      i++;
    });
    this.cached = new MerkleLevels(leaves, this.keys.length);
    this.stale = false;
    this.dirty.clear();
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
