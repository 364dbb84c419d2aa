import { describe, expect, it } from 'vitest';
import { ProgramLibrary } from '../../core/programs/ProgramLibrary.js';
import { MemoryStore } from '../../core/store/MemoryStore.js';
import { MemoryLogger } from '../util/Logger.js';
import { examplePrograms, seedExamplePrograms } from './examplePrograms.js';

describe('example programs', () => {
  it('reads programs/*.bas of the repository, by name, as numbered BASIC lines', () => {
    const examples = examplePrograms();
    expect(examples.map((e) => e.name)).toEqual(['GOSSIP', 'LIFE', 'SCRIBE']);
    for (const e of examples) for (const line of e.text.trim().split('\n')) expect(line).toMatch(/^\d+ \S/);
  });

  it('seeds an empty store only: a store with any program (an example deleted or edited) is left alone', async () => {
    const programs = new ProgramLibrary(new MemoryStore());
    const logger = new MemoryLogger();
    expect(await seedExamplePrograms(programs, logger)).toEqual(['GOSSIP', 'LIFE', 'SCRIBE']);
    expect(logger.lines).toHaveLength(1);
    await programs.delete('LIFE');
    await programs.save('SCRIBE', '10 PRINT "mine"\n');
    expect(await seedExamplePrograms(programs, logger)).toEqual([]);
    expect((await programs.list()).map((p) => p.name)).toEqual(['GOSSIP', 'SCRIBE']);
    expect((await programs.get('SCRIBE')).text).toBe('10 PRINT "mine"\n');
  });
});
