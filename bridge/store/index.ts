export { DEFAULT_DATA_DIR, LmdbStore } from './LmdbStore.js';
export { PgStore } from './PgStore.js';
export type { PgStoreOptions, Xyz } from './PgStore.js';
export { chainsRoot } from './PgStoreChains.js';
export type { ChainHead } from './PgStoreChains.js';
export { migrate } from './PgStoreMigrate.js';
export { MIGRATIONS } from './migrations/index.js';
export type { Migration } from './migrations/index.js';
