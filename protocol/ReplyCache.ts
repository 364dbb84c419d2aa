import { crc16 } from './crc16.js';

/** What the cache knows about a request: its reply, or only that it was already answered. */
export type CacheLookup = { kind: 'reply'; wires: Uint8Array[] } | { kind: 'forgotten' } | undefined;

/** Keys (channel << 16 | seq) are indexed in pages of this many, allocated while in use. */
const PAGE_BITS = 10;
const PAGE_SIZE = 1 << PAGE_BITS;
const FORGOTTEN: CacheLookup = { kind: 'forgotten' };

/**
 * Requests already answered, per (channel, seq), with their encoded replies, and the requests
 * still running. A retransmitted request is answered from here instead of running its handler
 * again. Bounded two ways: at most `maxEntries` requests are remembered (oldest forgotten
 * first), and the replies kept take at most `maxBytes` (beyond that the oldest replies are
 * dropped but the requests stay known, so a late duplicate is ignored rather than applied twice).
 *
 * Every put is constant time and allocates nothing per request once warm: entries live in a
 * ring of parallel arrays in age order (eviction takes the ring's oldest slot), and a key finds
 * its slot through a direct index in pages of 1,024 seqs. The first version looked for the
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
  /** Reply frames; undefined once dropped for the byte budget (the request stays known). */
  private wires: (Uint8Array[] | undefined)[] = [];
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

  /** What is known about this exact request (same opcode and payload). */
  lookup(channel: number, seq: number, opcode: number, payload: Uint8Array): CacheLookup {
    const slot = this.slotOf(key(channel, seq));
    if (slot < 0) return undefined;
    if (this.opcodes[slot] !== opcode || this.lengths[slot] !== payload.length || this.crcs[slot] !== crc16(payload)) return undefined;
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

  put(channel: number, seq: number, opcode: number, payload: Uint8Array, wires: Uint8Array[], fragments = 1): void {
    this.insert(key(channel, seq), opcode, payload.length, crc16(payload), wires, fragments, false);
  }

  /** Forgets the answered requests; requests still running stay known as running. */
  clear(): void {
    this.pages.clear();
    this.keys.fill(-1);
    this.wires.fill(undefined);
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
      const wires = other.wires[slot];
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
    this.keys[slot] = k;
    this.opcodes[slot] = opcode;
    this.lengths[slot] = requestLength;
    this.crcs[slot] = requestCrc;
    this.fragmentCounts[slot] = fragments;
    this.byteCounts[slot] = bytes;
    this.wires[slot] = forgotten ? undefined : wires;
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
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) % this.capacity;
      keys[i] = this.keys[from]!;
      opcodes[i] = this.opcodes[from]!;
      lengths[i] = this.lengths[from]!;
      crcs[i] = this.crcs[from]!;
      fragmentCounts[i] = this.fragmentCounts[from]!;
      byteCounts[i] = this.byteCounts[from]!;
      wires[i] = this.wires[from];
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
    if (this.wires[slot] === undefined) return;
    this.bytes -= this.byteCounts[slot]!;
    this.wires[slot] = undefined;
    this.byteCounts[slot] = 0;
  }

  private resultOf(slot: number): CacheLookup {
    const wires = this.wires[slot];
    return wires === undefined ? FORGOTTEN : { kind: 'reply', wires };
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
