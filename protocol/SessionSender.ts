import { Flag, Opcode } from './constants.js';
import type { Message } from './Message.js';
import { decodeErrorPayload } from './payloads/errorPayload.js';
import { ProtocolError } from './ProtocolError.js';
import { RtoEstimator } from './RtoEstimator.js';
import { MAX_SEQ_SPAN, seqCompare, seqNext } from './serial.js';
import type { Reply, RequestOptions } from './Session.js';
import type { SessionPort } from './SessionPort.js';

export interface SessionSenderOptions {
  /** Outstanding requests allowed until `window` is changed (1..64). */
  window: number;
  initialRtoMs?: number;
  minRtoMs?: number;
  maxRtoMs?: number;
  /** Retransmissions before a request fails with TIMEOUT (default 6). */
  retryLimit?: number;
  /** Largest message sent (the fragmenter's own limit applies too). */
  maxMessageBytes: number;
  /** First seq used (default 1). */
  initialSeq?: number;
}

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

const EMPTY = new Uint8Array(0);

/**
 * The half of a Session that sends requests: seq numbering, the window and the span rule,
 * retransmission on timeout (RFC 6298 RTO with back-off, Karn's rule) or NAK, per-request
 * deadlines, and matching replies to what is outstanding.
 */
export class SessionSender {
  private readonly rtoEstimator: RtoEstimator;
  private readonly retryLimit: number;
  private readonly maxMessageBytes: number;
  private windowSize: number;
  private nextSeq: number;
  private readonly queue: Outgoing[] = [];
  private readonly outstanding = new Map<number, Outgoing>();

  constructor(
    private readonly port: SessionPort,
    options: SessionSenderOptions,
  ) {
    this.windowSize = options.window;
    this.rtoEstimator = new RtoEstimator(options.initialRtoMs ?? 1000, options.minRtoMs ?? 200, options.maxRtoMs ?? 30_000);
    this.retryLimit = options.retryLimit ?? 6;
    this.maxMessageBytes = options.maxMessageBytes;
    this.nextSeq = (options.initialSeq ?? 1) & 0xffff;
  }

  /** Outstanding requests allowed now. */
  get window(): number {
    return this.windowSize;
  }

  /** Sets the window (after HELLO: the smaller of both sides') and sends what now fits. */
  set window(value: number) {
    this.windowSize = value;
    this.pump();
  }

