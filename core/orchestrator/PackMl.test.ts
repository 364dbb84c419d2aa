import { describe, expect, it } from 'vitest';
import { PackMlMachine, PACKML_STATES, type PackMlCommand } from './PackMl.js';

describe('PackMlMachine', () => {
  it('walks the happy path through the acting states', () => {
    const m = new PackMlMachine();
    expect(m.fire('start')).toBe('Starting');
    expect(m.fire('complete')).toBe('Execute');
    expect(m.fire('hold')).toBe('Holding');
    expect(m.fire('complete')).toBe('Held');
    expect(m.fire('unhold')).toBe('Unholding');
    expect(m.fire('complete')).toBe('Execute');
    expect(m.run('suspend')).toBe('Suspended');
    expect(m.run('unsuspend')).toBe('Execute');
    expect(m.run('complete')).toBe('Complete');
    expect(m.run('reset')).toBe('Idle');
    expect(m.run('abort')).toBe('Aborted');
    expect(m.run('clear')).toBe('Stopped');
    expect(m.run('reset')).toBe('Idle');
  });

  it('rejects invalid transitions with INVALID_TRANSITION and keeps the state', () => {
    const m = new PackMlMachine();
    expect(() => m.fire('hold')).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
    expect(m.state).toBe('Idle');
    m.run('stop');
    expect(m.state).toBe('Stopped');
    expect(() => m.fire('start')).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
    expect(() => m.fire('stop')).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
    m.run('abort');
    expect(() => m.fire('abort')).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
    expect(() => m.fire('reset')).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
    expect(() => new PackMlMachine('Nope' as 'Idle')).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
  });

  it('abort is allowed from every state except Aborting and Aborted; stop from all but the stop/abort branch', () => {
    for (const s of PACKML_STATES) {
      const abortable = s !== 'Aborting' && s !== 'Aborted';
      expect(new PackMlMachine(s).target('abort') !== undefined).toBe(abortable);
      const stoppable = !['Stopping', 'Stopped', 'Aborting', 'Aborted', 'Clearing'].includes(s);
      expect(new PackMlMachine(s).target('stop') !== undefined).toBe(stoppable);
    }
  });

  it('every reachable state is reached by some command sequence', () => {
    const seen = new Set<string>(['Idle']);
    const frontier = ['Idle'] as const as readonly string[];
    const queue = [...frontier];
    const commands: PackMlCommand[] = ['start', 'hold', 'unhold', 'suspend', 'unsuspend', 'stop', 'abort', 'clear', 'reset', 'complete'];
    while (queue.length > 0) {
      const s = queue.shift()!;
      for (const c of commands) {
        const next = new PackMlMachine(s as 'Idle').target(c);
        if (next && !seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    expect([...seen].sort()).toEqual([...PACKML_STATES].sort());
  });
});
