import type { Migration } from './Migration.js';

/**
 * Lessons of taught llmAt models (StoreBatch.llmLessons), by Morton code: the model's own
 * parameters in their versioned stored form (FemtoLLM: core/femto/FemtoLesson.ts, 792 bytes),
 * kept as bytes; at most 1 KiB each, the budget per instance.
 */
export const llmLessons: Migration = {
  version: 5,
  name: 'llm_lessons',
  sql: `
CREATE TABLE llm_lessons (
  morton bigint PRIMARY KEY CHECK (morton >= 0 AND morton < ${2 ** 30}),
  lesson bytea NOT NULL CHECK (octet_length(lesson) BETWEEN 1 AND 1024)
);
`,
};
