import { crc16 } from './crc16.js';

interface Entry {
  readonly key: number;
  opcode: number;
  /** Fingerprint of the request, so a new request reusing a seq after wrap-around is not confused with an old one. */
  requestLength: number;
  requestCrc: number;
  /** Frames the request came in. */
  fragments: number;
  /**
   * Encoded reply frames; empty for NOREPLY requests; undefined once dropped to stay within
   * the byte budget (the request is still known as done, so it is never run again).
   */
  wires: Uint8Array[] | undefined;
  bytes: number;
  /** False once replaced or evicted; the ring may still hold it until its slot comes round. */
  live: boolean;
}

/** What the cache knows about a request: its reply, or only that it was already answered. */
export type CacheLookup = { kind: 'reply'; wires: Uint8Array[] } | { kind: 'forgotten' } | undefined;

/**
 * Requests already answered, per (channel, seq), with their encoded replies, and the requests
 * still running. A retransmitted request is answered from here instead of running its handler
 * again. Bounded two ways: at most `maxEntries` requests are remembered (oldest forgotten
 * first), and the replies kept take at most `maxBytes` (beyond that the oldest replies are
 * dropped but the requests stay known, so a late duplicate is ignored rather than applied twice).
 *
 * Age order is a ring of entries, so eviction is constant time: iterating a Map from its start
 * to find the oldest entry walks every entry V8 deleted since its last rehash, which made a
 * full cache cost 10 µs per put.
 */
export class ReplyCache {
  private readonly entries = new Map<number, Entry>();
  /** Entries oldest first: ring[head] … ring[head + count − 1] (mod capacity); replaced ones have live = false. */
  private ring: (Entry | undefined)[] = [];
  private head = 0;
  private count = 0;
  /** The first `withoutBytes` ring positions hold no reply bytes (the byte budget drops oldest first). */
  private withoutBytes = 0;
  private bytes = 0;
  private readonly runningKeys = new Set<number>();

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries ${maxEntries} is not a positive integer`);
  }

  get size(): number {
    return this.entries.size;
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
    const entry = this.entries.get(key(channel, seq));
    if (entry === undefined) return undefined;
    if (entry.opcode !== opcode || entry.requestLength !== payload.length || entry.requestCrc !== crc16(payload)) {
      return undefined;
    }
    return resultOf(entry);
  }

  /**
   * A fragmented request recognised from its last fragment alone, so a retransmitted
   * multi-frame request is answered without reassembling it again.
   */
  lookupByLastFragment(channel: number, seq: number, opcode: number, fragment: number): CacheLookup {
    const entry = this.entries.get(key(channel, seq));
    if (entry === undefined || fragment === 0 || entry.opcode !== opcode || entry.fragments !== fragment + 1) return undefined;
    return resultOf(entry);
  }

  /** A request (channel, seq) is being handled: a duplicate of it is ignored until `put`. */
  begin(channel: number, seq: number): void {
    this.runningKeys.add(key(channel, seq));
  }

  isRunning(channel: number, seq: number): boolean {
    return this.runningKeys.has(key(channel, seq));
  }

  /** The request finished without a reply worth remembering (e.g. refused before it ran). */
  end(channel: number, seq: number): void {
    this.runningKeys.delete(key(channel, seq));
  }

  put(channel: number, seq: number, opcode: number, payload: Uint8Array, wires: Uint8Array[], fragments = 1): void {
    this.insert(key(channel, seq), opcode, payload.length, crc16(payload), wires, fragments);
  }

  /** Forgets the answered requests; requests still running stay known as running. */
  clear(): void {
    this.entries.clear();
    this.ring = [];
    this.head = 0;
    this.count = 0;
    this.withoutBytes = 0;
    this.bytes = 0;
  }

  /**
   * Takes over everything `other` knows, oldest first, as if its requests had been answered
   * here after this cache's own; `other` is left empty.
   */
  absorb(other: ReplyCache): void {
    for (let i = 0; i < other.count; i++) {
      const e = other.ring[(other.head + i) % other.ring.length];
      if (e !== undefined && e.live) this.insert(e.key, e.opcode, e.requestLength, e.requestCrc, e.wires ?? [], e.fragments, e.wires === undefined);
    }
    for (const k of other.runningKeys) this.runningKeys.add(k);
    other.clear();
    other.runningKeys.clear();
  }

  private insert(k: number, opcode: number, requestLength: number, requestCrc: number, wires: Uint8Array[], fragments: number, forgotten = false): void {
    this.runningKeys.delete(k);
    const old = this.entries.get(k);
    if (old !== undefined) this.retire(old);
    if (this.ring.length < this.maxEntries && this.count === this.ring.length) this.grow();
    if (this.count === this.ring.length) this.evictOldest();
    let bytes = 0;
    for (const w of wires) bytes += w.length;
    const entry: Entry = { key: k, opcode, requestLength, requestCrc, wires: forgotten ? undefined : wires, bytes: forgotten ? 0 : bytes, fragments, live: true };
    this.ring[(this.head + this.count) % this.ring.length] = entry;
    this.count++;
    this.entries.set(k, entry);
    this.bytes += entry.bytes;
    while (this.bytes > this.maxBytes && this.withoutBytes < this.count) {
      const oldest = this.ring[(this.head + this.withoutBytes) % this.ring.length];
      if (oldest !== undefined) this.dropReply(oldest);
      this.withoutBytes++;
    }
  }

  /** Doubles the ring up to maxEntries, so a short-lived session never allocates the whole of it. */
  private grow(): void {
    const capacity = Math.min(this.maxEntries, Math.max(64, this.ring.length * 2));
    const next: (Entry | undefined)[] = new Array<Entry | undefined>(capacity);
    for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = next;
    this.head = 0;
  }

  private evictOldest(): void {
    const entry = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
    if (this.withoutBytes > 0) this.withoutBytes--;
    if (entry !== undefined && entry.live) this.retire(entry);
  }

  private retire(entry: Entry): void {
    this.dropReply(entry);
    entry.live = false;
    this.entries.delete(entry.key);
  }

  private dropReply(entry: Entry): void {
    if (entry.wires === undefined) return;
    this.bytes -= entry.bytes;
    entry.wires = undefined;
    entry.bytes = 0;
  }
}

function resultOf(entry: Entry): CacheLookup {
  return entry.wires === undefined ? { kind: 'forgotten' } : { kind: 'reply', wires: entry.wires };
}

function key(channel: number, seq: number): number {
  return (channel << 16) | seq;
}
