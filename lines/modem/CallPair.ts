import { defer } from './defer.js';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';

/**
 * The two ends of a telephone connection between two modems. Bytes written to one end are
 * delivered to the other on a microtask (so a listener never runs inside the writer's call);
 * closing either end closes both.
 */
export function createCallPair(nameA: string, nameB: string): [Line, Line] {
  const a = new CallEnd(nameA);
  const b = new CallEnd(nameB);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class CallEnd implements Line {
  peer: CallEnd | undefined;
  private open = true;
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason?: Error) => void>();

  constructor(readonly name: string) {}

  get isOpen(): boolean {
    return this.open;
  }

  write(data: Uint8Array): void {
    const peer = this.peer;
    if (!this.open || !peer || data.length === 0) return;
    const copy = data.slice();
    defer(() => peer.deliver(copy));
  }

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    this.dataListeners.add(listener);
    return { dispose: () => this.dataListeners.delete(listener) };
  }

  onClose(listener: (reason?: Error) => void): Disposable {
    this.closeListeners.add(listener);
    return { dispose: () => this.closeListeners.delete(listener) };
  }

  close(): void {
    if (!this.open) return;
    // Bytes already written still reach the peer before it learns of the hang-up.
    defer(() => this.peer?.shut());
    this.shut();
  }

  private deliver(chunk: Uint8Array): void {
    if (!this.open) return;
    for (const listener of this.dataListeners) listener(chunk);
  }

  private shut(): void {
    if (!this.open) return;
    this.open = false;
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.dataListeners.clear();
    for (const listener of listeners) listener();
  }
}
