import { crc16 } from './crc16.js';

interface Entry {
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
}

/** What the cache knows about a request: its reply, or only that it was already answered. */
export type CacheLookup = { kind: 'reply'; wires: Uint8Array[] } | { kind: 'forgotten' } | undefined;

/**
 * Requests already answered, per (channel, seq), with their encoded replies. A retransmitted
 * request is answered from here instead of running its handler again. Bounded two ways:
 * at most `maxEntries` requests are remembered (oldest forgotten first), and the replies
 * kept take at most `maxBytes` (beyond that the oldest replies are dropped but the requests
 * stay known, so a late duplicate is ignored rather than applied twice).
 */
export class ReplyCache {
  private readonly entries = new Map<number, Entry>();
  /** Keys of entries that still hold reply bytes, oldest first. */
  private readonly withBytes = new Set<number>();
  private bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get replyBytes(): number {
    return this.bytes;
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

  put(channel: number, seq: number, opcode: number, payload: Uint8Array, wires: Uint8Array[], fragments = 1): void {
    const k = key(channel, seq);
    this.remove(k);
    const bytes = wires.reduce((n, w) => n + w.length, 0);
    this.entries.set(k, { opcode, requestLength: payload.length, requestCrc: crc16(payload), wires, bytes, fragments });
    this.withBytes.add(k);
    this.bytes += bytes;
    for (const oldest of this.withBytes) {
      if (this.bytes <= this.maxBytes) break;
      this.dropReply(oldest);
    }
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      this.remove(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.withBytes.clear();
    this.bytes = 0;
  }

  private dropReply(k: number): void {
    const entry = this.entries.get(k);
    this.withBytes.delete(k);
    if (entry === undefined || entry.wires === undefined) return;
    this.bytes -= entry.bytes;
    entry.wires = undefined;
    entry.bytes = 0;
  }

  private remove(k: number): void {
    this.dropReply(k);
    this.entries.delete(k);
  }
}

function resultOf(entry: Entry): CacheLookup {
  return entry.wires === undefined ? { kind: 'forgotten' } : { kind: 'reply', wires: entry.wires };
}

function key(channel: number, seq: number): number {
  return (channel << 16) | seq;
}
