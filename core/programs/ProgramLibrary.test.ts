import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import { MAX_PROGRAM_READ, MAX_PROGRAM_SIZE } from '../../protocol/payloads/program.js';
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

  it('refuses bad names (BAD_PAYLOAD naming the problem), unknown ones (NOT_FOUND) and programs over 1 MiB (TOO_LARGE)', async () => {
    const programs = new ProgramLibrary(new MemoryStore());
    const bad = await failure(programs.save('two words', ''));
    expect(bad).toBeInstanceOf(ProtocolError);
    expect((bad as ProtocolError).code).toBe('BAD_PAYLOAD');
    expect((bad as Error).message).toMatch(/A-Z, 0-9, _ and -/);
    expect(((await failure(programs.get('X'.repeat(33)))) as ProtocolError).message).toMatch(/33 characters, at most 32/);
    expect(isCoreError(await failure(programs.get('NOPE')), 'NOT_FOUND')).toBe(true);
    expect(isCoreError(await failure(programs.delete('NOPE')), 'NOT_FOUND')).toBe(true);
    await programs.save('BIG', 'x'.repeat(MAX_PROGRAM_SIZE));
    // 'κ' is two bytes: one character fewer than the limit is still one byte over it.
    expect(isCoreError(await failure(programs.save('BIG', 'κ' + 'x'.repeat(MAX_PROGRAM_SIZE - 1))), 'TOO_LARGE')).toBe(true);
    expect((await programs.get('BIG')).text.length).toBe(MAX_PROGRAM_SIZE);
  });

  it('holds at most maxPrograms: a new name beyond is TOO_LARGE, replacing one is not; concurrent saves never overshoot', async () => {
    const programs = new ProgramLibrary(new MemoryStore(), { maxPrograms: 3 });
    const results = await Promise.allSettled(['A', 'B', 'C', 'D', 'E'].map((n) => programs.save(n, n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect(isCoreError((results[3] as PromiseRejectedResult).reason, 'TOO_LARGE')).toBe(true);
    await programs.save('A', 'again');
    expect((await programs.list()).map((p) => p.name)).toEqual(['A', 'B', 'C']);
  });

  it('appends to an existing program up to 1 MiB and reads it back in whole-character pieces', async () => {
    let now = 1000;
    const programs = new ProgramLibrary(new MemoryStore(), { now: () => now });
    expect(isCoreError(await failure(programs.append('NEW', 'x')), 'NOT_FOUND')).toBe(true);
    const piece = 'aκ'.repeat(20000); // 60,000 bytes
    await programs.save('file', piece);
    now = 2000;
    expect(await programs.append('FILE', piece)).toEqual({ name: 'FILE', size: 120000, updated: 2000 });
    let text = '';
    let offset = 0;
    let reads = 0;
    for (;;) {
      const part = await programs.read('file', offset);
      expect(part.size).toBe(120000);
      const bytes = new TextEncoder().encode(part.text).length;
      expect(bytes).toBeLessThanOrEqual(MAX_PROGRAM_READ);
      text += part.text;
      offset += bytes;
      reads++;
      if (bytes === 0 || offset === part.size) break;
    }
    expect(text).toBe(piece + piece);
    expect(reads).toBe(4);
    // The cut never splits κ: 32,768 is odd-aligned in 'aκ' repeats, so the first piece is one byte short.
    expect(new TextEncoder().encode((await programs.read('FILE', 0)).text).length).toBe(MAX_PROGRAM_READ - 1);
    expect((await programs.read('FILE', 120000)).text).toBe('');
    expect(isCoreError(await failure(programs.read('FILE', 120001)), 'OUT_OF_RANGE')).toBe(true);
    expect(((await failure(programs.read('FILE', 2))) as ProtocolError).code).toBe('BAD_PAYLOAD');
    await programs.save('FULL', 'x'.repeat(MAX_PROGRAM_SIZE - 1));
    await programs.append('FULL', 'y');
    expect(isCoreError(await failure(programs.append('FULL', 'z')), 'TOO_LARGE')).toBe(true);
    expect((await programs.get('FULL')).text.length).toBe(MAX_PROGRAM_SIZE);
  });
});
