import { realClock, type Clock } from './Clock.js';
import { Flag, MAX_CONTENT, MAX_MESSAGE, Opcode, PROTOCOL_VERSION } from './constants.js';
import type { Disposable } from './Disposable.js';
import { encodeFrame } from './encodeFrame.js';
import { Fragmenter } from './Fragmenter.js';
import { FrameDecoder, type FrameErrorCode } from './FrameDecoder.js';
import type { Frame } from './Frame.js';
import type { Line } from './Line.js';
import { PacedLine } from './PacedLine.js';
import { decodeHello, encodeHello, makeHello, type Hello } from './payloads/hello.js';
import { ProtocolError } from './ProtocolError.js';
import { Reassembler } from './Reassembler.js';
import type { ReplyCacheRegistry } from './ReplyCacheRegistry.js';
import type { SessionPort } from './SessionPort.js';
import { SessionResponder } from './SessionResponder.js';
import { SessionSender } from './SessionSender.js';

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
  /**
   * The handler's own: the session keeps only its length and CRC (the duplicate cache's
   * fingerprint, taken before the call), so a handler may keep it or move its buffer to a worker.
   */
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

const NAK_WIRE = encodeFrame({ flags: Flag.NOREPLY, opcode: Opcode.NAK, seq: 0, channel: 0, fragment: 0, payload: new Uint8Array(0) });

/**
 * One end of a line speaking the 56k protocol: numbered requests with a window, adaptive
 * retransmission, duplicate suppression, NAKs, fragmentation both ways and HELLO negotiation.
 * The session itself decodes the line, reassembles messages, asks the admission policy, sends
 * NAKs and negotiates HELLO; what it sends is the SessionSender's (window, retransmission,
 * RTO), what it answers the SessionResponder's (handler table, duplicate cache, replies).
 */
export class Session implements Disposable {
  readonly name: string;
  readonly stats: SessionStats = emptySessionStats();
  private readonly clock: Clock;
  private readonly decoder: FrameDecoder;
  private readonly reassembler: Reassembler;
  private readonly fragmenter = new Fragmenter();
  private readonly sender: SessionSender;
  private readonly responder: SessionResponder;
  private readonly nakIntervalMs: number;
  private readonly bytesPerMs: number;
  private localHello: Hello;
  private peer: Hello | undefined;
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
  private readonly onHelloCallback: ((peer: Hello) => void) | undefined;
  readonly bootId: number;

  constructor(
    private readonly line: Line,
    options: SessionOptions = {},
  ) {
    this.name = options.name ?? line.name;
    this.clock = options.clock ?? realClock;
    const maxContent = options.maxContent ?? MAX_CONTENT;
    this.localHello = makeHello({ name: this.name, window: options.window ?? 8, maxContent, ...options.hello });
    encodeHello(this.localHello); // validates window and maxContent early
    this.decoder = new FrameDecoder({ maxContent });
    const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE;
    this.reassembler = new Reassembler({
      maxMessageBytes,
      ...(options.maxReassemblyBytes !== undefined ? { maxBytesInFlight: options.maxReassemblyBytes } : {}),
      timeoutMs: options.reassemblyTimeoutMs ?? 60_000,
    });
    this.nakIntervalMs = options.nakIntervalMs ?? 250;
    const rate = options.lineBytesPerSecond ?? (line instanceof PacedLine ? line.bytesPerSecond : Number.POSITIVE_INFINITY);
    this.bytesPerMs = rate / 1000;
    this.onHelloCallback = options.onHello;
    this.admission = options.admission;
    this.bootId = options.bootId ?? randomBootId();
    if (!Number.isInteger(this.bootId) || this.bootId < 1 || this.bootId > 0xffff_ffff) {
      throw new ProtocolError('INVALID_ARGUMENT', `bootId ${this.bootId} is not 1..2^32-1`);
    }
    const port: SessionPort = {
      name: this.name,
      stats: this.stats,
      clock: this.clock,
      fragmenter: this.fragmenter,
      write: (wire) => this.writeWire(wire),
      sentAt: () => (Number.isFinite(this.bytesPerMs) ? this.lineFreeAt : this.clock.now()),
      txTime: (wires) => (Number.isFinite(this.bytesPerMs) ? wires.reduce((n, w) => n + w.length, 0) / this.bytesPerMs : 0),
      emit: (event) => this.emit(event),
      closedCode: () => this.closedCode,
    };
    this.sender = new SessionSender(port, {
      window: this.localHello.window,
      maxMessageBytes,
      ...(options.initialRtoMs !== undefined ? { initialRtoMs: options.initialRtoMs } : {}),
      ...(options.minRtoMs !== undefined ? { minRtoMs: options.minRtoMs } : {}),
      ...(options.maxRtoMs !== undefined ? { maxRtoMs: options.maxRtoMs } : {}),
      ...(options.retryLimit !== undefined ? { retryLimit: options.retryLimit } : {}),
      ...(options.initialSeq !== undefined ? { initialSeq: options.initialSeq } : {}),
    });
    this.responder = new SessionResponder(port, {
      duplicateCacheSize: options.duplicateCacheSize ?? 16_384,
      duplicateCacheBytes: options.duplicateCacheBytes ?? 4 * 1024 * 1024,
      ...(options.replyCaches !== undefined ? { replyCaches: options.replyCaches } : {}),
    });
    this.responder.handle(Opcode.HELLO, (request) => this.answerHello(request.payload));
    this.responder.handle(Opcode.PING, (request) => request.payload);
    this.subscriptions.push(
      line.onData((chunk) => this.receive(chunk)),
      line.onClose(() => this.shutdown('LINE_CLOSED')),
      this.decoder.onFrame((frame) => this.onFrame(frame)),
      this.decoder.onError((event) => this.onFrameError(event.code, event.bytes)),
    );
    if (!line.isOpen) this.shutdown('LINE_CLOSED');
  }

