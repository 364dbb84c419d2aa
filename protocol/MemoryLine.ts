import type { Disposable } from './Disposable.js';
import type { Line } from './Line.js';

/**
 * Two connected in-memory line ends. Writes are copied and delivered to the other end in a
 * microtask, in order, so no caller is re-entered from its own `write`. Closing either end
 * closes both; bytes written before the close are still delivered, then `onClose` fires.
 */
export function createLinePair(names: [string, string] = ['memory:a', 'memory:b']): [Line, Line] {
  const shared: SharedState = { open: true, closeScheduled: false };
  const a = new MemoryLineEnd(names[0], shared);
  const b = new MemoryLineEnd(names[1], shared);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

interface SharedState {
  open: boolean;
  closeScheduled: boolean;
}

class MemoryLineEnd implements Line {
  peer: MemoryLineEnd | undefined;
  private readonly inbox: Uint8Array[] = [];
  private flushScheduled = false;
  private readonly dataListeners: ((chunk: Uint8Array) => void)[] = [];
  private readonly closeListeners: ((reason?: Error) => void)[] = [];
  private closeFired = false;

  constructor(
    readonly name: string,
    private readonly shared: SharedState,
  ) {}

  get isOpen(): boolean {
    return this.shared.open;
  }

  write(data: Uint8Array): void {
    if (!this.shared.open || data.length === 0 || this.peer === undefined) return;
    this.peer.receive(data.slice());
  }

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    return subscribe(this.dataListeners, listener);
  }

  onClose(listener: (reason?: Error) => void): Disposable {
    return subscribe(this.closeListeners, listener);
  }

  close(): void {
    if (!this.shared.open) return;
    this.shared.open = false;
    // Queued after any pending deliveries, so data written before close arrives first.
    void Promise.resolve().then(() => {
      this.fireClose();
      this.peer?.fireClose();
    });
  }

  private receive(chunk: Uint8Array): void {
    this.inbox.push(chunk);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    void Promise.resolve().then(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const chunks = this.inbox.splice(0);
    let failure: unknown;
    for (const chunk of chunks) {
      for (const listener of this.dataListeners.slice()) {
        try {
          listener(chunk);
        } catch (error) {
          failure ??= error;
        }
      }
    }
    if (failure !== undefined) throw failure;
  }

  private fireClose(): void {
    if (this.closeFired) return;
    this.closeFired = true;
    for (const listener of this.closeListeners.slice()) listener();
  }
}

function subscribe<T>(list: T[], listener: T): Disposable {
  list.push(listener);
  return {
    dispose: () => {
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    },
  };
}
