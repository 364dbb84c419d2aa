import { realClock, type Clock } from './Clock.js';
import { ErrorCode, Flag, MAX_CONTENT, MAX_MESSAGE, Opcode, PROTOCOL_VERSION, isKnownOpcode } from './constants.js';
import type { Disposable } from './Disposable.js';
import { encodeFrame } from './encodeFrame.js';
import { Fragmenter } from './Fragmenter.js';
import { FrameDecoder, type FrameErrorCode } from './FrameDecoder.js';
import type { Frame } from './Frame.js';
import type { Line } from './Line.js';
import type { Message } from './Message.js';
import { PacedLine } from './PacedLine.js';
import { decodeErrorPayload, encodeErrorPayload } from './payloads/errorPayload.js';
import { decodeHello, encodeHello, makeHello, type Hello } from './payloads/hello.js';
import { ProtocolError, toWireCode } from './ProtocolError.js';
import { Reassembler } from './Reassembler.js';
import { ReplyCache, type CacheLookup } from './ReplyCache.js';
import type { ReplyCacheRegistry } from './ReplyCacheRegistry.js';
import { RtoEstimator } from './RtoEstimator.js';
import { MAX_SEQ_SPAN, seqCompare, seqNext } from './serial.js';

export interface SessionOptions {
  /** For logs; also the HELLO name unless `hello.name` is given. */
  name?: string;
  /** Outstanding requests this side allows (1..64, default 8); lowered to the peer's after HELLO. */
  window?: number;
  /** Largest frame content this side accepts (default 4096), announced in HELLO. */
  maxContent?: number;
  initialRtoMs?: number;
  minRtoMs?: number;
  maxRtoMs?: number;
  /** Retransmissions before a request fails with TIMEOUT (default 6). */
  retryLimit?: number;
  /** Answered requests remembered for duplicates (default 16384) and reply bytes kept for them (default 4 MiB). */
  duplicateCacheSize?: number;
  duplicateCacheBytes?: number;
  /**
   * Where the duplicate caches of peers live across lines, by the boot id of their HELLO (the
   * sizes above are then the registry's). Without one, the cache ends with this session.
   */
  replyCaches?: ReplyCacheRegistry;
  /** Largest message accepted or sent (default MAX_MESSAGE). */
  maxMessageBytes?: number;
  /**
   * Bytes all partial incoming messages may hold together (default 2 × MAX_MESSAGE); a fragment
   * past it is refused with BUSY, bounding this line's reassembly memory.
   */
  maxReassemblyBytes?: number;
  /** Partial incoming messages are dropped after this long without a fragment (default 60 s). */
  reassemblyTimeoutMs?: number;
  /** At most one NAK per this interval (default 250 ms). */
  nakIntervalMs?: number;
  /**
   * Rate at which written bytes leave (bytes/s), so timers start when a request has actually
   * been sent. Defaults to the PacedLine's rate when `line` is one, else unpaced.
   */
  lineBytesPerSecond?: number;
  /** First seq used (default 1); tests use it to exercise wrap-around. */
  initialSeq?: number;
  /** Fields of this side's HELLO not derived from the options above. */
  hello?: Partial<Hello>;
  /**
   * This side's boot id (u32, not 0), sent as HELLO's trailing field; a peer clears its duplicate
   * cache only when it changes. Default: random per Session, i.e. per start of this side.
   */
  bootId?: number;
  /** Called with the peer's HELLO before it is accepted; throw a ProtocolError (e.g. UNAUTHORIZED) to refuse. */
  onHello?: (peer: Hello) => void;
  /** Which frames of the peer get in at all (e.g. bridge/dispatch/AuthGate before the token); default: all. */
  admission?: AdmissionPolicy;
  clock?: Clock;
}

export interface RequestOptions {
  /** 0 (default) is the line itself. */
  channel?: number;
  /** Send once, expect nothing; resolves after writing with an empty payload. */
  noReply?: boolean;
  /**
   * Overall deadline from the call. When given, retransmission goes on (with back-off) until
   * the deadline instead of stopping at the retry limit; useful for slow handlers.
   */
  timeoutMs?: number;
}

export interface Reply {
  payload: Uint8Array;
  channel: number;
  seq: number;
}

export interface IncomingRequest {
  opcode: number;
  seq: number;
  channel: number;
  flags: number;
  payload: Uint8Array;
  noReply: boolean;
}

