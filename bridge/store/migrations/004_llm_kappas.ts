import type { Migration } from './Migration.js';

/**
 * κ of llmAt models (StoreBatch.llmKappas), by Morton code. Only coordinates a request has
 * touched have a row; every other one starts from its coordinate-derived κ, as before.
 */
export const llmKappas: Migration = {
  version: 4,
  name: 'llm_kappas',
  sql: `
CREATE TABLE llm_kappas (
  morton bigint PRIMARY KEY CHECK (morton >= 0 AND morton < ${2 ** 30}),
  kappa float8 NOT NULL CHECK (kappa >= 0 AND kappa <= 1)
);
`,
};
