import { crc16 } from './crc16.js';

/** What the cache knows about a request: its reply, or only that it was already answered. */
export type CacheLookup = { kind: 'reply'; wires: Uint8Array[] } | { kind: 'forgotten' } | undefined;

/** A request's fingerprint as the cache keys it: its payload's length and CRC-16. */
export function fingerprintOf(payload: Uint8Array): [length: number, crc: number] {
  return [payload.length, crc16(payload)];
}

/** Keys (channel << 16 | seq) are indexed in pages of this many, allocated while in use. */
const PAGE_BITS = 10;
const PAGE_SIZE = 1 << PAGE_BITS;
const FORGOTTEN: CacheLookup = { kind: 'forgotten' };
/** Replies of one frame up to this size are copied into the cache's byte log instead of kept as objects. */
const SLAB_MAX_REPLY = 2048;
const SLAB_FIRST_BYTES = 16 * 1024;
/** Marks a slot whose reply lives in the byte log at offsets[slot], byteCounts[slot] bytes. */
const IN_SLAB: Uint8Array[] = [];

/**
 * Requests already answered, per (channel, seq), with their encoded replies, and the requests
 * still running. A retransmitted request is answered from here instead of running its handler
 * again. Bounded two ways: at most `maxEntries` requests are remembered (oldest forgotten
 * first), and the replies kept take at most `maxBytes` (beyond that the oldest replies are
 * dropped but the requests stay known, so a late duplicate is ignored rather than applied twice).
 *
 * Every put is constant time and keeps no object per request once warm: entries live in a
 * ring of parallel arrays in age order (eviction takes the ring's oldest slot), a key finds its
 * slot through a direct index in pages of 1,024 seqs, and a one-frame reply is copied into a
 * byte log (a circular buffer filled in the same order) rather than kept as a Uint8Array —
 * thousands of small retained arrays made every young-generation GC promote them and cost
 * about 1 µs per request. The first version looked for the
 * oldest entry by iterating a Map from its start, which walks every entry V8 deleted since its
 * last rehash: 10 µs per put once the cache was full.
 */