/** Returns the reply payload; throw a ProtocolError to send an ERROR reply with its code. */
export type RequestHandler = (request: IncomingRequest) => Uint8Array | Promise<Uint8Array>;

/**
 * Decides, frame by frame, what a peer may send before anything else looks at it: a refused
 * frame is never reassembled, answered from the cache or handled, and is not counted in
 * `framesIn`. A refused request hears the error as an ERROR reply; refused replies and NOREPLY
 * requests are dropped.
 */
export interface AdmissionPolicy {
  /** undefined lets the frame in; an error refuses it. */
  admit(frame: Frame): ProtocolError | undefined;
  /** Whether a corrupt frame may be answered with NAK now (default: yes). */
  mayNak?(): boolean;
}

export interface SessionStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  crcErrors: number;
  /** Every dropped frame, bad CRC included. */
  malformed: number;
  naksSent: number;
  naksReceived: number;
  retransmits: number;
  /** Duplicate requests (answered from the cache or ignored while running) and late replies. */
  duplicates: number;
  timeouts: number;
  requestsSent: number;
  requestsReceived: number;
  repliesSent: number;
  /** ERROR replies with code BUSY (a limit of this side refused the request). */
  busySent: number;
  /** NOREPLY requests that failed or were refused: the peer is never told, so they are only counted. */
  noReplyFailed: number;
}

/** All counters at zero; for a new session, or for totals summed over many. */
export function emptySessionStats(): SessionStats {
  return {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    crcErrors: 0,
    malformed: 0,
    naksSent: 0,
    naksReceived: 0,
    retransmits: 0,
    duplicates: 0,
    timeouts: 0,
    requestsSent: 0,
    requestsReceived: 0,
    repliesSent: 0,
    busySent: 0,
    noReplyFailed: 0,
  };
}

/** What a session holds in memory right now; every figure is bounded by an option or a protocol limit. */
export interface SessionFootprint {
  /** Unescaped bytes of the frame being decoded (≤ maxContent). */
  decoderBytes: number;
  /** Incoming messages waiting for fragments, and their bytes. */
  partialMessages: number;
  partialBytes: number;
  /** Answered requests remembered for duplicates, and the reply bytes kept for them. */
  cachedRequests: number;
  cachedReplyBytes: number;
  /** Requests received and not answered yet. */
  running: number;
  /** Own requests on the line, and waiting for the window. */
  outstanding: number;
  queued: number;
  /** Chunks a synchronous line delivered while the session was decoding. */
  backlog: number;
  listeners: number;
}

export type SessionEvent =
  | { type: 'frame-error'; code: FrameErrorCode; bytes: number }
  | { type: 'nak-sent' }
  | { type: 'nak-received' }
  | { type: 'retransmit'; opcode: number; seq: number; channel: number; reason: 'timeout' | 'nak'; attempt: number }
  | { type: 'timeout'; opcode: number; seq: number; channel: number }
  | { type: 'duplicate-request'; opcode: number; seq: number; channel: number; answered: boolean }
  | { type: 'late-reply'; opcode: number; seq: number; channel: number }
  | { type: 'handler-error'; opcode: number; seq: number; channel: number; error: unknown }
  | { type: 'reassembly-rejected'; code: string; reason: string; seq: number; channel: number; noReply: boolean }
  | { type: 'hello'; peer: Hello }
  | { type: 'closed'; code: 'LINE_CLOSED' | 'SESSION_CLOSED' };

interface Outgoing {
  opcode: number;
  channel: number;
  payload: Uint8Array;
  seq: number;
  wires: Uint8Array[];
  resolve: (reply: Reply) => void;
  reject: (error: ProtocolError) => void;
  /** Retransmissions so far. */
  attempts: number;
  /** Karn: no RTT sample once sent twice. */
  retransmitted: boolean;
  /** When the last byte of the latest transmission has left (estimated). */
  sentAt: number;
  timer: unknown;
  deadline: unknown;
  timeoutMs: number | undefined;
}

const NAK_WIRE = encodeFrame({ flags: Flag.NOREPLY, opcode: Opcode.NAK, seq: 0, channel: 0, fragment: 0, payload: new Uint8Array(0) });
const EMPTY = new Uint8Array(0);

const defaultHandler: RequestHandler = (request) => {
  throw new ProtocolError('UNSUPPORTED', `opcode 0x${request.opcode.toString(16)} is not handled here`);
};

/**
 * One end of a line speaking the 56k protocol: numbered requests with a window, adaptive
 * retransmission, duplicate suppression, NAKs, fragmentation both ways and HELLO negotiation.
 */