  /** Outstanding requests allowed now (after HELLO: the smaller of both sides). */
  get window(): number {
    return this.sender.window;
  }

  get outstandingCount(): number {
    return this.sender.outstandingCount;
  }

  get queuedCount(): number {
    return this.sender.queuedCount;
  }

  get footprint(): SessionFootprint {
    return {
      decoderBytes: this.decoder.bufferedBytes,
      partialMessages: this.reassembler.partialCount,
      partialBytes: this.reassembler.bytesInFlight,
      cachedRequests: this.responder.cachedRequests,
      cachedReplyBytes: this.responder.cachedReplyBytes,
      running: this.responder.running,
      outstanding: this.sender.outstandingCount,
      queued: this.sender.queuedCount,
      backlog: this.backlog.length,
      listeners: this.listeners.length,
    };
  }

  /** Current retransmission timeout (before back-off). */
  get rto(): number {
    return this.sender.rto;
  }

  /** The peer's HELLO, once exchanged in either direction. */
  get peerHello(): Hello | undefined {
    return this.peer;
  }

  /** The boot id from the peer's latest HELLO that carried one. */
  get peerBootId(): number | undefined {
    return this.responder.peerBootId;
  }

  get isClosed(): boolean {
    return this.closedCode !== undefined;
  }

  /** The handler of every opcode without an entry of its own (see `handle`). */
  setHandler(handler: RequestHandler): void {
    this.responder.setHandler(handler);
  }

  /**
   * Answers `opcode` with `handler` (replacing the session's own HELLO or PING answer, if that is
   * the opcode); dispose to restore the previous entry.
   */
  handle(opcode: number, handler: RequestHandler): Disposable {
    return this.responder.handle(opcode, handler);
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
    return this.sender.request(opcode, payload, options);
  }

  /** Exchanges HELLO: sends ours (optionally updated), returns the peer's and applies the negotiated limits. */
  async hello(local: Partial<Hello> = {}): Promise<Hello> {
    this.localHello = makeHello({ ...this.localHello, ...local });
    const reply = await this.request(Opcode.HELLO, this.encodeLocalHello());
    const peer = decodeHello(reply.payload);
    this.acceptHello(peer);
    this.responder.notePeerBootId(peer.bootId);
    return peer;
  }

  /** Rejects everything pending with SESSION_CLOSED and detaches from the line (which stays open). */
  close(): void {
    this.shutdown('SESSION_CLOSED');
  }

  dispose(): void {
    this.close();
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
        this.responder.refuse(frame, refused);
        return;
      }
    }
    this.stats.framesIn++;
    if (this.closedCode !== undefined) return;
    if (frame.opcode === Opcode.NAK && (frame.flags & Flag.REPLY) === 0) {
      this.stats.naksReceived++;
      this.emit({ type: 'nak-received' });
      this.sender.onNak();
      return;
    }
    if (this.responder.answerRepeatedFragments(frame)) return;
    const result = this.reassembler.push(frame, this.clock.now());
    switch (result.status) {
      case 'complete':
        if ((result.message.flags & Flag.REPLY) !== 0) this.sender.onReply(result.message);
        else this.responder.onRequest(result.message, result.fragments, result.crc);
        break;
      case 'pending':
        this.armExpiry();
        break;
      case 'duplicate':
        break;
      case 'rejected': {
        const { code, reason, flags, opcode, seq, channel } = result;
        this.emit({ type: 'reassembly-rejected', code, reason, seq, channel, noReply: (flags & Flag.NOREPLY) !== 0 });
        if ((flags & Flag.REPLY) !== 0) this.sender.onReplyRejected(channel, seq, code, reason);
        else this.responder.onRequestRejected(flags, opcode, seq, channel, code, reason);
        break;
      }
    }
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

  // ---- HELLO ----

  /** The session's own entry for HELLO in the responder's handler table. */
  private answerHello(payload: Uint8Array): Uint8Array {
    const peer = decodeHello(payload);
    this.onHelloCallback?.(peer);
    this.acceptHello(peer);
    this.responder.notePeerBootId(peer.bootId);
    return this.encodeLocalHello();
  }

  private acceptHello(peer: Hello): void {
    if (peer.version !== PROTOCOL_VERSION) {
      throw new ProtocolError('UNSUPPORTED', `peer speaks protocol version ${peer.version}, this side ${PROTOCOL_VERSION}`);
    }
    this.peer = peer;
    this.fragmenter.maxContent = Math.min(MAX_CONTENT, peer.maxContent);
    this.sender.window = Math.min(this.localHello.window, peer.window);
    this.emit({ type: 'hello', peer });
  }

  private encodeLocalHello(): Uint8Array {
    return encodeHello({ ...this.localHello, bootId: this.bootId });
  }

  // ---- lifecycle ----

  private shutdown(code: 'LINE_CLOSED' | 'SESSION_CLOSED'): void {
    if (this.closedCode !== undefined) return;
    this.closedCode = code;
    for (const s of this.subscriptions) s.dispose();
    if (this.expiryArmed) this.clock.clearTimeout(this.expiryTimer);
    this.expiryArmed = false;
    this.reassembler.clear();
    this.responder.close();
    this.sender.failAll(() => new ProtocolError(code, code === 'LINE_CLOSED' ? `line ${this.line.name} closed` : `session ${this.name} closed`));
    this.emit({ type: 'closed', code });
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners.slice()) listener(event);
  }
}

function randomBootId(): number {
  // Not a secret: it only has to differ between two starts of the same side.
  return 1 + Math.floor(Math.random() * 0xffff_fffe);
}
