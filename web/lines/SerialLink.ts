import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { Emitter } from '../../protocol/Emitter.js';
import { BrowserWebSocketLine } from './BrowserWebSocketLine.js';
import { pipeLines, type PipeStats } from './pipeLines.js';

export type LinkState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'open' }
  | { readonly kind: 'down'; readonly error: Error; readonly retryInMs: number };

/**
 * Keeps a local Line (the in-browser XP10's serial0) joined to a bridge WebSocket, reconnecting with
 * capped back-off when the bridge goes away. Bytes the guest sends while the link is down are dropped,
 * as on a real unplugged cable; the protocol's retransmission recovers once the link is back.
 */
export class SerialLink implements Disposable {
  private readonly states = new Emitter<LinkState>();
  private remote: Line | undefined;
  private pipe: (Disposable & { stats: PipeStats }) | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryMs: number;
  private disposed = false;
  /** Totals across reconnects, for the SD/RD-style counters. */
  readonly totals: PipeStats = { aToB: 0, bToA: 0 };

  constructor(
    private readonly local: Line,
    private readonly url: string,
    private readonly minRetryMs = 1_000,
    private readonly maxRetryMs = 15_000,
  ) {
    this.retryMs = minRetryMs;
  }

  onState(listener: (state: LinkState) => void): Disposable {
    return this.states.add(listener);
  }

  start(): void {
    void this.connect();
  }

  /** Reconnect immediately (the retry button). */
  retryNow(): void {
    if (this.disposed || this.remote) return;
    clearTimeout(this.retryTimer);
    this.retryMs = this.minRetryMs;
    void this.connect();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.pipe?.dispose();
    this.remote?.close();
    this.remote = undefined;
  }

  private async connect(): Promise<void> {
    this.states.emit({ kind: 'connecting' });
    let remote: BrowserWebSocketLine;
    try {
      remote = await BrowserWebSocketLine.connect(this.url);
    } catch (err) {
      this.scheduleRetry(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (this.disposed) {
      remote.close();
      return;
    }
    this.remote = remote;
    this.retryMs = this.minRetryMs;
    const pipe = pipeLines(this.local, remote, (closed, reason) => {
      this.totals.aToB += pipe.stats.aToB;
      this.totals.bToA += pipe.stats.bToA;
      this.pipe = undefined;
      this.remote = undefined;
      if (closed === remote && !this.disposed) {
        this.scheduleRetry(reason ?? new Error('bridge closed the serial0 line'));
      }
    });
    this.pipe = pipe;
    this.states.emit({ kind: 'open' });
  }

  private scheduleRetry(error: Error): void {
    if (this.disposed) return;
    this.states.emit({ kind: 'down', error, retryInMs: this.retryMs });
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
  }
}