export class Session implements Disposable {
  readonly name: string;
  readonly stats: SessionStats = emptySessionStats();
  private readonly clock: Clock;
  private readonly decoder: FrameDecoder;
  private readonly reassembler: Reassembler;
  private readonly fragmenter = new Fragmenter();
  private readonly rtoEstimator: RtoEstimator;
  private cache: ReplyCache;
  private readonly replyCaches: ReplyCacheRegistry | undefined;
  /** The peer boot id whose cache this session claimed from `replyCaches`. */
  private claimedBoot: number | undefined;
  private readonly retryLimit: number;
  private readonly maxMessageBytes: number;
  private readonly nakIntervalMs: number;
  private readonly bytesPerMs: number;
  private localHello: Hello;
  private peer: Hello | undefined;
  private windowSize: number;
  private nextSeq: number;
  private readonly queue: Outgoing[] = [];
  private readonly outstanding = new Map<number, Outgoing>();
  private handler: RequestHandler = defaultHandler;
  /** Handlers by opcode, consulted before `handler`; HELLO and PING are entries like any other. */
  private readonly handlers: (RequestHandler | undefined)[] = new Array<RequestHandler | undefined>(256).fill(undefined);
  private readonly admission: AdmissionPolicy | undefined;
  private readonly listeners: ((event: SessionEvent) => void)[] = [];
  private readonly subscriptions: Disposable[] = [];
  private closedCode: 'LINE_CLOSED' | 'SESSION_CLOSED' | undefined;
  private lastNakAt = Number.NEGATIVE_INFINITY;
  private lineFreeAt = 0;
  private receiving = false;
  private readonly backlog: Uint8Array[] = [];
  private expiryTimer: unknown;
  private expiryArmed = false;

  constructor(
    private readonly line: Line,
    options: SessionOptions = {},
  ) {
    this.name = options.name ?? line.name;
    this.clock = options.clock ?? realClock;
    const maxContent = options.maxContent ?? MAX_CONTENT;
    this.localHello = makeHello({ name: this.name, window: options.window ?? 8, maxContent, ...options.hello });
    encodeHello(this.localHello); // validates window and maxContent early
    this.windowSize = this.localHello.window;
    this.decoder = new FrameDecoder({ maxContent });
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE;
    this.reassembler = new Reassembler({
      maxMessageBytes: this.maxMessageBytes,
      ...(options.maxReassemblyBytes !== undefined ? { maxBytesInFlight: options.maxReassemblyBytes } : {}),
      timeoutMs: options.reassemblyTimeoutMs ?? 60_000,
    });
    this.rtoEstimator = new RtoEstimator(options.initialRtoMs ?? 1000, options.minRtoMs ?? 200, options.maxRtoMs ?? 30_000);
    this.replyCaches = options.replyCaches;
    this.cache = this.replyCaches?.newCache() ?? new ReplyCache(options.duplicateCacheSize ?? 16_384, options.duplicateCacheBytes ?? 4 * 1024 * 1024);
    this.retryLimit = options.retryLimit ?? 6;
    this.nakIntervalMs = options.nakIntervalMs ?? 250;
    const rate = options.lineBytesPerSecond ?? (line instanceof PacedLine ? line.bytesPerSecond : Number.POSITIVE_INFINITY);
    this.bytesPerMs = rate / 1000;
    this.nextSeq = (options.initialSeq ?? 1) & 0xffff;
    this.onHelloCallback = options.onHello;
    this.admission = options.admission;
    this.handlers[Opcode.HELLO] = (request) => this.answerHello(request);
    this.handlers[Opcode.PING] = (request) => request.payload;
    this.bootId = options.bootId ?? randomBootId();
    if (!Number.isInteger(this.bootId) || this.bootId < 1 || this.bootId > 0xffff_ffff) {
      throw new ProtocolError('INVALID_ARGUMENT', `bootId ${this.bootId} is not 1..2^32-1`);
    }
    this.subscriptions.push(
      line.onData((chunk) => this.receive(chunk)),
      line.onClose(() => this.shutdown('LINE_CLOSED')),
      this.decoder.onFrame((frame) => this.onFrame(frame)),
      this.decoder.onError((event) => this.onFrameError(event.code, event.bytes)),
    );
    if (!line.isOpen) this.shutdown('LINE_CLOSED');
  }

