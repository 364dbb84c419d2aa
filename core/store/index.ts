export { MemoryStore } from './MemoryStore.js';
export { emptyBatch } from './Store.js';
export type { ArrayRow, CellRow, LlmKappaRow, ProgramInfo, ProgramRow, ProgramStore, Store, StoreBatch, StoreSink } from './Store.js';
