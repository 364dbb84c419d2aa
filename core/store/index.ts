export { MemoryStore } from './MemoryStore.js';
export { emptyBatch } from './Store.js';
export type { ArrayRow, CellRow, LlmKappaRow, Store, StoreBatch, StoreSink } from './Store.js';
