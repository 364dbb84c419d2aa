import { CoreError } from '../errors/CoreError.js';

/**
 * Open-addressing hash index from Morton code to (value, timestamp). Each slot is 16 bytes in
 * one ArrayBuffer — u32 key+1 (0 = empty), u32 timestamp offset, f64 value — so a lookup
 * touches one cache line, and there are no per-cell objects.
 *
 * Robin Hood linear probing keeps probe chains short at high load, so the table runs between
 * 60% and 85% full (about 19–27 bytes per cell); backward-shift deletion leaves no tombstones.
 * The capacity is any integer (not a power of two), and a key's home slot is its 26-bit
 * multiplicative hash scaled to the capacity.
 *
 * Timestamps are stored as u32 milliseconds after a per-index base; the first timestamp that
 * does not fit moves every timestamp to a side Float64Array, so none is ever altered.
 *
 * A sorted run of the keys (for Morton-order iteration and large box queries) is built lazily,
 * only when someone asks for order after a change.
 */
const MIN_CAPACITY = 16;
const MAX_LOAD = 0.85;
/** Load right after growing: the table grows by ×1.42 at a time. */
const GROWN_LOAD = 0.6;
const HASH_BITS = 26;
const HASH_SCALE = 2 ** -HASH_BITS;
/** h·capacity stays below 2^53, so the home slot is computed exactly in doubles. */
const MAX_CAPACITY = 2 ** 27;
const GOLDEN = 0x9e3779b1;
const U32_RANGE = 2 ** 32;
const SLOT_BYTES = 16;
/** The entry in hand during a Robin Hood insertion, laid out like a slot. */
const HAND_BUFFER = new ArrayBuffer(SLOT_BYTES);
const HAND_WORDS = new Uint32Array(HAND_BUFFER);
const HAND_DOUBLES = new Float64Array(HAND_BUFFER);

export class CellIndex {
  /** Per slot i: words[4i] = key + 1, words[4i + 1] = timestamp offset; doubles[2i + 1] = value. */
  private words: Uint32Array;
  private doubles: Float64Array;
  private wideStamps: Float64Array | null = null;
  private stampBase = -1;
  private capacity: number;
  /** capacity / 2^26: maps a 26-bit hash onto a slot with one multiply. */
  private scale: number;
  /** floor(capacity · MAX_LOAD): the count at which the next insertion grows the table. */
  private limit: number;
  private count = 0;
  private sorted: Uint32Array | null = null;

