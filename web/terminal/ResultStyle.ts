import { formatResult, type ResultCodeName } from '../../lines/modem/index.js';

/** How the modem currently reports results: ATV1 words, ATV0 digits, or nothing with ATQ1. */
export type ResultMode = 'verbose' | 'numeric' | 'quiet';

/**
 * Learns the modem's ATV/ATQ settings from what it actually prints, so that text the page adds
 * on the modem's behalf (NO CARRIER after a local hang-up, RINGING while the far end rings)
 * looks like the modem's own results. The modem announces each result (its `result` event) and
 * then writes it to the terminal in the same turn, or writes nothing when quiet; watching the
 * next write avoids duplicating the modem's command parser (ATZ, AT&F, ATV0Q0… all just work).
 */
export class ResultStyle {
  private current: ResultMode = 'verbose';
  private pending = false;

  /** The modem reported a result; its text, if any, is the next write. */
  resultAnnounced(): void {
    this.pending = true;
    // Nothing written by the end of this turn: the modem is quiet.
    queueMicrotask(() => {
      if (!this.pending) return;
      this.pending = false;
      this.current = 'quiet';
    });
  }

  /** Bytes the modem wrote to the terminal. */
  modemWrote(bytes: Uint8Array): void {
    if (!this.pending || bytes.length === 0) return;
    this.pending = false;
    const first = bytes[0]!;
    this.current = first >= 0x30 && first <= 0x39 ? 'numeric' : 'verbose';
  }

  get mode(): ResultMode {
    return this.current;
  }

  /** `code` as the modem would print it now ('' when quiet); `cr`/`lf` are its S3/S4 characters. */
  format(code: ResultCodeName, cr = '\r', lf = '\n'): string {
    if (this.current === 'quiet') return '';
    return formatResult(code, this.current === 'verbose', cr, lf);
  }
}
