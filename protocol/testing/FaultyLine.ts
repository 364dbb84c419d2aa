import type { Clock } from '../Clock.js';
import type { Disposable } from '../Disposable.js';
import type { Line } from '../Line.js';
import { SeededRandom } from './SeededRandom.js';

export interface FaultOptions {
  seed: number;
  clock: Clock;
  /** Probability that a whole written chunk is lost. */
  dropChunk?: number;
  /** Probability that each byte is lost. */
  dropByte?: number;
  /** Probability that each byte gets one bit flipped. */
  corruptByte?: number;
  /** Probability that a chunk is sent twice. */
  duplicateChunk?: number;
  /** Probability that a chunk is held back for up to `maxDelayMs` (order is kept). */
  delayChunk?: number;
  maxDelayMs?: number;
  /** Probability that a chunk is handed over in two pieces. */
  splitChunk?: number;
}

export interface FaultStats {
  chunks: number;
  droppedChunks: number;
  droppedBytes: number;
  corruptedBytes: number;
  duplicatedChunks: number;
  delayedChunks: number;
}

/**
 * Wraps the writing side of a line and damages what is written: drops, bit flips,
 * duplicates, delays and splits, from a seeded RNG so failures reproduce. Order is kept:
 * a delayed chunk holds back everything written after it, like a stalled link.
 */
export class FaultyLine implements Line {
  readonly name: string;
  readonly stats: FaultStats = { chunks: 0, droppedChunks: 0, droppedBytes: 0, corruptedBytes: 0, duplicatedChunks: 0, delayedChunks: 0 };
  private readonly random: SeededRandom;
  /** Time before which nothing more may be delivered (keeps order across delays). */
  private releaseAt = 0;
  private readonly held: { at: number; bytes: Uint8Array }[] = [];
  private timerArmed = false;

  constructor(
    private readonly inner: Line,
    private readonly faults: FaultOptions,
  ) {
    this.name = `faulty:${inner.name}`;
    this.random = new SeededRandom(faults.seed);
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  write(data: Uint8Array): void {
    this.stats.chunks++;
    const r = this.random;
    if (r.chance(this.faults.dropChunk ?? 0)) {
      this.stats.droppedChunks++;
      return;
    }
    const damaged = this.damage(data);
    const copies = r.chance(this.faults.duplicateChunk ?? 0) ? 2 : 1;
    if (copies === 2) this.stats.duplicatedChunks++;
    for (let i = 0; i < copies; i++) this.enqueue(damaged);
  }

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    return this.inner.onData(listener);
  }

  onClose(listener: (reason?: Error) => void): Disposable {
    return this.inner.onClose(listener);
  }

  close(): void {
    this.inner.close();
  }

  private damage(data: Uint8Array): Uint8Array {
    const r = this.random;
    const dropByte = this.faults.dropByte ?? 0;
    const corrupt = this.faults.corruptByte ?? 0;
    if (dropByte === 0 && corrupt === 0) return data.slice();
    const out: number[] = [];
    for (const b of data) {
      if (r.chance(dropByte)) {
        this.stats.droppedBytes++;
        continue;
      }
      if (r.chance(corrupt)) {
        this.stats.corruptedBytes++;
        out.push(b ^ (1 << r.int(8)));
      } else {
        out.push(b);
      }
    }
    return new Uint8Array(out);
  }

  private enqueue(bytes: Uint8Array): void {
    const r = this.random;
    const now = this.faults.clock.now();
    let at = Math.max(now, this.releaseAt);
    if (r.chance(this.faults.delayChunk ?? 0)) {
      this.stats.delayedChunks++;
      at += 1 + r.int(this.faults.maxDelayMs ?? 100);
    }
    this.releaseAt = at;
    if (r.chance(this.faults.splitChunk ?? 0) && bytes.length > 1) {
      const cut = 1 + r.int(bytes.length - 1);
      this.held.push({ at, bytes: bytes.subarray(0, cut) }, { at, bytes: bytes.subarray(cut) });
    } else {
      this.held.push({ at, bytes });
    }
    this.pump();
  }

  private pump(): void {
    const now = this.faults.clock.now();
    while (this.held.length > 0 && this.held[0]!.at <= now) this.inner.write(this.held.shift()!.bytes);
    if (this.held.length === 0 || this.timerArmed) return;
    this.timerArmed = true;
    this.faults.clock.setTimeout(() => {
      this.timerArmed = false;
      this.pump();
    }, this.held[0]!.at - now);
  }
}
