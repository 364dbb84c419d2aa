import { initial } from './001_initial.js';
import { arrayState } from './002_array_state.js';
import { sharedIds } from './003_shared_ids.js';
import { llmKappas } from './004_llm_kappas.js';
import { llmLessons } from './005_llm_lessons.js';
import { programs } from './006_programs.js';
import type { Migration } from './Migration.js';

export type { Migration } from './Migration.js';

/** Every migration, ascending by version. Append only. */
export const MIGRATIONS: readonly Migration[] = [initial, arrayState, sharedIds, llmKappas, llmLessons, programs];
