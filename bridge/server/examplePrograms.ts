import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgramLibrary } from '../../core/programs/ProgramLibrary.js';
import type { Logger } from '../util/Logger.js';

export interface ExampleProgram {
  name: string;
  text: string;
}

/** programs/ of the repository (the example agents, docs/AGENTS.md), from the sources or from dist/. */
function examplesDirectory(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [resolve(here, '../../programs'), resolve(here, '../../../programs')]) {
    try {
      readdirSync(candidate);
      return candidate;
    } catch {
      // not this layout
    }
  }
  return undefined;
}

/** Every programs/NAME.bas, by name. */
export function examplePrograms(directory = examplesDirectory()): ExampleProgram[] {
  if (!directory) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith('.bas'))
    .sort()
    .map((file) => ({ name: file.slice(0, -'.bas'.length).toUpperCase(), text: readFileSync(join(directory, file), 'utf8') }));
}

/**
 * A first start seeds the example agents: only into a store that holds no programs at all, so a
 * person who deletes or edits an example never finds it back or overwritten after a restart.
 * Returns the names saved.
 */
export async function seedExamplePrograms(programs: ProgramLibrary, logger: Logger, examples = examplePrograms()): Promise<string[]> {
  if ((await programs.list()).length > 0 || examples.length === 0) return [];
  for (const example of examples) await programs.save(example.name, example.text);
  const names = examples.map((e) => e.name);
  logger.info(`programs: seeded the example agents ${names.join(', ')} (docs/AGENTS.md)`);
  return names;
}
