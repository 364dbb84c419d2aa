import type { Logger } from './Logger.js';

export interface RateLimitOptions {
  /** Length of one window; default 10 s. */
  intervalMs?: number;
  /** Lines of one kind written in full per window; default 5. */
  linesPerInterval?: number;
}

export const DEFAULT_LOG_INTERVAL_MS = 10_000;
export const DEFAULT_LOG_LINES_PER_INTERVAL = 5;

type Level = 'warn' | 'error' | 'info';

interface Window {
  level: Level;
  written: number;
  suppressed: number;
  last: string;
}

/**
 * A logger for events that can come in floods (refused requests, bad frames): in each window
 * the first few lines of a kind are written in full, the rest only counted, and when the window
 * ends one summary line per kind says how many were left out. A flood of 1,200 refusals costs a
 * handful of lines and still shows its size. `kind` names a class of event (`401 UNAUTHORIZED`),
 * never a value from the request: kinds are kept until their window ends.
 */
export class RateLimitedLog {
  private readonly intervalMs: number;
  private readonly linesPerInterval: number;
  private readonly windows = new Map<string, Window>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly logger: Logger,
    options: RateLimitOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_LOG_INTERVAL_MS;
    this.linesPerInterval = options.linesPerInterval ?? DEFAULT_LOG_LINES_PER_INTERVAL;
  }

  warn(kind: string, message: string): void {
    this.log('warn', kind, message);
  }

  error(kind: string, message: string): void {
    this.log('error', kind, message);
  }

  info(kind: string, message: string): void {
    this.log('info', kind, message);
  }

  /** Ends the current window now: a summary line for every kind that had lines left out. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const seconds = this.intervalMs / 1000;
    for (const [kind, w] of this.windows) {
      if (w.suppressed === 0) continue;
      this.logger[w.level](
        `${kind}: ${w.suppressed} more like this in the last ${seconds} s (${w.written + w.suppressed} in all; last: ${w.last})`,
      );
    }
    this.windows.clear();
  }

  /** Writes what is pending and stops the timer (the owner is shutting down). */
  close(): void {
    this.flush();
  }

  private log(level: Level, kind: string, message: string): void {
    let w = this.windows.get(kind);
    if (!w) {
      w = { level, written: 0, suppressed: 0, last: '' };
      this.windows.set(kind, w);
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      // A pending summary must not keep the process alive; close() writes it on shutdown.
      this.timer.unref?.();
    }
    if (w.written < this.linesPerInterval) {
      w.written++;
      this.logger[level](message);
    } else {
      w.suppressed++;
      w.last = message;
    }
  }
}
