import { describe, expect, it } from 'vitest';
import { MemoryLogger } from './Logger.js';
import { RateLimitedLog } from './RateLimitedLog.js';

describe('RateLimitedLog', () => {
  it('writes the first lines of a kind in full, counts the rest, and sums them up when the window ends', async () => {
    const logger = new MemoryLogger();
    const log = new RateLimitedLog(logger, { intervalMs: 100, linesPerInterval: 3 });
    for (let i = 0; i < 1000; i++) log.warn('401 UNAUTHORIZED', `refused request ${i}`);
    log.error('500 INTERNAL', 'boom');
    expect(logger.lines).toEqual(['warn refused request 0', 'warn refused request 1', 'warn refused request 2', 'error boom']);
    await new Promise((r) => setTimeout(r, 200));
    expect(logger.lines.slice(4)).toEqual(['warn 401 UNAUTHORIZED: 997 more like this in the last 0.1 s (1000 in all; last: refused request 999)']);
    // A new window writes in full again.
    log.warn('401 UNAUTHORIZED', 'again');
    expect(logger.lines.at(-1)).toBe('warn again');
    log.close();
  });

  it('close() writes the pending summary at once', () => {
    const logger = new MemoryLogger();
    const log = new RateLimitedLog(logger, { intervalMs: 60_000, linesPerInterval: 1 });
    log.warn('k', 'a');
    log.warn('k', 'b');
    log.warn('k', 'c');
    log.close();
    expect(logger.lines).toEqual(['warn a', 'warn k: 2 more like this in the last 60 s (3 in all; last: c)']);
  });
});
