export { WebComputePool, type WorkerLike } from './WebComputePool.js';
