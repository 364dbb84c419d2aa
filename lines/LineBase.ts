import type { Disposable } from '../protocol/Disposable.js';
import type { Line } from '../protocol/Line.js';
import { queueMicrotask } from './microtask.js';

/** Bytes kept for the first data listener; beyond this, early bytes are dropped. */
const MAX_EARLY_BYTES = 1 << 20;

/**
 * The listener bookkeeping every Line implementation shares: ordered data delivery
 * (bytes that arrive before the first listener are kept for it), and an `onClose` that fires exactly once whichever side closed. Subclasses call
 * `emitData` for each received chunk and `finish` when the transport is gone.
 */
export abstract class LineBase implements Line {
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason?: Error) => void>();
  private closed = false;
  private closeReason: Error | undefined;
  /** Chunks that arrived before anyone listened (e.g. right after a connect resolved). */
  private early: Uint8Array[] | undefined = [];
  private earlyBytes = 0;

  constructor(readonly name: string) {}

  get isOpen(): boolean {
    return !this.closed;
  }

  abstract write(data: Uint8Array): void;
  abstract close(): void;

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    this.dataListeners.add(listener);
    const early = this.early;
    this.early = undefined;
    if (early && early.length > 0) {
      // Delivered on a microtask so the subscriber's caller finishes wiring up first.
      queueMicrotask(() => {
        for (const chunk of early) this.emitData(chunk);
      });
    }
    return { dispose: () => this.dataListeners.delete(listener) };
  }

  onClose(listener: (reason?: Error) => void): Disposable {
    if (this.closed) {
      // A late subscriber still learns that the line is gone, asynchronously like a real event.
      const reason = this.closeReason;
      queueMicrotask(() => listener(reason));
      return { dispose: () => undefined };
    }
    this.closeListeners.add(listener);
    return { dispose: () => this.closeListeners.delete(listener) };
  }

  protected emitData(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.early) {
      this.earlyBytes += chunk.length;
      if (this.earlyBytes <= MAX_EARLY_BYTES) this.early.push(chunk.slice());
      return;
    }
    for (const listener of this.dataListeners) listener(chunk);
  }

  /** Marks the line closed and notifies listeners once; later calls are ignored. */
  protected finish(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.dataListeners.clear();
    for (const listener of listeners) listener(reason);
  }
}
