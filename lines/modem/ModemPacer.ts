import type { Clock } from '../../protocol/Clock.js';
import { ModemTimer } from './ModemTimer.js';

/** Bits on the wire per byte: start + 8 data + stop. */
const BITS_PER_BYTE = 10;
/** How often the pacer hands bytes on; each tick carries the bytes the elapsed time paid for. */
const TICK_MS = 10;
/** Credit kept across a late tick, so a busy event loop does not lower the average rate. */
const MAX_CREDIT_MS = 50;

export interface ModemPacerOptions {
  clock: Clock;
  bitsPerSecond: number;
  sink: (chunk: Uint8Array) => void;
  /** Queue size past which `onOverflow` fires instead of growing without bound (default 1 MiB). */
  maxQueuedBytes?: number;
  onOverflow?: () => void;
  /** Called each time the queue becomes empty. */
  onDrained?: () => void;
}

/**
 * Hands bytes to a sink no faster than the line rate, never dropping any: a token bucket
 * driven by the injected clock. With an infinite rate, bytes pass straight through.
 *
 * Not protocol's PacedLine, on purpose: PacedLine wraps a whole Line (writes only, plus a fixed
 * latency) and must stay in protocol/ because Session reads its rate for the retransmission
 * timeout; this pacer is the modem's DCE-to-DTE buffer, with flow control the modem drives
 * (pause/resume for RTS, an overflow bound, drain waiters for hang-up) and credit carried across
 * late ticks. They share only the idea of a rate.
 */
export class ModemPacer {
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private headOffset = 0;
  private queued = 0;
  private credit = 0;
  private lastTick = 0;
  private paused = false;
  private drainWaiters: Array<() => void> = [];
  private readonly timer: ModemTimer;
  private readonly bytesPerMs: number;

  constructor(private readonly options: ModemPacerOptions) {
    this.timer = new ModemTimer(options.clock);
    this.bytesPerMs = options.bitsPerSecond / BITS_PER_BYTE / 1000;
  }

  get queuedBytes(): number {
    return this.queued;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (!Number.isFinite(this.bytesPerMs) && !this.paused && this.queued === 0) {
      this.options.sink(chunk);
      return;
    }
    if (this.queued + chunk.length > (this.options.maxQueuedBytes ?? 1 << 20)) {
      this.options.onOverflow?.();
      return;
    }
    this.queue.push(chunk.slice());
    this.queued += chunk.length;
    this.schedule();
  }

  /** Calls `callback` once everything queued so far has been handed to the sink. */
  whenDrained(callback: () => void): void {
    if (this.queued === 0) {
      callback();
      return;
    }
    this.drainWaiters.push(callback);
  }

  /** Stops delivery, keeping queued bytes (the modem is in online command mode). */
  pause(): void {
    this.paused = true;
    this.timer.stop();
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /** Drops everything queued (hang-up). */
  clear(): void {
    this.timer.stop();
    this.queue.length = 0;
    this.head = 0;
    this.headOffset = 0;
    this.queued = 0;
    this.drainWaiters = [];
  }

  private schedule(): void {
    if (this.paused || this.timer.isArmed || this.queued === 0) return;
    if (!Number.isFinite(this.bytesPerMs)) {
      this.timer.start(0, () => this.flushAll());
      return;
    }
    if (this.credit === 0) this.lastTick = this.options.clock.now();
    this.timer.start(this.credit >= 1 ? 0 : TICK_MS, () => this.tick());
  }

  private tick(): void {
    const now = this.options.clock.now();
    const earned = (now - this.lastTick) * this.bytesPerMs;
    this.lastTick = now;
    this.credit = Math.min(this.credit + earned, Math.max(1, MAX_CREDIT_MS * this.bytesPerMs));
    const budget = Math.floor(this.credit);
    const sent = this.deliver(budget);
    this.credit -= sent;
    if (this.queued === 0) {
      this.credit = 0;
      this.drained();
      return;
    }
    this.timer.start(TICK_MS, () => this.tick());
  }

  private flushAll(): void {
    this.deliver(this.queued);
    this.drained();
  }

  private drained(): void {
    this.options.onDrained?.();
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Sends up to `budget` bytes as whole or partial queued chunks (zero-copy subarrays). */
  private deliver(budget: number): number {
    let sent = 0;
    while (sent < budget && this.head < this.queue.length) {
      const chunk = this.queue[this.head]!;
      const take = Math.min(budget - sent, chunk.length - this.headOffset);
      const piece = chunk.subarray(this.headOffset, this.headOffset + take);
      this.headOffset += take;
      if (this.headOffset === chunk.length) {
        this.head++;
        this.headOffset = 0;
      }
      sent += take;
      this.queued -= take;
      this.options.sink(piece);
      if (this.paused) break;
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 64) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return sent;
  }
}
