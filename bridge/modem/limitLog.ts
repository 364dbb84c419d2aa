import type { Logger } from '../server/Logger.js';

export interface LogLimit {
  /** Lines allowed at once (default 20). */
  burst?: number;
  /** Lines allowed per second after the burst (default 5). */
  perSecond?: number;
  now?: () => number;
}

/**
 * A Logger that lets one line per event through until callers flood it (a script dialling a
 * refused host in a loop, a connection storm on the telnet port): past the budget lines are
 * counted, and the next line that fits says how many were dropped.
 */
export function limitLog(logger: Logger, limit: LogLimit = {}): Logger {
  const burst = limit.burst ?? 20;
  const perMs = (limit.perSecond ?? 5) / 1000;
  const now = limit.now ?? Date.now;
  let tokens = burst;
  let last = now();
  let dropped = 0;
  const gate = (write: (m: string) => void) => (message: string): void => {
    const t = now();
    tokens = Math.min(burst, tokens + (t - last) * perMs);
    last = t;
    if (tokens < 1) {
      dropped++;
      return;
    }
    tokens--;
    if (dropped > 0) {
      write(`${message} (${dropped} similar lines dropped under load)`);
      dropped = 0;
      return;
    }
    write(message);
  };
  return {
    info: gate((m) => logger.info(m)),
    warn: gate((m) => logger.warn(m)),
    error: gate((m) => logger.error(m)),
  };
}
