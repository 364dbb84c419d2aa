export { BlockArray } from './BlockArray.js';
export type { BlockArrayOptions, Cell, CellVisitor, CellWatcher, PlaneProcessor } from './BlockArray.js';
export { BlockTemplate } from './BlockTemplate.js';
export { CellIndex } from './CellIndex.js';
export { MAX_AXIS, boxVolume, validateDims } from './Dims.js';
export type { Axis, Box, Dims } from './Dims.js';
export { MAX_CUSTOM_OFFSETS, MAX_CUSTOM_REACH } from './Adjacency.js';
export type { Adjacency } from './Adjacency.js';
export { mortonBigMin, mortonEncode, mortonX, mortonY, mortonZ, MORTON_AXIS_BITS } from './Morton.js';
