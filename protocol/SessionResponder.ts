import type { Disposable } from './Disposable.js';
import { ErrorCode, Flag, isKnownOpcode } from './constants.js';
import { CRC16_INIT, crc16 } from './crc16.js';
import { encodeFrame } from './encodeFrame.js';
import type { Frame } from './Frame.js';
import type { Message } from './Message.js';
import { encodeErrorPayload } from './payloads/errorPayload.js';
import { ProtocolError, toWireCode } from './ProtocolError.js';
import { ReplyCache, type CacheLookup } from './ReplyCache.js';
import type { ReplyCacheRegistry } from './ReplyCacheRegistry.js';
import type { IncomingRequest, RequestHandler } from './Session.js';
import type { SessionPort } from './SessionPort.js';

export interface SessionResponderOptions {
  /** Answered requests remembered for duplicates and reply bytes kept for them (without a registry). */
  duplicateCacheSize: number;
  duplicateCacheBytes: number;
  /** Where peers' duplicate caches live across lines, by boot id (then its sizes apply). */
  replyCaches?: ReplyCacheRegistry;
}

/** What the duplicate cache remembers of a request: its payload's length and CRC-16. */
interface Fingerprint {
  length: number;
  crc: number;
}

/** A request being answered: its header and fingerprint (its payload went to the handler). */
interface Answered {
  flags: number;
  opcode: number;
  seq: number;
  channel: number;
  asked: Fingerprint;
}

/** A request refused before it ran is never cached, so its fingerprint is never read. */
const NOTHING_ASKED: Fingerprint = { length: 0, crc: CRC16_INIT };

/**
 * Replies of more frames than this are encoded and written this many frames at a time, with a
 * turn of the host's event loop between slices: a 1 MB reply (257 frames, ≈ 6 ms to encode) held
 * up every other line for its whole encoding (issue 16). Smaller replies go out in one turn.
 */
export const REPLY_SLICE_FRAMES = 32;

const defaultHandler: RequestHandler = (request) => {
  throw new ProtocolError('UNSUPPORTED', `opcode 0x${request.opcode.toString(16)} is not handled here`);
};

/**
 * The half of a Session that answers the peer's requests: the handler table by opcode, the
 * duplicate cache (a retransmitted request is answered from it, never run twice), the replies
 * (encoded, cached, written) and the peer's boot id, which decides when that cache is the
 * peer's old one, a new one, or the one it left behind on another line.
 */
export class SessionResponder {
  private cache: ReplyCache;
  private readonly replyCaches: ReplyCacheRegistry | undefined;
  /** The peer boot id whose cache was claimed from `replyCaches`. */
  private claimedBoot: number | undefined;
  private peerBoot: number | undefined;
  private handler: RequestHandler = defaultHandler;
  private readonly handlers: (RequestHandler | undefined)[] = new Array<RequestHandler | undefined>(256).fill(undefined);

  constructor(
    private readonly port: SessionPort,
    options: SessionResponderOptions,
  ) {
    this.replyCaches = options.replyCaches;
    this.cache = this.replyCaches?.newCache() ?? new ReplyCache(options.duplicateCacheSize, options.duplicateCacheBytes);
  }

  /** The boot id from the peer's latest HELLO that carried one. */
  get peerBootId(): number | undefined {
    return this.peerBoot;
  }

  get cachedRequests(): number {
    return this.cache.size;
  }

  get cachedReplyBytes(): number {
    return this.cache.replyBytes;
  }

  get running(): number {
    return this.cache.runningCount;
  }

  /** The handler of every opcode without an entry of its own. */
  setHandler(handler: RequestHandler): void {
    this.handler = handler;
  }

