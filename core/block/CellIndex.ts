/**
 * Open-addressing hash index from Morton code to (value, timestamp), stored in three parallel
 * typed arrays: 20 bytes per slot and no per-cell objects, so 10M cells fit in ~335 MB.
 * Linear probing with backward-shift deletion: no tombstones, so lookups never slow down with churn.
 * A sorted run of the keys (for Morton-order iteration and box queries) is rebuilt lazily,
 * only when someone asks for order after a change.
 */
const EMPTY = 0xffffffff;
const MIN_CAPACITY = 16;
/** Kept at 3/4 so linear-probe chains stay short (expected ~2.5 probes on a miss). */
const MAX_LOAD_NUM = 3;
const MAX_LOAD_DEN = 4;
const GOLDEN = 0x9e3779b1;

export class CellIndex {
  private keys: Uint32Array;
  private values: Float64Array;
  private stamps: Float64Array;
  private mask: number;
  private shift: number;
  private count = 0;
  private sorted: Uint32Array | null = null;

  constructor(expectedCells = 0) {
    let capacity = MIN_CAPACITY;
    while (capacity * MAX_LOAD_NUM < expectedCells * MAX_LOAD_DEN) capacity *= 2;
    this.keys = new Uint32Array(capacity).fill(EMPTY);
    this.values = new Float64Array(capacity);
    this.stamps = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays (the sorted run included when built). */
  get byteLength(): number {
    const sortedBytes = this.sorted ? this.sorted.byteLength : 0;
    return this.keys.byteLength + this.values.byteLength + this.stamps.byteLength + sortedBytes;
  }

  /** Slot of `key`, or -1. */
  find(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let slot = Math.imul(key, GOLDEN) >>> this.shift;
    for (;;) {
      const k = keys[slot]!;
      if (k === key) return slot;
      if (k === EMPTY) return -1;
      slot = (slot + 1) & mask;
    }
  }

  valueAt(slot: number): number {
    return this.values[slot]!;
  }

  stampAt(slot: number): number {
    return this.stamps[slot]!;
  }

  /** Overwrites in place when present; returns true when the key is new. */
  put(key: number, value: number, stamp: number): boolean {
    let slot = this.find(key);
    if (slot >= 0) {
      this.values[slot] = value;
      this.stamps[slot] = stamp;
      return false;
    }
    if ((this.count + 1) * MAX_LOAD_DEN > this.keys.length * MAX_LOAD_NUM) this.grow();
    slot = this.emptySlotFor(key);
    this.keys[slot] = key;
    this.values[slot] = value;
    this.stamps[slot] = stamp;
    this.count++;
    this.sorted = null;
    return true;
  }

  /** Sets the value of an existing slot (from find); keeps key order untouched. */
  setAt(slot: number, value: number, stamp: number): void {
    this.values[slot] = value;
    this.stamps[slot] = stamp;
  }

  remove(key: number): boolean {
    const slot = this.find(key);
    if (slot < 0) return false;
    this.removeSlot(slot);
    this.count--;
    this.sorted = null;
    return true;
  }

  /** Keys in ascending Morton order; the array is shared and must not be modified. */
  sortedKeys(): Uint32Array {
    if (this.sorted) return this.sorted;
    const out = new Uint32Array(this.count);
    const keys = this.keys;
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k !== EMPTY) out[n++] = k;
    }
    out.sort();
    this.sorted = out;
    return out;
  }

  clone(): CellIndex {
    const copy = Object.create(CellIndex.prototype) as CellIndex;
    copy.keys = this.keys.slice();
    copy.values = this.values.slice();
    copy.stamps = this.stamps.slice();
    copy.mask = this.mask;
    copy.shift = this.shift;
    copy.count = this.count;
    copy.sorted = this.sorted;
    return copy;
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.count = 0;
    this.sorted = null;
  }

  private emptySlotFor(key: number): number {
    const keys = this.keys;
    let slot = Math.imul(key, GOLDEN) >>> this.shift;
    while (keys[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** Backward-shift deletion: pull later entries of the probe chain into the hole. */
  private removeSlot(hole: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let i = hole;
    for (;;) {
      i = (i + 1) & mask;
      const k = keys[i]!;
      if (k === EMPTY) break;
      const home = Math.imul(k, GOLDEN) >>> this.shift;
      // Move k back only if its home is not cyclically inside (hole, i].
      const inRange = hole <= i ? home > hole && home <= i : home > hole || home <= i;
      if (inRange) continue;
      keys[hole] = k;
      this.values[hole] = this.values[i]!;
      this.stamps[hole] = this.stamps[i]!;
      hole = i;
    }
    keys[hole] = EMPTY;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldStamps = this.stamps;
    const capacity = oldKeys.length * 2;
    this.keys = new Uint32Array(capacity).fill(EMPTY);
    this.values = new Float64Array(capacity);
    this.stamps = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.shift--;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i]!;
      if (k === EMPTY) continue;
      const slot = this.emptySlotFor(k);
      this.keys[slot] = k;
      this.values[slot] = oldValues[i]!;
      this.stamps[slot] = oldStamps[i]!;
    }
  }
}
