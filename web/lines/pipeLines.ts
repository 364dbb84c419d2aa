import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';

export interface PipeStats {
  /** Bytes carried a → b and b → a. */
  aToB: number;
  bToA: number;
}

/**
 * Joins two Lines byte for byte in both directions. When either closes, the pipe stops and
 * `onBroken` is told which one and why; the other Line is left open (the caller decides).
 */
export function pipeLines(a: Line, b: Line, onBroken?: (closed: Line, reason?: Error) => void): Disposable & { stats: PipeStats } {
  const stats: PipeStats = { aToB: 0, bToA: 0 };
  const subscriptions: Disposable[] = [];
  let active = true;
  const stop = (): void => {
    if (!active) return;
    active = false;
    for (const s of subscriptions) s.dispose();
  };
  subscriptions.push(
    a.onData((chunk) => { stats.aToB += chunk.length; b.write(chunk); }),
    b.onData((chunk) => { stats.bToA += chunk.length; a.write(chunk); }),
    a.onClose((reason) => { stop(); onBroken?.(a, reason); }),
    b.onClose((reason) => { stop(); onBroken?.(b, reason); }),
  );
  return { stats, dispose: stop };
}