  constructor(expectedCells = 0) {
    this.capacity = capacityFor(expectedCells);
    this.scale = this.capacity * HASH_SCALE;
    this.limit = Math.floor(this.capacity * MAX_LOAD);
    const buffer = new ArrayBuffer(this.capacity * SLOT_BYTES);
    this.words = new Uint32Array(buffer);
    this.doubles = new Float64Array(buffer);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays (the sorted run included when built). */
  get byteLength(): number {
    const wide = this.wideStamps ? this.wideStamps.byteLength : 0;
    const sortedBytes = this.sorted ? this.sorted.byteLength : 0;
    return this.words.byteLength + wide + sortedBytes;
  }

  /** Slot of `key`, or -1. Robin Hood lets a miss stop as soon as it passes richer residents. */
  find(key: number): number {
    const words = this.words;
    const cap = this.capacity;
    const scale = this.scale;
    const tag = key + 1;
    let slot = (hash26(key) * scale) | 0;
    for (let dist = 0; ; dist++) {
      const t = words[slot << 2]!;
      if (t === tag) return slot;
      if (t === 0) return -1;
      let d = slot - ((hash26(t - 1) * scale) | 0);
      if (d < 0) d += cap;
      if (d < dist) return -1;
      if (++slot === cap) slot = 0;
    }
  }

  valueAt(slot: number): number {
    return this.doubles[(slot << 1) + 1]!;
  }

  stampAt(slot: number): number {
    return this.wideStamps ? this.wideStamps[slot]! : this.stampBase + this.words[(slot << 2) + 1]!;
  }

  /**
   * Overwrites in place when present; returns true when the key is new. One probe pass: by the
   * Robin Hood invariant the key is absent once a richer resident is met, and it goes right there.
   */
  put(key: number, value: number, stamp: number): boolean {
    if (this.count >= this.limit) this.resize(capacityFor(this.count + 1));
    const words = this.words;
    const cap = this.capacity;
    const scale = this.scale;
    const tag = key + 1;
    const h = hash26(key);
    let slot = (h * scale) | 0;
    for (let dist = 0; ; dist++) {
      const t = words[slot << 2]!;
      if (t === tag) {
        this.doubles[(slot << 1) + 1] = value;
        this.writeStamp(slot, stamp);
        return false;
      }
      if (t === 0) {
        this.placeNew(slot, dist, key, value, stamp);
        return true;
      }
      // The resident gives way when it is richer (closer to home), or as close with a larger
      // hash. Ordering ties by hash keeps every cluster sorted by hash, which refill() relies on.
      const rh = hash26(t - 1);
      let d = slot - ((rh * scale) | 0);
      if (d < 0) d += cap;
      if (d < dist || (d === dist && rh > h)) {
        this.insertFrom(slot, dist, key, value, stamp);
        this.count++;
        this.sorted = null;
        return true;
      }
      if (++slot === cap) slot = 0;
    }
  }

  /** A new key lands in an empty slot: no Robin Hood shuffle, so write it directly. */
  private placeNew(slot: number, dist: number, key: number, value: number, stamp: number): void {
    const offset = this.stampWord(stamp);
    if (this.wideStamps !== null) {
      this.insertFrom(slot, dist, key, value, stamp);
    } else {
      this.words[slot << 2] = key + 1;
      this.words[(slot << 2) + 1] = offset;
      this.doubles[(slot << 1) + 1] = value;
    }
    this.count++;
    this.sorted = null;
  }

  /** Rewrites an occupied slot found by find(); valid until the next insert or remove. */
  setAt(slot: number, value: number, stamp: number): void {
    this.doubles[(slot << 1) + 1] = value;
    this.writeStamp(slot, stamp);
  }

  /** Grows once, up front, so that `more` new keys can go in without intermediate rehashes. */
  reserve(more: number): void {
    const needed = this.count + more;
    if (needed > this.limit) this.resize(capacityFor(needed));
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
    const words = this.words;
    let n = 0;
    for (let i = 0; i < words.length; i += 4) {
      const t = words[i]!;
      if (t !== 0) out[n++] = t - 1;
    }
    out.sort();
    this.sorted = out;
    return out;
  }

  clone(): CellIndex {
    const copy = Object.create(CellIndex.prototype) as CellIndex;
    const buffer = this.words.buffer.slice(0);
    copy.words = new Uint32Array(buffer);
    copy.doubles = new Float64Array(buffer);
    copy.wideStamps = this.wideStamps ? this.wideStamps.slice() : null;
    copy.stampBase = this.stampBase;
    copy.capacity = this.capacity;
    copy.scale = this.scale;
    copy.limit = this.limit;
    copy.count = this.count;
    copy.sorted = this.sorted;
    return copy;
  }

  /** Rehashes into the smallest table that holds the cells at 85% load (e.g. after a bulk load). */
  compact(): void {
    const target = Math.max(MIN_CAPACITY, Math.ceil(this.count / MAX_LOAD) + 1);
    if (target < this.capacity) this.resize(target);
  }

  private home(key: number): number {
    return (hash26(key) * this.scale) | 0;
  }

  /** How far the resident at `slot` sits from its home slot. */
  private distance(key: number, slot: number): number {
    const d = slot - this.home(key);
    return d < 0 ? d + this.capacity : d;
  }

  /**
   * Robin Hood insertion of a key known to be absent, starting at `slot`, `dist` from its home.
   * Entries move as four raw words (key, stamp, value halves): nothing is decoded on the way.
   */
  private insertFrom(slot: number, dist: number, key: number, value: number, stamp: number): void {
    const words = this.words;
    const cap = this.capacity;
    const hand = HAND_WORDS;
    const offset = this.stampWord(stamp);
    hand[0] = key + 1;
    hand[1] = offset;
    HAND_DOUBLES[1] = value;
    const scale = this.scale;
    const wideStamps = this.wideStamps;
    let wide = stamp;
    let h = hash26(key);
    for (;; dist++) {
      const base = slot << 2;
      const tag = words[base]!;
      let rh = 0;
      let d = 0;
      if (tag !== 0) {
        rh = hash26(tag - 1);
        d = slot - ((rh * scale) | 0);
        if (d < 0) d += cap;
      }
      // Same test as in put(): an empty slot, or a richer resident (ties broken by hash).
      if (tag === 0 || d < dist || (d === dist && rh > h)) {
        for (let w = 0; w < 4; w++) {
          const held = words[base + w]!;
          words[base + w] = hand[w]!;
          hand[w] = held;
        }
        if (wideStamps !== null) {
          const held = wideStamps[slot]!;
          wideStamps[slot] = wide;
          wide = held;
        }
        if (tag === 0) return;
        // Take from the rich: the newcomer settled here, the resident moves on.
        h = rh;
        dist = d;
      }
      if (++slot === cap) slot = 0;
    }
  }

  /** The u32 stamp word for `stamp`; switches to wide stamps (and returns 0) when it does not fit. */
  private stampWord(stamp: number): number {
    if (this.wideStamps !== null) return 0;
    if (this.stampBase < 0) this.stampBase = Number.isInteger(stamp) ? Math.max(0, stamp - 2 ** 31) : 0;
    const offset = stamp - this.stampBase;
    if (Number.isInteger(offset) && offset >= 0 && offset < U32_RANGE) return offset;
    this.widenStamps();
    return 0;
  }

  /** Backward-shift deletion: pull the rest of the cluster one slot toward home. */
  private removeSlot(hole: number): void {
    const words = this.words;
    const cap = this.capacity;
    let next = hole + 1 === cap ? 0 : hole + 1;
    for (;;) {
      const tag = words[next << 2]!;
      if (tag === 0 || this.distance(tag - 1, next) === 0) break;
      words[hole << 2] = tag;
      words[(hole << 2) + 1] = words[(next << 2) + 1]!;
      this.doubles[(hole << 1) + 1] = this.doubles[(next << 1) + 1]!;
      if (this.wideStamps) this.wideStamps[hole] = this.wideStamps[next]!;
      hole = next;
      next = next + 1 === cap ? 0 : next + 1;
    }
    words[hole << 2] = 0;
  }

  private writeStamp(slot: number, stamp: number): void {
    const fast = stamp - this.stampBase;
    // Fast path: the u32 offset of an integer stamp after the base (an unset base is -1, so never taken then).
    if (this.stampBase >= 0 && this.wideStamps === null && (fast >>> 0) === fast) {
      this.words[(slot << 2) + 1] = fast;
      return;
    }
    if (this.wideStamps === null) {
      if (this.stampBase < 0) this.stampBase = Number.isInteger(stamp) ? Math.max(0, stamp - 2 ** 31) : 0;
      const offset = stamp - this.stampBase;
      if (Number.isInteger(offset) && offset >= 0 && offset < U32_RANGE) {
        this.words[(slot << 2) + 1] = offset;
        return;
      }
      this.widenStamps();
    }
    this.wideStamps![slot] = stamp;
  }

  private widenStamps(): void {
    const wide = new Float64Array(this.capacity);
    for (let i = 0; i < this.capacity; i++) wide[i] = this.stampBase + this.words[(i << 2) + 1]!;
    this.wideStamps = wide;
  }

  private resize(capacity: number): void {
    if (capacity > MAX_CAPACITY) throw new CoreError('TOO_LARGE', `a block index holds at most ${Math.floor(MAX_CAPACITY * MAX_LOAD)} cells`);
    const oldWords = this.words;
    const oldDoubles = this.doubles;
    const oldWide = this.wideStamps;
    const base = this.stampBase;
    const oldCapacity = this.capacity;
    this.capacity = capacity;
    this.scale = capacity * HASH_SCALE;
    this.limit = Math.floor(capacity * MAX_LOAD);
    const buffer = new ArrayBuffer(capacity * SLOT_BYTES);
    this.words = new Uint32Array(buffer);
    this.doubles = new Float64Array(buffer);
    this.wideStamps = oldWide ? new Float64Array(capacity) : null;
    this.refill(oldWords, oldDoubles, oldWide, base, oldCapacity);
  }

  /**
   * Re-inserts the old table into the empty new one in one sequential pass. Clusters are
   * sorted by hash (see put) and the home slot is monotone in the hash whatever the
   * capacity, so walking the old table from an empty slot yields ascending homes with one
   * wrap: each key goes to max(home, previous + 1). Should a slot be taken anyway (the wrap
   * meeting the start), ordinary insertion takes over from there.
   */
  private refill(oldWords: Uint32Array, oldDoubles: Float64Array, oldWide: Float64Array | null, base: number, oldCapacity: number): void {
    let start = 0;
    while (oldWords[start << 2] !== 0) start++;
    const cap = this.capacity;
    const words = this.words;
    let previous = -1;
    let lastHome = -1;
    let wrap = 0;
    let ordered = true;
    for (let j = 1; j <= oldCapacity; j++) {
      const i = start + j < oldCapacity ? start + j : start + j - oldCapacity;
      const tag = oldWords[i << 2]!;
      if (tag === 0) continue;
      const key = tag - 1;
      const home = this.home(key);
      if (ordered) {
        if (home < lastHome) wrap = cap;
        lastHome = home;
        const virtual = Math.max(home + wrap, previous + 1);
        const slot = virtual < cap ? virtual : virtual - cap;
        if (virtual < 2 * cap && words[slot << 2] === 0) {
          // Same stamp base, so the four raw words move as they are.
          const from = i << 2;
          const to = slot << 2;
          words[to] = tag;
          words[to + 1] = oldWords[from + 1]!;
          words[to + 2] = oldWords[from + 2]!;
          words[to + 3] = oldWords[from + 3]!;
          if (oldWide) this.wideStamps![slot] = oldWide[i]!;
          previous = virtual;
          continue;
        }
        ordered = false;
      }
      const stamp = oldWide ? oldWide[i]! : base + oldWords[(i << 2) + 1]!;
      this.insertFrom(home, 0, key, oldDoubles[(i << 1) + 1]!, stamp);
    }
  }
}

function hash26(key: number): number {
  return Math.imul(key, GOLDEN) >>> (32 - HASH_BITS);
}

function capacityFor(cells: number): number {
  return Math.max(MIN_CAPACITY, Math.ceil(cells / GROWN_LOAD));
}
