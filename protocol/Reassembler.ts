import { Flag, MAX_FRAGMENTS, MAX_MESSAGE } from './constants.js';
import { CRC16_INIT, crc16 } from './crc16.js';
import type { Frame } from './Frame.js';
import type { Message } from './Message.js';

export interface ReassemblerOptions {
  /** Highest number of fragments per message (≤ 256). */
  maxFragments?: number;
  /** Largest reassembled payload. */
  maxMessageBytes?: number;
  /** Bytes held in all partial messages together (per line). */
  maxBytesInFlight?: number;
  /** Partial messages held at once. */
  maxPartials?: number;
  /** A partial message with no new fragment for this long is dropped by `expire`. */
  timeoutMs?: number;
}

export type ReassemblyResult =
  /**
   * `fragments` is how many frames carried the message. `crc`, the CRC-16 of a fragmented
   * request's payload (the duplicate cache's fingerprint), comes with it when it could be
   * computed a fragment at a time, as they arrived in order.
   */
  | { status: 'complete'; message: Message; fragments: number; crc?: number }
  | { status: 'pending' }
  /** A fragment already held arrived again; nothing changed. */
  | { status: 'duplicate' }
  /** The partial message was dropped; the sender should hear `code`. */
  | { status: 'rejected'; code: 'TOO_LARGE' | 'BUSY' | 'BAD_PAYLOAD'; reason: string; flags: number; opcode: number; seq: number; channel: number };

interface Partial {
  opcode: number;
  flags: number;
  /** Payloads in arrival order, back to back; grows by doubling up to the message bound. */
  data: Uint8Array;
  /** Where fragment i starts in `data` and how long it is (holes: not yet received). */
  offsets: number[];
  sizes: number[];
  /** Every fragment so far arrived in index order, so `data` is already the message. */
  inOrder: boolean;
  /** CRC-16 of `data` so far, while in order (requests only: replies need none). */
  crc: number;
  received: number;
  bytes: number;
  /** Index of the fragment without MORE, once seen. */
  last: number;
  touched: number;
}

/**
 * Rebuilds messages from fragments by index, in any arrival order, with bounds on fragment
 * count, message size, bytes held and partial count, and a timeout for stale partials.
 * Requests and replies are kept apart (the REPLY bit is part of the key with channel and seq).
 */
export class Reassembler {
  readonly maxFragments: number;
  readonly maxMessageBytes: number;
  readonly maxBytesInFlight: number;
  readonly maxPartials: number;
  readonly timeoutMs: number;
  private readonly partials = new Map<number, Partial>();
  private bytesHeld = 0;
  /** Bytes of the last message of SIZE_HINT_FROM or more completed here (0: none yet). */
  private lastLargeMessage = 0;