  get outstandingCount(): number {
    return this.outstanding.size;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /** Current retransmission timeout (before back-off). */
  get rto(): number {
    return this.rtoEstimator.rto;
  }

  /** See Session.request. */
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
        out.deadline = this.port.clock.setTimeout(() => this.expire(out), Math.max(0, options.timeoutMs));
      }
      this.queue.push(out);
      this.pump();
    });
  }

  /** A complete reply came in: settle its request, or count it as late. */
  onReply(message: Message): void {
    const out = this.outstanding.get(key(message.channel, message.seq));
    if (out === undefined || out.opcode !== message.opcode) {
      this.port.stats.duplicates++;
      this.port.emit({ type: 'late-reply', opcode: message.opcode, seq: message.seq, channel: message.channel });
      return;
    }
    this.settle(out);
    if (!out.retransmitted) this.rtoEstimator.sample(this.port.clock.now() - out.sentAt);
    if ((message.flags & Flag.ERROR) !== 0) {
      out.reject(remoteError(message.payload));
    } else {
      out.resolve({ payload: message.payload, channel: message.channel, seq: message.seq });
    }
    this.pump();
  }

  /** A reply that could not be reassembled fails its request with that code. */
  onReplyRejected(channel: number, seq: number, code: 'TOO_LARGE' | 'BUSY' | 'BAD_PAYLOAD', reason: string): void {
    const out = this.outstanding.get(key(channel, seq));
    if (out === undefined) return;
    this.settle(out);
    out.reject(new ProtocolError(code, `reply could not be reassembled: ${reason}`));
    this.pump();
  }

  /** The peer saw a corrupt frame: retransmit the oldest unanswered request at once. */
  onNak(): void {
    const oldest = this.outstanding.values().next();
    if (oldest.done !== true) this.retransmit(oldest.value, 'nak');
  }

  /** Fails everything outstanding and queued with `error` (the session closed). */
  failAll(error: () => ProtocolError): void {
    const pending = [...this.outstanding.values(), ...this.queue];
    this.queue.length = 0;
    for (const out of pending) {
      this.settle(out);
      out.reject(error());
    }
  }

  private checkRequest(opcode: number, channel: number, payload: Uint8Array): ProtocolError | undefined {
    const closed = this.port.closedCode();
    if (closed !== undefined) return new ProtocolError(closed, `session ${this.port.name} is closed`);
    if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xff || opcode === Opcode.NAK) {
      return new ProtocolError('INVALID_ARGUMENT', `opcode ${opcode} cannot be requested`);
    }
    if (!Number.isInteger(channel) || channel < 0 || channel > 0xff) {
      return new ProtocolError('INVALID_ARGUMENT', `channel ${channel} is not 0..255`);
    }
    const max = Math.min(this.maxMessageBytes, this.port.fragmenter.maxMessage);
    if (payload.length > max) return new ProtocolError('TOO_LARGE', `payload of ${payload.length} bytes exceeds ${max}`);
    return undefined;
  }

  private sendNoReply(out: Outgoing): void {
    out.seq = this.allocateSeq(out.channel);
    const wires = this.port.fragmenter.encode({ flags: Flag.NOREPLY, opcode: out.opcode, seq: out.seq, channel: out.channel, payload: out.payload });
    this.port.stats.requestsSent++;
    for (const wire of wires) this.port.write(wire);
    out.resolve({ payload: EMPTY, channel: out.channel, seq: out.seq });
  }

  /**
   * Moves queued requests onto the line while the window has room and the seqs in flight
   * stay within MAX_SEQ_SPAN of the oldest unanswered one (what the peer's cache must cover).
   */
  private pump(): void {
    while (this.port.closedCode() === undefined && this.queue.length > 0 && this.outstanding.size < this.windowSize) {
      const oldest = this.outstanding.values().next();
      if (oldest.done !== true && seqCompare(this.nextSeq, oldest.value.seq) >= MAX_SEQ_SPAN) break;
      const out = this.queue.shift()!;
      out.seq = this.allocateSeq(out.channel);
      try {
        out.wires = this.port.fragmenter.encode({ flags: 0, opcode: out.opcode, seq: out.seq, channel: out.channel, payload: out.payload });
      } catch (error) {
        this.settle(out);
        out.reject(error instanceof ProtocolError ? error : new ProtocolError('INTERNAL', String(error)));
        continue;
      }
      this.outstanding.set(key(out.channel, out.seq), out);
      this.port.stats.requestsSent++;
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
    for (const wire of out.wires) this.port.write(wire);
    out.sentAt = this.port.sentAt();
    this.armTimer(out);
  }

  private armTimer(out: Outgoing): void {
    const clock = this.port.clock;
    if (out.timer !== undefined) clock.clearTimeout(out.timer);
    // Before any RTT sample, allow for a reply as long as the request on a paced line.
    const replyAllowance = this.rtoEstimator.srtt === undefined ? this.port.txTime(out.wires) : 0;
    const delay = out.sentAt - clock.now() + this.rtoEstimator.backedOff(out.attempts) + replyAllowance;
    out.timer = clock.setTimeout(() => this.onTimeout(out), Math.max(0, delay));
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

  private retransmit(out: Outgoing, reason: 'timeout' | 'nak'): void {
    out.retransmitted = true;
    this.port.stats.retransmits++;
    this.port.emit({ type: 'retransmit', opcode: out.opcode, seq: out.seq, channel: out.channel, reason, attempt: out.attempts });
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
    this.port.stats.timeouts++;
    this.port.emit({ type: 'timeout', opcode: out.opcode, seq: out.seq, channel: out.channel });
    this.settle(out);
    out.reject(error);
    this.pump();
  }

  /** Stops timers and forgets the request. */
  private settle(out: Outgoing): void {
    const clock = this.port.clock;
    if (out.timer !== undefined) clock.clearTimeout(out.timer);
    if (out.deadline !== undefined) clock.clearTimeout(out.deadline);
    out.timer = undefined;
    out.deadline = undefined;
    const k = key(out.channel, out.seq);
    if (this.outstanding.get(k) === out) this.outstanding.delete(k);
  }
}

function key(channel: number, seq: number): number {
  return (channel << 16) | seq;
}

function remoteError(payload: Uint8Array): ProtocolError {
  try {
    const { code, message } = decodeErrorPayload(payload);
    return ProtocolError.fromWire(code, message);
  } catch {
    return new ProtocolError('BAD_PAYLOAD', 'the peer sent an empty ERROR reply', { remote: true });
  }
}
