import { realClock, type Clock } from './Clock.js';
import type { Disposable } from './Disposable.js';
import type { Line } from './Line.js';
import { bytesPerSecond, type LineDirection, type LineProfile } from './LineProfile.js';

/** Pacing granularity: bytes leave in slices of about this much line time. */
const SLICE_MS = 10;

/**
 * Wraps a Line and releases written bytes at the profile's rate for `direction` (plus its
 * latency), like a modem's serial link. Writes queue without limit: no byte is dropped while
 * the line is open. Reading is not paced (the other end's PacedLine paces its own writes).
 * Not a LineBase (which lives in lines/, above protocol/): it keeps no listeners of its own and hands
 * onData and onClose to the inner line.
 */
export class PacedLine implements Line {
  readonly name: string;
  readonly bytesPerSecond: number;
  private readonly bytesPerMs: number;
  private readonly sliceBytes: number;
  private readonly queue: Uint8Array[] = [];
  /** Written bytes not yet handed to the inner line, including the slice in flight. */
  private queued = 0;
  /** Time at which the last scheduled byte has left. */
  private busyUntil = 0;
  private timer: unknown;
  private timerArmed = false;
  private readonly latencyTimers = new Set<unknown>();

  constructor(
    private readonly inner: Line,
    readonly profile: LineProfile,
    readonly direction: LineDirection,
    private readonly clock: Clock = realClock,
  ) {
    this.name = `${inner.name}@${profile.name}`;
    this.bytesPerSecond = bytesPerSecond(profile, direction);
    this.bytesPerMs = this.bytesPerSecond / 1000;
    this.sliceBytes = Number.isFinite(this.bytesPerMs) ? Math.max(1, Math.round(this.bytesPerMs * SLICE_MS)) : Infinity;
    inner.onClose(() => this.stop());
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  /** Bytes written but not yet handed to the inner line. */
  get queuedBytes(): number {
    return this.queued;
  }

  write(data: Uint8Array): void {
    if (!this.inner.isOpen || data.length === 0) return;
    if (!Number.isFinite(this.bytesPerMs)) {
      this.deliver(data.slice());
      return;
    }
    this.queue.push(data.slice());
    this.queued += data.length;
    if (!this.timerArmed) this.scheduleSlice();
  }

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    return this.inner.onData(listener);
  }

  onClose(listener: (reason?: Error) => void): Disposable {
    return this.inner.onClose(listener);
  }

  close(): void {
    this.stop();
    this.inner.close();
  }

  /** Takes the next slice off the queue and hands it over when its last byte has left. */
  private scheduleSlice(): void {
    const slice = this.takeSlice();
    const now = this.clock.now();
    this.busyUntil = Math.max(now, this.busyUntil) + slice.length / this.bytesPerMs;
    this.timerArmed = true;
    this.timer = this.clock.setTimeout(() => {
      this.timerArmed = false;
      this.queued -= slice.length;
      this.deliver(slice);
      if (this.queue.length > 0) this.scheduleSlice();
    }, this.busyUntil - now);
  }

  private takeSlice(): Uint8Array {
    const head = this.queue[0]!;
    if (head.length <= this.sliceBytes) {
      this.queue.shift();
      return head;
    }
    this.queue[0] = head.subarray(this.sliceBytes);
    return head.subarray(0, this.sliceBytes);
  }

  private deliver(bytes: Uint8Array): void {
    const latency = this.profile.latencyMs;
    if (latency <= 0) {
      this.inner.write(bytes);
      return;
    }
    const handle = this.clock.setTimeout(() => {
      this.latencyTimers.delete(handle);
      this.inner.write(bytes);
    }, latency);
    this.latencyTimers.add(handle);
  }

  private stop(): void {
    if (this.timerArmed) this.clock.clearTimeout(this.timer);
    this.timerArmed = false;
    for (const handle of this.latencyTimers) this.clock.clearTimeout(handle);
    this.latencyTimers.clear();
    this.queue.length = 0;
    this.queued = 0;
  }
}
