import type { Migration } from './Migration.js';

/**
 * Ids shared by every writer (PgStore.allocateId): a sequence for arrays (0 is the grid, fixed),
 * and for cubes a claim per origin, so that one origin has one cube id system-wide. `creator`
 * records which chain (writer) created an array or cube: a writer may update only its own
 * arrays (and the shared grid), and a cube only at the origin it was claimed for.
 */
export const sharedIds: Migration = {
  version: 3,
  name: 'shared_ids',
  sql: `
CREATE SEQUENCE array_ids AS int MINVALUE 1;
SELECT setval('array_ids', COALESCE((SELECT max(id) + 1 FROM arrays WHERE id > 0), 1), false);
CREATE SEQUENCE cube_ids AS int MINVALUE 0;
SELECT setval('cube_ids', COALESCE((SELECT max(id) + 1 FROM cubes), 0), false);
CREATE TABLE cube_claims (
  origin bigint PRIMARY KEY,
  id int NOT NULL UNIQUE
);
ALTER TABLE arrays ADD COLUMN creator text NULL;
ALTER TABLE cubes ADD COLUMN creator text NULL;
`,
};
