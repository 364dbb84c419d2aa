import { crc16 } from './crc16.js';

interface Entry {
  opcode: number;
  /** Fingerprint of the request, so a new request reusing a seq after wrap-around is not confused with an old one. */
  requestLength: number;
  requestCrc: number;
  /** Encoded reply frames; empty for NOREPLY requests (remembered only to suppress re-runs). */
  wires: Uint8Array[];
  bytes: number;
}

/**
 * Recent replies per (channel, seq), oldest evicted first, bounded by entry count and bytes.
 * A retransmitted request is answered from here instead of running its handler again.
 */
export class ReplyCache {
  private readonly entries = new Map<number, Entry>();
  private bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached reply frames for this exact request, or undefined. */
  get(channel: number, seq: number, opcode: number, payload: Uint8Array): Uint8Array[] | undefined {
    const entry = this.entries.get(key(channel, seq));
    if (entry === undefined) return undefined;
    if (entry.opcode !== opcode || entry.requestLength !== payload.length || entry.requestCrc !== crc16(payload)) {
      return undefined;
    }
    return entry.wires;
  }

  put(channel: number, seq: number, opcode: number, payload: Uint8Array, wires: Uint8Array[]): void {
    const k = key(channel, seq);
    this.remove(k);
    const bytes = wires.reduce((n, w) => n + w.length, 0);
    this.entries.set(k, { opcode, requestLength: payload.length, requestCrc: crc16(payload), wires, bytes });
    this.bytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(k: number): void {
    const entry = this.entries.get(k);
    if (entry === undefined) return;
    this.entries.delete(k);
    this.bytes -= entry.bytes;
  }
}

function key(channel: number, seq: number): number {
  return (channel << 16) | seq;
}
