export { ClusterNode } from './ClusterNode.js';
export type { ClusterHost, ClusterOptions } from './ClusterNode.js';
export { parseBridgeStatus, parseClusterMessage, MAX_CLUSTER_MESSAGE } from './ClusterMessage.js';
export type { BridgeStatus, ClusterMessage } from './ClusterMessage.js';
export { SharedCellReads } from './SharedCellReads.js';
export type { SharedCells } from './SharedCellReads.js';
export { joinCluster } from './joinCluster.js';
export type { ClusterEndpoints } from './joinCluster.js';
