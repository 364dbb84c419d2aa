import type { Migration } from './Migration.js';

/** ArrayRow.state: an array's PackML state survives restarts. NULL in rows written before (Execute, or Complete for a template). */
export const arrayState: Migration = {
  version: 2,
  name: 'array_state',
  sql: 'ALTER TABLE arrays ADD COLUMN state text NULL;',
};
