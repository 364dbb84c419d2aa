import { HASH_BYTES } from './LedgerEntry.js';
import { equalBytes } from './Ledger.js';
import { sha256Bytes, sha256Into } from './Sha256.js';

/**
 * RFC 6962 Merkle tree hashing over cells: leaf = SHA-256(0x00 || x u16 || y u16 || z u16 || value f64),
 * node = SHA-256(0x01 || left || right), empty tree = SHA-256(""). Everything in this file is
 * standalone so a client can check a proof with nothing but SHA-256.
 */
export const CELL_LEAF_BYTES = 14;

export interface InclusionProof {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly value: number;
  /** Position of the cell among the active cells in Morton order. */
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Sibling hashes from the leaf upward (RFC 9162 inclusion path). */
  readonly path: readonly Uint8Array[];
  readonly root: Uint8Array;
}

export function cellLeafBytes(x: number, y: number, z: number, value: number): Uint8Array {
  const out = new Uint8Array(1 + CELL_LEAF_BYTES);
  const view = new DataView(out.buffer);
  view.setUint8(0, 0x00);
  view.setUint16(1, x);
  view.setUint16(3, y);
  view.setUint16(5, z);
  view.setFloat64(7, value);
  return out;
}

/** The 32-byte leaf hash BLOCK_GET returns for an active cell. */
export function cellLeafHash(x: number, y: number, z: number, value: number): Uint8Array {
  return sha256Bytes(cellLeafBytes(x, y, z, value));
}

export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(HASH_BYTES);
  nodeHashInto(left, right, out, 0);
  return out;
}

const NODE_INPUT = new Uint8Array(1 + 2 * HASH_BYTES);
NODE_INPUT[0] = 0x01;

/** SHA-256(0x01 || left || right) into out[offset ..]; `left`/`right` may alias `out`. */
function nodeHashInto(left: Uint8Array, right: Uint8Array, out: Uint8Array, offset: number): void {
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + HASH_BYTES);
  sha256Into(NODE_INPUT, out, offset);
}

export const EMPTY_TREE_ROOT: Uint8Array = sha256Bytes(new Uint8Array(0));

/** RFC 9162 §2.1.3.2: recomputes the root from a leaf hash and its inclusion path. */
export function rootFromInclusionPath(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  path: readonly Uint8Array[],
): Uint8Array | null {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) {
    return null;
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0 || p.length !== HASH_BYTES) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** What a client runs on a proof from the core: true only if the cell is in the tree with that root. */
export function verifyInclusionProof(proof: InclusionProof, expectedRoot: Uint8Array = proof.root): boolean {
  if (!Number.isFinite(proof.value)) return false;
  const leaf = cellLeafHash(proof.x, proof.y, proof.z, proof.value);
  const root = rootFromInclusionPath(leaf, proof.leafIndex, proof.treeSize, proof.path);
  return root !== null && equalBytes(root, expectedRoot) && equalBytes(root, proof.root);
}

/**
 * Levels of the tree, leaves first, each a packed run of 32-byte hashes. An odd last node is
 * carried up unchanged, which yields exactly RFC 6962's split at the largest power of two.
 */
export class MerkleLevels {
  private readonly levels: Uint8Array[];

  constructor(leaves: Uint8Array, readonly size: number) {
    this.levels = [leaves];
    let current = leaves;
    let n = size;
    while (n > 1) {
      const next = new Uint8Array(Math.ceil(n / 2) * HASH_BYTES);
      for (let i = 0; i + 1 < n; i += 2) nodeHashInto(hashAt(current, i), hashAt(current, i + 1), next, (i / 2) * HASH_BYTES);
      if (n % 2 === 1) next.set(hashAt(current, n - 1), ((n - 1) / 2) * HASH_BYTES);
      this.levels.push(next);
      current = next;
      n = Math.ceil(n / 2);
    }
  }

  /** Replaces one leaf and rehashes its path to the root: O(log n). */
  updateLeaf(leafIndex: number, leafHash: Uint8Array): void {
    let m = leafIndex;
    let n = this.size;
    this.levels[0]!.set(leafHash, m * HASH_BYTES);
    for (let level = 0; n > 1; level++) {
      const packed = this.levels[level]!;
      const above = this.levels[level + 1]!;
      const left = m & ~1;
      const parent = m >>> 1;
      if (left + 1 < n) nodeHashInto(hashAt(packed, left), hashAt(packed, left + 1), above, parent * HASH_BYTES);
      else above.set(hashAt(packed, left), parent * HASH_BYTES);
      m = parent;
      n = Math.ceil(n / 2);
    }
  }

  root(): Uint8Array {
    if (this.size === 0) return EMPTY_TREE_ROOT.slice();
    return hashAt(this.levels[this.levels.length - 1]!, 0).slice();
  }

  path(leafIndex: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let m = leafIndex;
    let n = this.size;
    for (let level = 0; n > 1; level++) {
      const sibling = m ^ 1;
      if (sibling < n) out.push(hashAt(this.levels[level]!, sibling).slice());
      m >>>= 1;
      n = Math.ceil(n / 2);
    }
    return out;
  }
}

function hashAt(packed: Uint8Array, i: number): Uint8Array {
  return packed.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
}
