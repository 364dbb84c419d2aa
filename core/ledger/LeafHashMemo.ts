import { mortonEncode } from '../block/Morton.js';
import { HASH_BYTES } from './LedgerEntry.js';
import { cellLeafHash } from './Merkle.js';

/** Slots unless told otherwise: 4,096 × 44 bytes ≈ 180 KB. */
const DEFAULT_SLOTS = 4096;

/**
 * The leaf hashes of the cells read last, so that reading a cell again (BLOCK_GET of a cell an
 * agent polls, a page redrawing) costs no SHA-256: about 1 µs of a 5 µs request (issue 16).
 * Direct-mapped by Morton code: a slot holds one (cell, value) and its hash; a different value
 * or another cell in the slot is a miss, so the answer is always the hash of what was asked.
 */
export class LeafHashMemo {
  private readonly keys: Int32Array;
  private readonly values: Float64Array;
  private readonly hashes: Uint8Array;
  private readonly shift: number;

  constructor(slots = DEFAULT_SLOTS) {
    if (!Number.isInteger(Math.log2(slots)) || slots < 1 || slots > 1 << 20) throw new RangeError(`slots ${slots} is not a power of two up to 2^20`);
    this.keys = new Int32Array(slots).fill(-1);
    this.values = new Float64Array(slots);
    this.hashes = new Uint8Array(slots * HASH_BYTES);
    this.shift = 32 - Math.log2(slots);
  }

  /** cellLeafHash(x, y, z, value), as a fresh array the caller may keep. */
  hash(x: number, y: number, z: number, value: number): Uint8Array {
    const key = mortonEncode(x, y, z);
    // Fibonacci hashing: neighbouring cells (close Morton codes) land in different slots.
    const slot = this.shift === 32 ? 0 : Math.imul(key, 0x9e3779b1) >>> this.shift;
    const at = slot * HASH_BYTES;
    if (this.keys[slot] === key && this.values[slot] === value) return this.hashes.slice(at, at + HASH_BYTES);
    const hash = cellLeafHash(x, y, z, value);
    this.keys[slot] = key;
    this.values[slot] = value;
    this.hashes.set(hash, at);
    return hash;
  }
}
