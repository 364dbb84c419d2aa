import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../server/Logger.js';
import { limitLog } from './limitLog.js';

describe('limitLog', () => {
  it('passes a burst, then a steady rate, and says how many lines it dropped', () => {
    let t = 0;
    const memory = new MemoryLogger();
    const log = limitLog(memory, { burst: 3, perSecond: 2, now: () => t });
    for (let i = 0; i < 10; i++) log.warn(`refused ${i}`);
    expect(memory.lines).toEqual(['warn refused 0', 'warn refused 1', 'warn refused 2']);
    t += 500;
    log.info('next');
    expect(memory.lines[3]).toBe('info next (7 similar lines dropped under load)');
    log.info('again');
    expect(memory.lines).toHaveLength(4);
    t += 500;
    log.info('later');
    expect(memory.lines[4]).toBe('info later (1 similar lines dropped under load)');
  });
});
