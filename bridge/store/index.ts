export { DEFAULT_DATA_DIR, LmdbStore } from './LmdbStore.js';
