import type { Migration } from './Migration.js';

/**
 * Saved programs (the PROGRAM request, REST /programs): people's files, not Konomi state, so
 * no ledger entry and no chain. Every bridge sharing the database sees the same programs.
 */
export const programs: Migration = {
  version: 6,
  name: 'programs',
  sql: `
CREATE TABLE programs (
  name text PRIMARY KEY CHECK (name ~ '^[A-Z0-9_-]{1,32}$'),
  text text NOT NULL CHECK (octet_length(text) <= 65536),
  updated bigint NOT NULL
);
`,
};