export class ReplyCache {
  /** The ring: slot i holds one request, oldest at `head`; keys[i] = −1 once replaced or evicted. */
  private capacity = 0;
  private keys = new Int32Array(0);
  private opcodes = new Uint8Array(0);
  private lengths = new Uint32Array(0);
  private crcs = new Uint16Array(0);
  private fragmentCounts = new Uint16Array(0);
  private byteCounts = new Uint32Array(0);
  /** Reply frames (IN_SLAB: in the byte log); undefined once dropped for the byte budget (the request stays known). */
  private wires: (Uint8Array[] | undefined)[] = [];
  private offsets = new Uint32Array(0);
  /** The byte log: one-frame replies in ring order, from `slabStart` (oldest held) to `slabEnd` (next free), wrapping. */
  private slab = new Uint8Array(0);
  private slabStart = 0;
  private slabEnd = 0;
  /** Bytes of the log between slabStart and slabEnd, holes and the skipped tail included; 0 = empty. */
  private slabUsed = 0;
  private head = 0;
  private count = 0;
  private live = 0;
  /** The first `withoutBytes` ring positions hold no reply bytes (the byte budget drops oldest first). */
  private withoutBytes = 0;
  private bytes = 0;
  /** key → ring slot + 1 (0: unknown), by page; a page's last word counts its keys, so empty pages are freed. */
  private readonly pages = new Map<number, Int32Array>();
  private readonly runningKeys = new Set<number>();

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries ${maxEntries} is not a positive integer`);
  }

  get size(): number {
    return this.live;
  }

  get replyBytes(): number {
    return this.bytes;
  }

  /** Requests received and not answered yet. */
  get runningCount(): number {
    return this.runningKeys.size;
  }

  /**
   * What is known about this exact request: same opcode and fingerprint (the payload's length
   * and CRC-16, `fingerprintOf`, taken before the handler owns the payload).
   */
  lookup(channel: number, seq: number, opcode: number, requestLength: number, requestCrc: number): CacheLookup {
    const slot = this.slotOf(key(channel, seq));
    if (slot < 0) return undefined;
    if (this.opcodes[slot] !== opcode || this.lengths[slot] !== requestLength || this.crcs[slot] !== requestCrc) return undefined;
    return this.resultOf(slot);
  }

  /**
   * A fragmented request recognised from its last fragment alone, so a retransmitted
   * multi-frame request is answered without reassembling it again.
   */
  lookupByLastFragment(channel: number, seq: number, opcode: number, fragment: number): CacheLookup {
    const slot = this.slotOf(key(channel, seq));
    if (slot < 0 || fragment === 0 || this.opcodes[slot] !== opcode || this.fragmentCounts[slot] !== fragment + 1) return undefined;
    return this.resultOf(slot);
  }

  /** A request (channel, seq) is being handled: a duplicate of it is ignored until `put`. */
  begin(channel: number, seq: number): void {
    this.runningKeys.add(key(channel, seq));
  }

  isRunning(channel: number, seq: number): boolean {
    return this.runningKeys.size > 0 && this.runningKeys.has(key(channel, seq));
  }

  /** The request finished without a reply worth remembering (e.g. refused before it ran). */
  end(channel: number, seq: number): void {
    this.runningKeys.delete(key(channel, seq));
  }

  /** Remembers a request by its fingerprint (see `lookup`) with its reply frames. */
  put(channel: number, seq: number, opcode: number, requestLength: number, requestCrc: number, wires: Uint8Array[], fragments = 1): void {
    this.insert(key(channel, seq), opcode, requestLength, requestCrc, wires, fragments, false);
  }

  /** Forgets the answered requests; requests still running stay known as running. */
  clear(): void {
    this.pages.clear();
    this.keys.fill(-1);
    this.wires.fill(undefined);
    this.slabStart = 0;
    this.slabEnd = 0;
    this.slabUsed = 0;
    this.head = 0;
    this.count = 0;
    this.live = 0;
    this.withoutBytes = 0;
    this.bytes = 0;
  }

  /**
   * Takes over everything `other` knows, oldest first, as if its requests had been answered
   * here after this cache's own; `other` is left empty.
   */
  absorb(other: ReplyCache): void {
    for (let i = 0; i < other.count; i++) {
      const slot = (other.head + i) % other.capacity;
      const k = other.keys[slot]!;
      if (k < 0) continue;
      const wires = other.wires[slot] === IN_SLAB ? (other.resultOf(slot) as { wires: Uint8Array[] }).wires : other.wires[slot];
      this.insert(k, other.opcodes[slot]!, other.lengths[slot]!, other.crcs[slot]!, wires ?? [], other.fragmentCounts[slot]!, wires === undefined);
    }
    for (const k of other.runningKeys) this.runningKeys.add(k);
    other.clear();
    other.runningKeys.clear();
  }

  private insert(k: number, opcode: number, requestLength: number, requestCrc: number, wires: Uint8Array[], fragments: number, forgotten: boolean): void {
    if (this.runningKeys.size > 0) this.runningKeys.delete(k);
    const old = this.slotOf(k);
    if (old >= 0) this.retire(old);
    if (this.count === this.capacity) {
      if (this.capacity < this.maxEntries) this.grow();
      else this.evictOldest();
    }
    let bytes = 0;
    if (!forgotten) for (const w of wires) bytes += w.length;
    const slot = (this.head + this.count) % this.capacity;
    const inSlab = !forgotten && wires.length === 1 && bytes <= SLAB_MAX_REPLY && bytes <= this.maxBytes;
    if (inSlab) this.offsets[slot] = this.slabAppend(wires[0]!);
    this.keys[slot] = k;
    this.opcodes[slot] = opcode;
    this.lengths[slot] = requestLength;
    this.crcs[slot] = requestCrc;
    this.fragmentCounts[slot] = fragments;
    this.byteCounts[slot] = bytes;
    this.wires[slot] = forgotten ? undefined : inSlab ? IN_SLAB : wires;
    this.count++;
    this.live++;
    this.index(k, slot + 1);
    this.bytes += bytes;
    while (this.bytes > this.maxBytes && this.withoutBytes < this.count) {
      this.dropReply((this.head + this.withoutBytes) % this.capacity);
      this.withoutBytes++;
    }
  }

  /** Doubles the ring up to maxEntries, so a short-lived session never allocates the whole of it. */
  private grow(): void {
    const capacity = Math.min(this.maxEntries, Math.max(64, this.capacity * 2));
    const keys = new Int32Array(capacity).fill(-1);
    const opcodes = new Uint8Array(capacity);
    const lengths = new Uint32Array(capacity);
    const crcs = new Uint16Array(capacity);
    const fragmentCounts = new Uint16Array(capacity);
    const byteCounts = new Uint32Array(capacity);
    const wires = new Array<Uint8Array[] | undefined>(capacity).fill(undefined);
    const offsets = new Uint32Array(capacity);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) % this.capacity;
      keys[i] = this.keys[from]!;
      opcodes[i] = this.opcodes[from]!;
      lengths[i] = this.lengths[from]!;
      crcs[i] = this.crcs[from]!;
      fragmentCounts[i] = this.fragmentCounts[from]!;
      byteCounts[i] = this.byteCounts[from]!;
      wires[i] = this.wires[from];
      offsets[i] = this.offsets[from]!;
      if (keys[i]! >= 0) this.index(keys[i]!, i + 1);
    }
    this.capacity = capacity;
    this.keys = keys;
    this.opcodes = opcodes;
    this.lengths = lengths;
    this.crcs = crcs;
    this.fragmentCounts = fragmentCounts;
    this.byteCounts = byteCounts;
    this.wires = wires;
    this.offsets = offsets;
    this.head = 0;
  }

  private evictOldest(): void {
    const slot = this.head;
    if (this.keys[slot]! >= 0) this.retire(slot);
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    if (this.withoutBytes > 0) this.withoutBytes--;
  }

  /** Forgets the request in `slot`; the slot itself stays in the ring until its turn comes. */
  private retire(slot: number): void {
    this.dropReply(slot);
    this.index(this.keys[slot]!, 0);
    this.keys[slot] = -1;
    this.live--;
  }

  private dropReply(slot: number): void {
    const wires = this.wires[slot];
    if (wires === undefined) return;
    if (wires === IN_SLAB) this.slabRelease(slot);
    this.bytes -= this.byteCounts[slot]!;
    this.wires[slot] = undefined;
    this.byteCounts[slot] = 0;
  }

  /**
   * Copies a reply to the end of the byte log and returns its offset. When the log has no room,
   * it grows (up to the byte budget) or the oldest replies are dropped, as the budget would.
   */
  private slabAppend(wire: Uint8Array): number {
    const n = wire.length;
    for (;;) {
      const at = this.slabFit(n);
      if (at >= 0) {
        if (this.slabUsed === 0) this.slabStart = at;
        this.slabUsed += (at === this.slabEnd ? 0 : this.slab.length - this.slabEnd) + n;
        this.slab.set(wire, at);
        this.slabEnd = at + n;
        return at;
      }
      if (this.slab.length < this.maxBytes) this.slabGrow(n);
      else {
        // Full: drop the oldest reply still held (the budget's own order), which frees the log's front.
        if (this.withoutBytes >= this.count) throw new Error('ReplyCache: byte log full with nothing to drop');
        this.dropReply((this.head + this.withoutBytes) % this.capacity);
        this.withoutBytes++;
      }
    }
  }

  /** Where `n` contiguous bytes fit after slabEnd (wrapping to 0 past the end), or −1. */
  private slabFit(n: number): number {
    const size = this.slab.length;
    if (this.slabUsed === 0) return n <= size ? 0 : -1;
    if (this.slabEnd > this.slabStart || (this.slabEnd === this.slabStart && this.slabUsed < size)) {
      if (size - this.slabEnd >= n) return this.slabEnd;
      return this.slabStart >= n ? 0 : -1;
    }
    return this.slabStart - this.slabEnd >= n ? this.slabEnd : -1;
  }

  /** Frees the log bytes of the reply in `slot`; only the oldest moves the log's front (others leave a hole until it passes). */
  private slabRelease(slot: number): void {
    const at = this.offsets[slot]!;
    if (at !== this.slabStart) return;
    const size = this.slab.length;
    const start = at + this.byteCounts[slot]!;
    // The next reply still in the log, in ring order after this one, becomes the front.
    for (let i = (slot - this.head + this.capacity) % this.capacity + 1; i < this.count; i++) {
      const next = (this.head + i) % this.capacity;
      if (this.wires[next] !== IN_SLAB) continue;
      const to = this.offsets[next]!;
      this.slabUsed -= this.byteCounts[slot]! + (to >= start ? to - start : size - start + to);
      this.slabStart = to;
      return;
    }
    this.slabUsed = 0;
    this.slabStart = this.slabEnd = 0;
  }

  /** Doubles the log (at least to fit `n` more), copying the held replies to its start in ring order. */
  private slabGrow(n: number): void {
    const size = Math.min(Math.max(this.maxBytes, n), Math.max(SLAB_FIRST_BYTES, this.slab.length * 2, this.slabUsed + n));
    const next = new Uint8Array(size);
    let end = 0;
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.capacity;
      if (this.wires[slot] !== IN_SLAB) continue;
      const at = this.offsets[slot]!;
      const len = this.byteCounts[slot]!;
      next.set(this.slab.subarray(at, at + len), end);
      this.offsets[slot] = end;
      end += len;
    }
    this.slab = next;
    this.slabStart = 0;
    this.slabEnd = end;
    this.slabUsed = end;
  }

  private resultOf(slot: number): CacheLookup {
    const wires = this.wires[slot];
    if (wires === undefined) return FORGOTTEN;
    if (wires !== IN_SLAB) return { kind: 'reply', wires };
    // A copy: the log is reused, and a line may hold what it was given until it flushes.
    const at = this.offsets[slot]!;
    return { kind: 'reply', wires: [this.slab.slice(at, at + this.byteCounts[slot]!)] };
  }

  private slotOf(k: number): number {
    const page = this.pages.get(k >>> PAGE_BITS);
    return page === undefined ? -1 : page[k & (PAGE_SIZE - 1)]! - 1;
  }

  /** Sets key → slot + 1 (0 removes it). */
  private index(k: number, value: number): void {
    const p = k >>> PAGE_BITS;
    let page = this.pages.get(p);
    if (page === undefined) {
      if (value === 0) return;
      page = new Int32Array(PAGE_SIZE + 1);
      this.pages.set(p, page);
    }
    const i = k & (PAGE_SIZE - 1);
    const was = page[i]!;
    page[i] = value;
    if (was === 0 && value !== 0) page[PAGE_SIZE]!++;
    else if (was !== 0 && value === 0 && --page[PAGE_SIZE]! === 0) this.pages.delete(p);
  }
}

function key(channel: number, seq: number): number {
  return (channel << 16) | seq;
}