  constructor(options: ReassemblerOptions = {}) {
    this.maxFragments = Math.min(options.maxFragments ?? MAX_FRAGMENTS, MAX_FRAGMENTS);
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE;
    this.maxBytesInFlight = options.maxBytesInFlight ?? 2 * MAX_MESSAGE;
    this.maxPartials = options.maxPartials ?? 128;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Bytes currently held in partial messages. */
  get bytesInFlight(): number {
    return this.bytesHeld;
  }

  /** Bytes of the buffers partial messages are kept in (≤ 2 × `maxBytesInFlight` + `maxMessageBytes`). */
  get bytesAllocated(): number {
    let total = 0;
    for (const partial of this.partials.values()) total += partial.data.length;
    return total;
  }

  get partialCount(): number {
    return this.partials.size;
  }

  /** Takes one frame (its payload is copied when kept). */
  push(frame: Frame, now: number): ReassemblyResult {
    const more = (frame.flags & Flag.MORE) !== 0;
    if (!more && frame.fragment === 0) {
      // Unfragmented: the common case never touches the map.
      return { status: 'complete', message: messageOf(frame, frame.payload.slice()), fragments: 1 };
    }
    if (frame.fragment >= this.maxFragments) {
      return this.reject(frame, 'TOO_LARGE', `fragment ${frame.fragment} exceeds ${this.maxFragments} fragments`);
    }
    const key = keyOf(frame);
    let partial = this.partials.get(key);
    if (partial === undefined) {
      if (this.partials.size >= this.maxPartials) {
        return this.reject(frame, 'BUSY', `${this.partials.size} partial messages already held`);
      }
      partial = { opcode: frame.opcode, flags: frame.flags & ~Flag.MORE, data: EMPTY, offsets: [], sizes: [], inOrder: true, crc: CRC16_INIT, received: 0, bytes: 0, last: -1, touched: now };
      this.partials.set(key, partial);
    }
    const conflict = this.conflict(partial, frame, more);
    if (conflict !== undefined) return this.reject(frame, 'BAD_PAYLOAD', conflict);
    if (partial.offsets[frame.fragment] !== undefined) return { status: 'duplicate' };
    return this.store(key, partial, frame, more, now);
  }

  /** Drops partial messages idle for `timeoutMs`; returns how many. */
  expire(now: number): number {
    let dropped = 0;
    for (const [key, partial] of this.partials) {
      if (now - partial.touched >= this.timeoutMs) {
        this.drop(key, partial);
        dropped++;
      }
    }
    return dropped;
  }

  clear(): void {
    this.partials.clear();
    this.bytesHeld = 0;
  }

  private conflict(partial: Partial, frame: Frame, more: boolean): string | undefined {
    if (partial.opcode !== frame.opcode) return `fragment opcode ${frame.opcode} differs from ${partial.opcode}`;
    if (!more && partial.last >= 0 && partial.last !== frame.fragment) {
      return `two last fragments (${partial.last} and ${frame.fragment})`;
    }
    const last = more ? partial.last : frame.fragment;
    if (last >= 0 && (frame.fragment > last || partial.offsets.length > last + 1)) {
      return `fragment beyond the last one (${last})`;
    }
    return undefined;
  }

  private store(key: number, partial: Partial, frame: Frame, more: boolean, now: number): ReassemblyResult {
    const size = frame.payload.length;
    if (partial.bytes + size > this.maxMessageBytes) {
      return this.reject(frame, 'TOO_LARGE', `message exceeds ${this.maxMessageBytes} bytes`);
    }
    if (this.bytesHeld + size > this.maxBytesInFlight) {
      return this.reject(frame, 'BUSY', `more than ${this.maxBytesInFlight} bytes in partial messages`);
    }
    if (partial.bytes + size > partial.data.length) this.grow(partial, partial.bytes + size);
    partial.data.set(frame.payload, partial.bytes);
    partial.offsets[frame.fragment] = partial.bytes;
    partial.sizes[frame.fragment] = size;
    if (frame.fragment !== partial.received) partial.inOrder = false;
    else if ((partial.flags & Flag.REPLY) === 0) partial.crc = crc16(frame.payload, 0, size, partial.crc);
    partial.received++;
    partial.bytes += size;
    partial.touched = now;
    this.bytesHeld += size;
    if (!more) partial.last = frame.fragment;
    if (partial.last < 0 || partial.received !== partial.last + 1) return { status: 'pending' };
    this.drop(key, partial);
    if (partial.bytes >= SIZE_HINT_FROM) this.lastLargeMessage = partial.bytes;
    const message = messageOf({ ...frame, flags: partial.flags }, join(partial));
    const fragments = partial.last + 1;
    return partial.inOrder && (partial.flags & Flag.REPLY) === 0 ? { status: 'complete', message, fragments, crc: partial.crc } : { status: 'complete', message, fragments };
  }

  /**
   * One buffer per message instead of a copy per fragment: a 1 MiB request was 257 small
   * buffers and a join, each a separate allocation for the garbage collector. The buffer doubles;
   * once it needs SIZE_HINT_FROM it grows straight to the size of the last large message, as a line
   * that sent one 1 MB TENSOR_OP usually sends more of them, and it is the volume of buffers
   * allocated that starts V8's full collections (docs/PERFORMANCE.md). All buffers together stay
   * within twice `maxBytesInFlight` plus one message.
   */
  private grow(partial: Partial, needed: number): void {
    const old = partial.data.length;
    let size = Math.max(needed, 2 * old);
    const hint = this.lastLargeMessage;
    // Only a lone partial message takes the hint, so at most one buffer is larger than doubling allows.
    if (needed >= SIZE_HINT_FROM && hint > size && this.partials.size === 1) size = hint;
    size = Math.min(this.maxMessageBytes, size);
    const data = new Uint8Array(size);
    data.set(partial.data.subarray(0, partial.bytes));
    partial.data = data;
  }

  private reject(frame: Frame, code: 'TOO_LARGE' | 'BUSY' | 'BAD_PAYLOAD', reason: string): ReassemblyResult {
    const key = keyOf(frame);
    const partial = this.partials.get(key);
    if (partial !== undefined) this.drop(key, partial);
    return {
      status: 'rejected',
      code,
      reason,
      flags: frame.flags & ~Flag.MORE,
      opcode: frame.opcode,
      seq: frame.seq,
      channel: frame.channel,
    };
  }

  private drop(key: number, partial: Partial): void {
    this.partials.delete(key);
    this.bytesHeld -= partial.bytes;
  }
}

function keyOf(frame: Frame): number {
  return ((frame.flags & Flag.REPLY) << 24) | (frame.channel << 16) | frame.seq;
}

function messageOf(frame: Frame, payload: Uint8Array): Message {
  return { flags: frame.flags & ~Flag.MORE, opcode: frame.opcode, seq: frame.seq, channel: frame.channel, payload };
}

const EMPTY = new Uint8Array(0);
/** A message buffer this large grows to the last large message's size at once (see `grow`). */
const SIZE_HINT_FROM = 64 * 1024;

/**
 * The message: in index order the buffer already is it (a view; the buffer may be up to twice
 * the message, within the message bound); out of order, it is rebuilt by fragment.
 */
function join(partial: Partial): Uint8Array {
  if (partial.inOrder) return partial.data.subarray(0, partial.bytes);
  const out = new Uint8Array(partial.bytes);
  const { offsets, sizes, data } = partial;
  let o = 0;
  for (let i = 0; i < offsets.length; i++) {
    const start = offsets[i]!;
    const size = sizes[i]!;
    out.set(data.subarray(start, start + size), o);
    o += size;
  }
  return out;
}