  /** Answers `opcode` with `handler`; dispose to restore the previous entry. */
  handle(opcode: number, handler: RequestHandler): Disposable {
    if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xff) throw new ProtocolError('INVALID_ARGUMENT', `opcode ${opcode} is not 0..255`);
    const previous = this.handlers[opcode];
    this.handlers[opcode] = handler;
    return {
      dispose: () => {
        if (this.handlers[opcode] === handler) this.handlers[opcode] = previous;
      },
    };
  }

  /**
   * The last fragment of a multi-frame request already answered: resend the cached reply at
   * once (true). Waiting for the whole request again would need every fragment to survive once more.
   */
  answerRepeatedFragments(frame: Frame): boolean {
    if ((frame.flags & (Flag.REPLY | Flag.MORE)) !== 0 || frame.fragment === 0) return false;
    const known = this.cache.lookupByLastFragment(frame.channel, frame.seq, frame.opcode, frame.fragment);
    if (known === undefined) return false;
    this.answerDuplicate(frame, known);
    return true;
  }

  /**
   * A complete request: answered from the cache, ignored while it runs, or handled. `requestCrc`
   * is its payload's CRC-16 when the reassembler already has it. The fingerprint is taken before
   * the handler runs, because the payload is the handler's from then on.
   */
  onRequest(message: Message, fragments: number, requestCrc?: number): void {
    const { channel, seq, opcode, payload } = message;
    const cache = this.cache;
    if (cache.isRunning(channel, seq)) {
      this.answerDuplicate(message, { kind: 'forgotten' });
      return;
    }
    const asked: Fingerprint = { length: payload.length, crc: requestCrc ?? crc16(payload) };
    const known = cache.lookup(channel, seq, opcode, asked.length, asked.crc);
    if (known !== undefined) {
      this.answerDuplicate(message, known);
      return;
    }
    this.port.stats.requestsReceived++;
    const noReply = (message.flags & Flag.NOREPLY) !== 0;
    const request: IncomingRequest = { opcode, seq, channel, flags: message.flags, payload, noReply };
    const answered: Answered = { flags: message.flags, opcode, seq, channel, asked };
    cache.begin(channel, seq);
    let result: Uint8Array | Promise<Uint8Array>;
    try {
      result = this.dispatch(request);
    } catch (error) {
      this.answerError(answered, error, fragments, cache);
      return;
    }
    if (result instanceof Uint8Array) {
      this.sendReply(answered, result, 0, cache, fragments);
    } else {
      result.then(
        (reply) => this.sendReply(answered, reply, 0, cache, fragments),
        (error: unknown) => this.answerError(answered, error, fragments, cache),
      );
    }
  }

  /** A request that could not be reassembled: an ERROR reply with that code (never cached: it never ran). */
  onRequestRejected(flags: number, opcode: number, seq: number, channel: number, code: 'TOO_LARGE' | 'BUSY' | 'BAD_PAYLOAD', reason: string): void {
    if ((flags & Flag.NOREPLY) !== 0) {
      this.port.stats.noReplyFailed++;
      return;
    }
    if (code === 'BUSY') this.port.stats.busySent++;
    this.sendReply({ flags, opcode, seq, channel, asked: NOTHING_ASKED }, errorPayloadOf(new ProtocolError(code, reason)), Flag.ERROR, undefined);
  }

  /** A request refused before it was even reassembled (admission policy): its ERROR reply. */
  refuse(frame: Frame, error: ProtocolError): void {
    if ((frame.flags & (Flag.REPLY | Flag.NOREPLY)) !== 0) return;
    const payload = errorPayloadOf(error);
    this.port.write(encodeFrame({ flags: Flag.REPLY | Flag.ERROR, opcode: frame.opcode, seq: frame.seq, channel: frame.channel, fragment: 0, payload }));
  }

  /**
   * Only a peer that restarted (a new boot id) may reuse the seqs it used before, so only then
   * are the answered requests forgotten. A HELLO in mid-conversation, a retransmitted one or one
   * without a boot id keeps the cache: a retransmitted BLOCK_SET is still applied once. Requests
   * still running stay known as running and get cached when they finish. With a registry the
   * cache is the peer's (by boot id), shared with its other lines and kept after they close.
   */
  notePeerBootId(bootId: number): void {
    if (bootId === 0 || bootId === this.peerBoot) return;
    const registry = this.replyCaches;
    if (registry === undefined) {
      if (this.peerBoot !== undefined) this.cache.clear();
    } else {
      // Another incarnation: its predecessor's cache (and requests still running in it) stays
      // with the old boot id; this one gets its own, or the one it left behind on another line.
      if (this.claimedBoot !== undefined) {
        registry.release(this.claimedBoot, this.cache);
        this.cache = registry.newCache();
      }
      this.cache = registry.claim(bootId, this.cache);
      this.claimedBoot = bootId;
    }
    this.peerBoot = bootId;
  }

  /** The session closed: the peer's cache is parked in the registry (replies still to come are cached in it). */
  close(): void {
    if (this.claimedBoot !== undefined) this.replyCaches?.release(this.claimedBoot, this.cache);
    this.claimedBoot = undefined;
  }

  private dispatch(request: IncomingRequest): Uint8Array | Promise<Uint8Array> {
    if (!isKnownOpcode(request.opcode)) {
      throw new ProtocolError('UNSUPPORTED', `opcode 0x${request.opcode.toString(16)} is unknown`);
    }
    const handler = this.handlers[request.opcode];
    return handler !== undefined ? handler(request) : this.handler(request);
  }

  /** A request seen before: resend its reply, or ignore it while it runs / once its reply was dropped. */
  private answerDuplicate(request: { opcode: number; seq: number; channel: number }, known: NonNullable<CacheLookup>): void {
    this.port.stats.duplicates++;
    const answered = known.kind === 'reply';
    this.port.emit({ type: 'duplicate-request', opcode: request.opcode, seq: request.seq, channel: request.channel, answered });
    if (known.kind === 'reply') for (const wire of known.wires) this.port.write(wire);
  }

  private answerError(message: Answered, error: unknown, fragments: number, begunIn: ReplyCache): void {
    if (!(error instanceof ProtocolError)) {
      this.port.emit({ type: 'handler-error', opcode: message.opcode, seq: message.seq, channel: message.channel, error });
    }
    if ((message.flags & Flag.NOREPLY) !== 0) this.port.stats.noReplyFailed++;
    else if (error instanceof ProtocolError && error.code === 'BUSY') this.port.stats.busySent++;
    this.sendReply(message, errorPayloadOf(error), Flag.ERROR, begunIn, fragments);
  }

  /**
   * Encodes, caches and writes a reply; a NOREPLY request only gets remembered. `begunIn` is the
   * cache the request was marked running in (undefined: not remembered). The reply goes there
   * while the request is still running in it (its peer restarted meanwhile, so it stays with the
   * old incarnation); otherwise into the current cache, which has taken the running request over
   * when a HELLO joined this line to its peer's cache. A reply that comes after the line closed is
   * still remembered: the peer may reconnect and retransmit.
   */
  private sendReply(request: Answered, payload: Uint8Array, extraFlags: number, begunIn: ReplyCache | undefined, fragments = 1): void {
    const { channel, seq, opcode, asked } = request;
    const cache = begunIn === undefined ? undefined : begunIn.isRunning(channel, seq) ? begunIn : this.cache;
    if ((request.flags & Flag.NOREPLY) !== 0) {
      cache?.put(channel, seq, opcode, asked.length, asked.crc, [], fragments);
      return;
    }
    const fragmenter = this.port.fragmenter;
    let wires: Uint8Array[];
    try {
      if (!(payload instanceof Uint8Array)) throw new ProtocolError('INTERNAL', 'handler did not return a Uint8Array');
      const message = { flags: Flag.REPLY | extraFlags, opcode, seq, channel, payload };
      if (payload.length > fragmenter.maxPayload * REPLY_SLICE_FRAMES) {
        this.sendSliced(request, fragmenter.split(message), begunIn, fragments);
        return;
      }
      wires = fragmenter.encode(message);
    } catch (error) {
      const fallback = errorPayloadOf(error instanceof ProtocolError ? error : new ProtocolError('INTERNAL', String(error)));
      wires = fragmenter.encode({ flags: Flag.REPLY | Flag.ERROR, opcode, seq, channel, payload: fallback });
    }
    cache?.put(channel, seq, opcode, asked.length, asked.crc, wires, fragments);
    if (this.port.closedCode() !== undefined) return;
    this.port.stats.repliesSent++;
    for (const wire of wires) this.port.write(wire);
  }

  /**
   * A large reply, REPLY_SLICE_FRAMES frames per turn. The request stays running until the last
   * slice, so a retransmission meanwhile is ignored like one of a request still being handled;
   * then the reply is cached whole.
   */
  private sendSliced(request: Answered, frames: Frame[], begunIn: ReplyCache | undefined, fragments: number): void {
    const { channel, seq, opcode, asked } = request;
    const wires: Uint8Array[] = [];
    let slice = 0;
    if (this.port.closedCode() === undefined) this.port.stats.repliesSent++;
    const step = (): void => {
      const end = Math.min(frames.length, (slice + 1) * REPLY_SLICE_FRAMES);
      const open = this.port.closedCode() === undefined;
      for (let i = slice * REPLY_SLICE_FRAMES; i < end; i++) {
        const wire = encodeFrame(frames[i]!);
        wires.push(wire);
        if (open) this.port.write(wire);
      }
      slice++;
      if (end < frames.length) {
        this.port.clock.setTimeout(step, 0);
        return;
      }
      const cache = begunIn === undefined ? undefined : begunIn.isRunning(channel, seq) ? begunIn : this.cache;
      cache?.put(channel, seq, opcode, asked.length, asked.crc, wires, fragments);
    };
    step();
  }
}

function errorPayloadOf(error: unknown): Uint8Array {
  if (error instanceof ProtocolError) return encodeErrorPayload({ code: toWireCode(error.code), message: error.message });
  const message = error instanceof Error ? error.message : String(error);
  return encodeErrorPayload({ code: ErrorCode.INTERNAL, message: `internal error: ${message}` });
}
