import { queueMicrotask } from './microtask.js';

/**
 * Collects single bytes (v86 emits one event per UART byte) into chunks flushed once per microtask,
 * so everything downstream sees a few large chunks instead of thousands of 1-byte ones.
 * The accumulation buffer grows by doubling and is reused between flushes.
 */
export class ByteBatcher {
  private buffer: Uint8Array;
  private length = 0;
  private scheduled = false;

  constructor(
    private readonly flushTo: (chunk: Uint8Array) => void,
    initialCapacity = 256,
    // Wrapped: browsers throw "Illegal invocation" when queueMicrotask is called with another `this`.
    private readonly schedule: (task: () => void) => void = (task) => queueMicrotask(task),
  ) {
    this.buffer = new Uint8Array(Math.max(1, initialCapacity));
  }

  push(byte: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = byte & 0xff;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  /** Delivers pending bytes now, as one chunk the receiver may keep. */
  flush(): void {
    this.scheduled = false;
    if (this.length === 0) return;
    // One copy per batch (not per byte) so a listener that writes back re-entrantly cannot clobber the chunk.
    const chunk = this.buffer.slice(0, this.length);
    this.length = 0;
    this.flushTo(chunk);
  }

  get pending(): number {
    return this.length;
  }
}
