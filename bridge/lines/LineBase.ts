import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';

/**
 * The listener bookkeeping every Line implementation shares: ordered data delivery,
 * and an `onClose` that fires exactly once whichever side closed. Subclasses call
 * `emitData` for each received chunk and `finish` when the transport is gone.
 */
export abstract class LineBase implements Line {
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason?: Error) => void>();
  private closed = false;
  private closeReason: Error | undefined;

  constructor(readonly name: string) {}

  get isOpen(): boolean {
    return !this.closed;
  }

  abstract write(data: Uint8Array): void;
  abstract close(): void;

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    this.dataListeners.add(listener);
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
