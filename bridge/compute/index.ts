export { NodeComputePool } from './NodeComputePool.js';