  private readonly onHelloCallback: ((peer: Hello) => void) | undefined;
  readonly bootId: number;
  private peerBoot: number | undefined;

  /** Outstanding requests allowed now (after HELLO: the smaller of both sides). */
  get window(): number {
    return this.windowSize;
  }

  get outstandingCount(): number {
    return this.outstanding.size;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  get footprint(): SessionFootprint {
    return {
      decoderBytes: this.decoder.bufferedBytes,
      partialMessages: this.reassembler.partialCount,
      partialBytes: this.reassembler.bytesInFlight,
      cachedRequests: this.cache.size,
      cachedReplyBytes: this.cache.replyBytes,
      running: this.cache.runningCount,
      outstanding: this.outstanding.size,
      queued: this.queue.length,
      backlog: this.backlog.length,
      listeners: this.listeners.length,
    };
  }

  /** Current retransmission timeout (before back-off). */
  get rto(): number {
    return this.rtoEstimator.rto;
  }

  /** The peer's HELLO, once exchanged in either direction. */
  get peerHello(): Hello | undefined {
    return this.peer;
  }

  /** The boot id from the peer's latest HELLO that carried one. */
  get peerBootId(): number | undefined {
    return this.peerBoot;
  }

  get isClosed(): boolean {
    return this.closedCode !== undefined;
  }

  /** The handler of every opcode without an entry of its own (see `handle`). */
  setHandler(handler: RequestHandler): void {
    this.handler = handler;
  }

  /**
   * Answers `opcode` with `handler` (replacing the session's own HELLO or PING answer, if that is
   * the opcode); dispose to restore the previous entry.
   */
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

  onEvent(listener: (event: SessionEvent) => void): Disposable {
    this.listeners.push(listener);
    return {
      dispose: () => {
        const i = this.listeners.indexOf(listener);
        if (i >= 0) this.listeners.splice(i, 1);
      },
    };
  }

  /**
   * Sends `payload` as a request and resolves with the reply; rejects with a ProtocolError.
   * The payload is read when the request leaves the queue and on every retransmission: do not
   * modify it until the promise settles.
   */
  request(opcode: number, payload: Uint8Array, options: RequestOptions = {}): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const channel = options.channel ?? 0;
      const problem = this.checkRequest(opcode, channel, payload);
      if (problem !== undefined) {
        reject(problem);
        return;
      }
      const out: Outgoing = {
        opcode,
        channel,
        payload,
        seq: 0,
        wires: [],
        resolve,
        reject,
        attempts: 0,
        retransmitted: false,
        sentAt: 0,
        timer: undefined,
        deadline: undefined,
        timeoutMs: options.timeoutMs,
      };
      if (options.noReply === true) {
        this.sendNoReply(out);
        return;
      }
      if (options.timeoutMs !== undefined) {
        out.deadline = this.clock.setTimeout(() => this.expire(out), Math.max(0, options.timeoutMs));
      }
      this.queue.push(out);
      this.pump();
    });
  }

  /** Exchanges HELLO: sends ours (optionally updated), returns the peer's and applies the negotiated limits. */
  async hello(local: Partial<Hello> = {}): Promise<Hello> {
    this.localHello = makeHello({ ...this.localHello, ...local });
    const reply = await this.request(Opcode.HELLO, this.encodeLocalHello());
    const peer = decodeHello(reply.payload);
    this.acceptHello(peer);
    this.notePeerBootId(peer.bootId);
    return peer;
  }

  /** Rejects everything pending with SESSION_CLOSED and detaches from the line (which stays open). */
  close(): void {
    this.shutdown('SESSION_CLOSED');
  }

  dispose(): void {
    this.close();
  }

  // ---- sending ----

  private checkRequest(opcode: number, channel: number, payload: Uint8Array): ProtocolError | undefined {
    if (this.closedCode !== undefined) return new ProtocolError(this.closedCode, `session ${this.name} is closed`);
    if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xff || opcode === Opcode.NAK) {
      return new ProtocolError('INVALID_ARGUMENT', `opcode ${opcode} cannot be requested`);
    }
    if (!Number.isInteger(channel) || channel < 0 || channel > 0xff) {
      return new ProtocolError('INVALID_ARGUMENT', `channel ${channel} is not 0..255`);
    }
    const max = Math.min(this.maxMessageBytes, this.fragmenter.maxMessage);
    if (payload.length > max) return new ProtocolError('TOO_LARGE', `payload of ${payload.length} bytes exceeds ${max}`);
    return undefined;
  }

  private sendNoReply(out: Outgoing): void {
    out.seq = this.allocateSeq(out.channel);
    const wires = this.fragmenter.encode({ flags: Flag.NOREPLY, opcode: out.opcode, seq: out.seq, channel: out.channel, payload: out.payload });
    this.stats.requestsSent++;
    for (const wire of wires) this.writeWire(wire);
    out.resolve({ payload: EMPTY, channel: out.channel, seq: out.seq });
  }

  /**
   * Moves queued requests onto the line while the window has room and the seqs in flight
   * stay within MAX_SEQ_SPAN of the oldest unanswered one (what the peer's cache must cover).
   */
  private pump(): void {
    while (this.closedCode === undefined && this.queue.length > 0 && this.outstanding.size < this.windowSize) {
      const oldest = this.outstanding.values().next();
      if (oldest.done !== true && seqCompare(this.nextSeq, oldest.value.seq) >= MAX_SEQ_SPAN) break;
      const out = this.queue.shift()!;
      out.seq = this.allocateSeq(out.channel);
      try {
        out.wires = this.fragmenter.encode({ flags: 0, opcode: out.opcode, seq: out.seq, channel: out.channel, payload: out.payload });
      } catch (error) {
        this.settle(out);
        out.reject(error instanceof ProtocolError ? error : new ProtocolError('INTERNAL', String(error)));
        continue;
      }
      this.outstanding.set(key(out.channel, out.seq), out);
      this.stats.requestsSent++;
      this.transmit(out);
    }
  }

  private allocateSeq(channel: number): number {
    let seq = this.nextSeq;
    // After a wrap, skip a seq still outstanding on this channel (a very slow request).
    while (this.outstanding.has(key(channel, seq))) seq = seqNext(seq);
    this.nextSeq = seqNext(seq);
    return seq;
  }

  private transmit(out: Outgoing): void {
    for (const wire of out.wires) this.writeWire(wire);
    out.sentAt = Number.isFinite(this.bytesPerMs) ? this.lineFreeAt : this.clock.now();
    this.armTimer(out);
  }

  private armTimer(out: Outgoing): void {
    if (out.timer !== undefined) this.clock.clearTimeout(out.timer);
    // Before any RTT sample, allow for a reply as long as the request on a paced line.
    const replyAllowance = this.rtoEstimator.srtt === undefined ? this.txTime(out.wires) : 0;
    const delay = out.sentAt - this.clock.now() + this.rtoEstimator.backedOff(out.attempts) + replyAllowance;
    out.timer = this.clock.setTimeout(() => this.onTimeout(out), Math.max(0, delay));
  }

  private onTimeout(out: Outgoing): void {
    out.timer = undefined;
    if (this.outstanding.get(key(out.channel, out.seq)) !== out) return;
    if (out.timeoutMs === undefined && out.attempts >= this.retryLimit) {
      this.fail(out, new ProtocolError('TIMEOUT', `no reply to opcode 0x${out.opcode.toString(16)} seq ${out.seq} after ${out.attempts + 1} transmissions`));
      return;
    }
    this.rtoEstimator.expired(out.attempts);
    out.attempts++;
    this.retransmit(out, 'timeout');
  }

  private txTime(wires: Uint8Array[]): number {
    if (!Number.isFinite(this.bytesPerMs)) return 0;
    return wires.reduce((n, w) => n + w.length, 0) / this.bytesPerMs;
  }

  private retransmit(out: Outgoing, reason: 'timeout' | 'nak'): void {
    out.retransmitted = true;
    this.stats.retransmits++;
    this.emit({ type: 'retransmit', opcode: out.opcode, seq: out.seq, channel: out.channel, reason, attempt: out.attempts });
    this.transmit(out);
  }

  /** The request's own deadline (timeoutMs) passed. */
  private expire(out: Outgoing): void {
    out.deadline = undefined;
    const queued = this.queue.indexOf(out);
    if (queued >= 0) this.queue.splice(queued, 1);
    else if (this.outstanding.get(key(out.channel, out.seq)) !== out) return;
    this.fail(out, new ProtocolError('TIMEOUT', `no reply to opcode 0x${out.opcode.toString(16)} within ${out.timeoutMs} ms`));
  }

  private fail(out: Outgoing, error: ProtocolError): void {
    this.stats.timeouts++;
    this.emit({ type: 'timeout', opcode: out.opcode, seq: out.seq, channel: out.channel });
    this.settle(out);
    out.reject(error);
    this.pump();
  }

  /** Stops timers and forgets the request. */
  private settle(out: Outgoing): void {
    if (out.timer !== undefined) this.clock.clearTimeout(out.timer);
    if (out.deadline !== undefined) this.clock.clearTimeout(out.deadline);
    out.timer = undefined;
    out.deadline = undefined;
    const k = key(out.channel, out.seq);
    if (this.outstanding.get(k) === out) this.outstanding.delete(k);
  }

  private writeWire(wire: Uint8Array): void {
    this.line.write(wire);
    this.stats.framesOut++;
    this.stats.bytesOut += wire.length;
    // Only a paced line needs to know when its bytes have left (replies are written on every request).
    if (Number.isFinite(this.bytesPerMs)) this.lineFreeAt = Math.max(this.clock.now(), this.lineFreeAt) + wire.length / this.bytesPerMs;
  }

  // ---- receiving ----

  private receive(chunk: Uint8Array): void {
    this.stats.bytesIn += chunk.length;
    if (this.receiving) {
      // A synchronous line delivered data while we were still decoding: finish that first.
      this.backlog.push(chunk.slice());
      return;
    }
    this.receiving = true;
    try {
      this.decoder.push(chunk);
      while (this.backlog.length > 0) this.decoder.push(this.backlog.shift()!);
    } finally {
      this.receiving = false;
    }
  }

  private onFrameError(code: FrameErrorCode, bytes: number): void {
    this.stats.malformed++;
    if (code === 'BAD_CRC') this.stats.crcErrors++;
    this.emit({ type: 'frame-error', code, bytes });
    const now = this.clock.now();
    if (this.closedCode !== undefined || now - this.lastNakAt < this.nakIntervalMs) return;
    if (this.admission?.mayNak?.() === false) return;
    this.lastNakAt = now;
    this.writeWire(NAK_WIRE);
    this.stats.naksSent++;
    this.emit({ type: 'nak-sent' });
  }

  private onFrame(frame: Frame): void {
    if (this.admission !== undefined && this.closedCode === undefined) {
      const refused = this.admission.admit(frame);
      if (refused !== undefined) {
        this.refuseFrame(frame, refused);
        return;
      }
    }
    this.stats.framesIn++;
    if (this.closedCode !== undefined) return;
    if (frame.opcode === Opcode.NAK && (frame.flags & Flag.REPLY) === 0) {
      this.onNak();
      return;
    }
    if (this.answerRepeatedFragments(frame)) return;
    const result = this.reassembler.push(frame, this.clock.now());
    switch (result.status) {
      case 'complete':
        this.onMessage(result.message, result.fragments);
        break;
      case 'pending':
        this.armExpiry();
        break;
      case 'duplicate':
        break;
      case 'rejected':
        this.onRejected(result.code, result.reason, result.flags, result.opcode, result.seq, result.channel);
        break;
    }
  }

  /** A frame the admission policy refused: a request hears why (not cached: it never ran), the rest is dropped. */
  private refuseFrame(frame: Frame, error: ProtocolError): void {
    if ((frame.flags & (Flag.REPLY | Flag.NOREPLY)) !== 0) return;
    const payload = errorPayloadOf(error);
    this.writeWire(encodeFrame({ flags: Flag.REPLY | Flag.ERROR, opcode: frame.opcode, seq: frame.seq, channel: frame.channel, fragment: 0, payload }));
  }

  private onNak(): void {
    this.stats.naksReceived++;
    this.emit({ type: 'nak-received' });
    const oldest = this.outstanding.values().next();
    if (oldest.done !== true) this.retransmit(oldest.value, 'nak');
  }

  private onRejected(code: 'TOO_LARGE' | 'BUSY' | 'BAD_PAYLOAD', reason: string, flags: number, opcode: number, seq: number, channel: number): void {
    this.emit({ type: 'reassembly-rejected', code, reason, seq, channel, noReply: (flags & Flag.NOREPLY) !== 0 });
    if ((flags & Flag.REPLY) !== 0) {
      const out = this.outstanding.get(key(channel, seq));
      if (out === undefined) return;
      this.settle(out);
      out.reject(new ProtocolError(code, `reply could not be reassembled: ${reason}`));
      this.pump();
      return;
    }
    if ((flags & Flag.NOREPLY) !== 0) {
      this.stats.noReplyFailed++;
      return;
    }
    if (code === 'BUSY') this.stats.busySent++;
    this.sendReply({ flags, opcode, seq, channel, payload: EMPTY }, errorPayloadOf(new ProtocolError(code, reason)), Flag.ERROR, undefined);
  }

  private armExpiry(): void {
    if (this.expiryArmed) return;
    this.expiryArmed = true;
    this.expiryTimer = this.clock.setTimeout(() => {
      this.expiryArmed = false;
      this.reassembler.expire(this.clock.now());
      if (this.reassembler.partialCount > 0) this.armExpiry();
    }, this.reassembler.timeoutMs);
  }

  /**
   * The last fragment of a multi-frame request already answered: resend the cached reply at
   * once. Waiting for the whole request again would need every fragment to survive once more.
   */
  private answerRepeatedFragments(frame: Frame): boolean {
    if ((frame.flags & (Flag.REPLY | Flag.MORE)) !== 0 || frame.fragment === 0) return false;
    const known = this.cache.lookupByLastFragment(frame.channel, frame.seq, frame.opcode, frame.fragment);
    if (known === undefined) return false;
    this.answerDuplicate(frame, known);
    return true;
  }

  /** A request seen before: resend its reply, or ignore it while it runs / once its reply was dropped. */
  private answerDuplicate(request: { opcode: number; seq: number; channel: number }, known: NonNullable<CacheLookup>): void {
    this.stats.duplicates++;
    const answered = known.kind === 'reply';
    this.emit({ type: 'duplicate-request', opcode: request.opcode, seq: request.seq, channel: request.channel, answered });
    if (known.kind === 'reply') for (const wire of known.wires) this.writeWire(wire);
  }

  private onMessage(message: Message, fragments: number): void {
    if ((message.flags & Flag.REPLY) !== 0) this.onReply(message);
    else this.onRequest(message, fragments);
  }

  private onReply(message: Message): void {
    const out = this.outstanding.get(key(message.channel, message.seq));
    if (out === undefined || out.opcode !== message.opcode) {
      this.stats.duplicates++;
      this.emit({ type: 'late-reply', opcode: message.opcode, seq: message.seq, channel: message.channel });
      return;
    }
    this.settle(out);
    if (!out.retransmitted) this.rtoEstimator.sample(this.clock.now() - out.sentAt);
    if ((message.flags & Flag.ERROR) !== 0) {
      out.reject(remoteError(message.payload));
    } else {
      out.resolve({ payload: message.payload, channel: message.channel, seq: message.seq });
    }
    this.pump();
  }

  private onRequest(message: Message, fragments: number): void {
    const { channel, seq, opcode, payload } = message;
    const cache = this.cache;
    const known = cache.isRunning(channel, seq) ? ({ kind: 'forgotten' } as const) : cache.lookup(channel, seq, opcode, payload);
    if (known !== undefined) {
      this.answerDuplicate(message, known);
      return;
    }
    this.stats.requestsReceived++;
    const noReply = (message.flags & Flag.NOREPLY) !== 0;
    const request: IncomingRequest = { opcode, seq, channel, flags: message.flags, payload, noReply };
    cache.begin(channel, seq);
    let result: Uint8Array | Promise<Uint8Array>;
    try {
      result = this.dispatch(request);
    } catch (error) {
      this.answerError(message, error, fragments, cache);
      return;
    }
    if (result instanceof Uint8Array) {
      this.sendReply(message, result, 0, cache, fragments);
    } else {
      result.then(
        (reply) => this.sendReply(message, reply, 0, cache, fragments),
        (error: unknown) => this.answerError(message, error, fragments, cache),
      );
    }
  }

  private dispatch(request: IncomingRequest): Uint8Array | Promise<Uint8Array> {
    if (!isKnownOpcode(request.opcode)) {
      throw new ProtocolError('UNSUPPORTED', `opcode 0x${request.opcode.toString(16)} is unknown`);
    }
    const handler = this.handlers[request.opcode];
    return handler !== undefined ? handler(request) : this.handler(request);
  }

  private answerHello(request: IncomingRequest): Uint8Array {
    const peer = decodeHello(request.payload);
    this.onHelloCallback?.(peer);
    this.acceptHello(peer);
    this.notePeerBootId(peer.bootId);
    return this.encodeLocalHello();
  }

  private answerError(message: Message, error: unknown, fragments: number, begunIn: ReplyCache): void {
    if (!(error instanceof ProtocolError)) {
      this.emit({ type: 'handler-error', opcode: message.opcode, seq: message.seq, channel: message.channel, error });
    }
    if ((message.flags & Flag.NOREPLY) !== 0) this.stats.noReplyFailed++;
    else if (error instanceof ProtocolError && error.code === 'BUSY') this.stats.busySent++;
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
  private sendReply(request: Message, payload: Uint8Array, extraFlags: number, begunIn: ReplyCache | undefined, fragments = 1): void {
    const { channel, seq, opcode } = request;
    const cache = begunIn === undefined ? undefined : begunIn.isRunning(channel, seq) ? begunIn : this.cache;
    if ((request.flags & Flag.NOREPLY) !== 0) {
      cache?.put(channel, seq, opcode, request.payload, [], fragments);
      return;
    }
    let wires: Uint8Array[];
    try {
      if (!(payload instanceof Uint8Array)) throw new ProtocolError('INTERNAL', 'handler did not return a Uint8Array');
      wires = this.fragmenter.encode({ flags: Flag.REPLY | extraFlags, opcode, seq, channel, payload });
    } catch (error) {
      const fallback = errorPayloadOf(error instanceof ProtocolError ? error : new ProtocolError('INTERNAL', String(error)));
      wires = this.fragmenter.encode({ flags: Flag.REPLY | Flag.ERROR, opcode, seq, channel, payload: fallback });
    }
    cache?.put(channel, seq, opcode, request.payload, wires, fragments);
    if (this.closedCode !== undefined) return;
    this.stats.repliesSent++;
    for (const wire of wires) this.writeWire(wire);
  }

  private acceptHello(peer: Hello): void {
    if (peer.version !== PROTOCOL_VERSION) {
      throw new ProtocolError('UNSUPPORTED', `peer speaks protocol version ${peer.version}, this side ${PROTOCOL_VERSION}`);
    }
    this.peer = peer;
    this.windowSize = Math.min(this.localHello.window, peer.window);
    this.fragmenter.maxContent = Math.min(MAX_CONTENT, peer.maxContent);
    this.emit({ type: 'hello', peer });
    this.pump();
  }

  private encodeLocalHello(): Uint8Array {
    return encodeHello({ ...this.localHello, bootId: this.bootId });
  }

  /**
   * Only a peer that restarted (a new boot id) may reuse the seqs it used before, so only then
   * are the answered requests forgotten. A HELLO in mid-conversation, a retransmitted one or one
   * without a boot id keeps the cache: a retransmitted BLOCK_SET is still applied once. Requests
   * still running are not in the cache and get cached when they finish.
   */
  private notePeerBootId(bootId: number): void {
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

  // ---- lifecycle ----

  private shutdown(code: 'LINE_CLOSED' | 'SESSION_CLOSED'): void {
    if (this.closedCode !== undefined) return;
    this.closedCode = code;
    for (const s of this.subscriptions) s.dispose();
    if (this.expiryArmed) this.clock.clearTimeout(this.expiryTimer);
    this.expiryArmed = false;
    this.reassembler.clear();
    if (this.claimedBoot !== undefined) this.replyCaches?.release(this.claimedBoot, this.cache);
    this.claimedBoot = undefined;
    const pending = [...this.outstanding.values(), ...this.queue];
    this.queue.length = 0;
    for (const out of pending) {
      this.settle(out);
      out.reject(new ProtocolError(code, code === 'LINE_CLOSED' ? `line ${this.line.name} closed` : `session ${this.name} closed`));
    }
    this.emit({ type: 'closed', code });
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners.slice()) listener(event);
  }
}

function key(channel: number, seq: number): number {
  return (channel << 16) | seq;
}

function randomBootId(): number {
  // Not a secret: it only has to differ between two starts of the same side.
  return 1 + Math.floor(Math.random() * 0xffff_fffe);
}

function errorPayloadOf(error: unknown): Uint8Array {
  if (error instanceof ProtocolError) return encodeErrorPayload({ code: toWireCode(error.code), message: error.message });
  const message = error instanceof Error ? error.message : String(error);
  return encodeErrorPayload({ code: ErrorCode.INTERNAL, message: `internal error: ${message}` });
}

function remoteError(payload: Uint8Array): ProtocolError {
  try {
    const { code, message } = decodeErrorPayload(payload);
    return ProtocolError.fromWire(code, message);
  } catch {
    return new ProtocolError('BAD_PAYLOAD', 'the peer sent an empty ERROR reply', { remote: true });
  }
}
