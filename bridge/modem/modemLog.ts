import type { Logger } from '../util/Logger.js';
import { RateLimitedLog } from '../util/RateLimitedLog.js';

/** Where modem callers' lines go: telnet connections, dial-outs, `/dial`. */
export type ModemLog = RateLimitedLog;

/**
 * One shared, rate-limited log for everything callers can repeat in a loop (connect, dial a
 * refused host): 5 lines of a kind per 10 s in full, then one summary line with the count.
 */
export function createModemLog(logger: Logger): ModemLog {
  return new RateLimitedLog(logger);
}
