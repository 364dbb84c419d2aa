export { Cube, MAX_LINKS_PER_VERTEX, MAX_TRACE } from './Cube.js';
export type {
  ChoiceResult,
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
export { MIN_VOTE_WEIGHT, QUORUM_EPSILON, holdsQuorum, normalizeAnswer, voteWeight, weightedQuorum } from './Consensus.js';
export { REPLICA_DEFAULT_TOKENS, answerQuorum, replicaQuorum } from './CollectiveStrategy.js';
export { ensembleCentral, ownCentral } from './CentralDecoder.js';
export type { CentralDecoder } from './CentralDecoder.js';
export type { CollectiveStrategy, VertexNode } from './CollectiveStrategy.js';
export type { Consensus, VertexAnswer } from './Consensus.js';
export {
  CUBE_NEIGHBOUR_RATE,
  CUBE_SHARE_OF_VERTEX_KICK,
  CUBE_TARGET_RATE,
  DISSENT_KICK,
  ENTROPY_KICK_PER_BIT,
  HIGH_ENTROPY_BITS,
  MAX_ENTROPY_KICK,
  NEIGHBOUR_RADIUS,
  TEACH_KICK,
  VERTEX_FOLLOW_RATE,
  boundVertexKappa,
  clampKappa,
  entropyKick,
  followCubeKappa,
  nextCubeKappa,
  nextVertexKappa,
} from './Kappa.js';
export { CORNERS, VERTEX_COUNT, VERTEX_NAMES, Vertex, cornerDistance, isVertexId, toVertex, vertexOffset } from './Vertex.js';
export type { VertexId, VertexName } from './Vertex.js';
export { bestChoice, castBallot, choiceContinuation, scoreChoices, tallyChoices, validateChoices } from './ChoiceVote.js';
export type { ChoiceBallot, ChoiceDecision, ChoiceTally } from './ChoiceVote.js';
