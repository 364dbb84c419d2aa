export { Cube, MAX_LINKS_PER_VERTEX, MAX_TRACE } from './Cube.js';
export type {
  CollectiveResult,
  Coordinate,
  CubeOptions,
  CubeLink,
  CubeRecord,
  TraceStep,
  VertexNodeFactory,
  VertexRef,
  VertexResult,
} from './Cube.js';
export { MIN_VOTE_WEIGHT, QUORUM_EPSILON, normalizeAnswer, voteWeight, weightedQuorum } from './Consensus.js';
export { REPLICA_DEFAULT_TOKENS, answerQuorum, replicaQuorum } from './CollectiveStrategy.js';
export { ensembleCentral, ownCentral } from './CentralDecoder.js';
export type { CentralDecoder } from './CentralDecoder.js';
export type { CollectiveStrategy, VertexNode } from './CollectiveStrategy.js';
export type { Consensus, VertexAnswer } from './Consensus.js';
export { CUBE_NEIGHBOUR_RATE, CUBE_TARGET_RATE, boundVertexKappa, nextCubeKappa, nextVertexKappa } from './Kappa.js';
export { CORNERS, VERTEX_COUNT, VERTEX_NAMES, Vertex, cornerDistance, isVertexId, toVertex, vertexOffset } from './Vertex.js';
export type { VertexId, VertexName } from './Vertex.js';
