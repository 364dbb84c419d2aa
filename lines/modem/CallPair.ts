import type { Line } from '../../protocol/Line.js';
import { LineBase } from '../LineBase.js';
import { queueMicrotask } from '../microtask.js';

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

class CallEnd extends LineBase {
  peer: CallEnd | undefined;

  write(data: Uint8Array): void {
    const peer = this.peer;
    if (!this.isOpen || !peer || data.length === 0) return;
    const copy = data.slice();
    queueMicrotask(() => peer.emitData(copy));
  }

  close(): void {
    if (!this.isOpen) return;
    // Bytes already written still reach the peer before it learns of the hang-up.
    queueMicrotask(() => this.peer?.finish());
    this.finish();
  }
}
