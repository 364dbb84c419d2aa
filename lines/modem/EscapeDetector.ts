import type { Clock } from '../../protocol/Clock.js';
import { ModemTimer } from './ModemTimer.js';

/**
 * Recognises the Hayes escape: at least the guard time of silence, three escape characters
 * each within the guard time of the previous one, then the guard time of silence again.
 * Data that merely contains "+++" never matches because of the silence before it.
 */
export class EscapeDetector {
  private lastByteAt = Number.NEGATIVE_INFINITY;
  private count = 0;
  private readonly timer: ModemTimer;

  constructor(
    private readonly clock: Clock,
    private readonly settings: () => { escapeChar: number; guardMs: number },
    private readonly onEscape: () => void,
  ) {
    this.timer = new ModemTimer(clock);
  }

  /** Forget the history, e.g. on entering data mode: the silence starts now. */
  reset(): void {
    this.timer.stop();
    this.count = 0;
    this.lastByteAt = this.clock.now();
  }

  stop(): void {
    this.timer.stop();
    this.count = 0;
  }

  /** Feed bytes the DTE sent in data mode. */
  push(chunk: Uint8Array): void {
    const { escapeChar, guardMs } = this.settings();
    const now = this.clock.now();
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      const gap = now - this.lastByteAt;
      this.lastByteAt = now;
      if (escapeChar > 127) continue;
      if (byte !== escapeChar) {
        this.abort();
        continue;
      }
      if (this.count === 0) {
        if (gap >= guardMs) this.count = 1;
      } else if (this.count < 3 && gap < guardMs) {
        this.count++;
      } else {
        // A fourth '+' or a slow one: not an escape, but it may start a new one after silence.
        this.abort();
        if (gap >= guardMs) this.count = 1;
      }
      if (this.count === 3 && i === chunk.length - 1) this.timer.start(guardMs, () => this.fire());
    }
    if (this.count === 3 && !this.timer.isArmed) this.abort();
  }

  private abort(): void {
    this.count = 0;
    this.timer.stop();
  }

  private fire(): void {
    this.count = 0;
    this.onEscape();
  }
}
