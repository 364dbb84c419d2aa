export { DEFAULT_GRID, Konomi } from './Konomi.js';
export type { KonomiOptions, VertexLlmFactory } from './Konomi.js';
export { PACKML_STATES, PackMlMachine } from './PackMl.js';
export type { PackMlCommand, PackMlState } from './PackMl.js';
export type { ArrayInfo, CellInput, CellRead, KappaMetrics, KappaTick, LlmBroadcastResult, WriteReceipt } from './types.js';
