import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { MAX_PROGRAM_TEXT } from '../../protocol/payloads/program.js';
import { isCoreError } from '../errors/CoreError.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { ProgramLibrary } from './ProgramLibrary.js';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('resolved'),
    (e: unknown) => e,
  );
}

describe('ProgramLibrary', () => {
  it('keeps names upper case, whatever case they are asked by', async () => {
    let now = 5000;
    const programs = new ProgramLibrary(new MemoryStore(), { now: () => now });
    expect(await programs.save('life', '10 PRINT "κ"\n')).toEqual({ name: 'LIFE', size: 14, updated: 5000 });
    now = 6000;
    await programs.save('Life', '20 END\n');
    expect(await programs.get('LiFe')).toEqual({ name: 'LIFE', text: '20 END\n', updated: 6000 });
    expect(await programs.list()).toEqual([{ name: 'LIFE', size: 7, updated: 6000 }]);
    await programs.delete('life');
    expect(await programs.list()).toEqual([]);
  });

  it('refuses bad names (BAD_PAYLOAD naming the problem), unknown ones (NOT_FOUND) and texts over 64 KiB (TOO_LARGE)', async () => {
    const programs = new ProgramLibrary(new MemoryStore());
    const bad = await failure(programs.save('two words', ''));
    expect(bad).toBeInstanceOf(ProtocolError);
    expect((bad as ProtocolError).code).toBe('BAD_PAYLOAD');
    expect((bad as Error).message).toMatch(/A-Z, 0-9, _ and -/);
    expect(((await failure(programs.get('X'.repeat(33)))) as ProtocolError).message).toMatch(/33 characters, at most 32/);
    expect(isCoreError(await failure(programs.get('NOPE')), 'NOT_FOUND')).toBe(true);
    expect(isCoreError(await failure(programs.delete('NOPE')), 'NOT_FOUND')).toBe(true);
    await programs.save('BIG', 'x'.repeat(MAX_PROGRAM_TEXT));
    // 'κ' is two bytes: one character fewer than the limit is still one byte over it.
    expect(isCoreError(await failure(programs.save('BIG', 'κ' + 'x'.repeat(MAX_PROGRAM_TEXT - 1))), 'TOO_LARGE')).toBe(true);
    expect((await programs.get('BIG')).text.length).toBe(MAX_PROGRAM_TEXT);
  });

  it('holds at most maxPrograms: a new name beyond is TOO_LARGE, replacing one is not; concurrent saves never overshoot', async () => {
    const programs = new ProgramLibrary(new MemoryStore(), { maxPrograms: 3 });
    const results = await Promise.allSettled(['A', 'B', 'C', 'D', 'E'].map((n) => programs.save(n, n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect(isCoreError((results[3] as PromiseRejectedResult).reason, 'TOO_LARGE')).toBe(true);
    await programs.save('A', 'again');
    expect((await programs.list()).map((p) => p.name)).toEqual(['A', 'B', 'C']);
  });
});
