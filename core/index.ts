/**
 * The Konomi core, host-agnostic. The bridge talks to `Konomi` (orchestrator/); the other
 * exports are the parts it is built from, for tests, benchmarks and clients that verify proofs.
 */
export { CoreError, isCoreError, canonicalValue, requireIntegerIn, requireTimestamp } from './errors/index.js';
export type { CoreErrorCode } from './errors/index.js';

export {
  BlockArray,
  BlockTemplate,
  CellIndex,
  MAX_AXIS,
  MAX_CUSTOM_OFFSETS,
  MAX_CUSTOM_REACH,
  MORTON_AXIS_BITS,
  boxVolume,
  mortonBigMin,
  mortonEncode,
  mortonX,
  mortonY,
  mortonZ,
  validateDims,
} from './block/index.js';
export type { Adjacency, Axis, BlockArrayOptions, Box, Cell, CellVisitor, CellWatcher, Dims, PlaneProcessor } from './block/index.js';

export {
  CELL_LEAF_BYTES,
  CellMerkle,
  EMPTY_TREE_ROOT,
  HASH_BYTES,
  LEDGER_CANONICAL_BYTES,
  Ledger,
  LedgerOp,
  MerkleLevels,
  ZERO_HASH,
  cellLeafBytes,
  cellLeafHash,
  equalBytes,
  isLedgerOp,
  ledgerCanonicalBytes,
  ledgerEntryHash,
  merkleNodeHash,
  rootFromInclusionPath,
  sha256Bytes,
  sha256Into,
  validateLedgerRecord,
  verifyInclusionProof,
} from './ledger/index.js';
export type { InclusionProof, LedgerEntry, LedgerHead, LedgerOpCode, LedgerRecord, LedgerVerification } from './ledger/index.js';

export {
  CORNERS,
  CUBE_NEIGHBOUR_RATE,
  CUBE_TARGET_RATE,
  Cube,
  MAX_LINKS_PER_VERTEX,
  MAX_TRACE,
  VERTEX_COUNT,
  VERTEX_NAMES,
  MIN_VOTE_WEIGHT,
  QUORUM_EPSILON,
  REPLICA_DEFAULT_TOKENS,
  Vertex,
  answerQuorum,
  cornerDistance,
  isVertexId,
  nextCubeKappa,
  normalizeAnswer,
  toVertex,
  replicaQuorum,
  ensembleCentral,
  ownCentral,
  vertexOffset,
  voteWeight,
  weightedQuorum,
  TEACH_KICK,
  VERTEX_FOLLOW_RATE,
  NEIGHBOUR_RADIUS,
  tallyChoices,
  validateChoices,
} from './cube/index.js';
export type {
  ChoiceBallot,
  ChoiceDecision,
  ChoiceResult,
  ChoiceTally,
  CentralDecoder,
  CollectiveResult,
  CollectiveStrategy,
  Consensus,
  Coordinate,
  CubeOptions,
  CubeLink,
  CubeRecord,
  TraceStep,
  VertexAnswer,
  VertexId,
  VertexName,
  VertexNodeFactory,
  VertexRef,
  VertexNode,
  VertexResult,
} from './cube/index.js';

export { MemoryStore, emptyBatch } from './store/index.js';
export type { ArrayRow, CellRow, LlmKappaRow, Store, StoreBatch, StoreSink } from './store/index.js';

export { DEFAULT_GRID, Konomi, PACKML_STATES, PackMlMachine } from './orchestrator/index.js';
export type {
  ArrayInfo,
  CellInput,
  CellRead,
  KappaMetrics,
  KappaTick,
  KonomiOptions,
  LlmBroadcastResult,
  PackMlCommand,
  PackMlState,
  VertexLlmFactory,
  WriteReceipt,
} from './orchestrator/index.js';

export type { LlmFactory, LlmNode } from './llm/LlmNode.js';
export { KAPPA_NODE_RATE, KAPPA_TARGET, MAX_RESPONSE_TOKENS, PlaceholderLlm, PlaceholderLlmFactory } from './llm/PlaceholderLlm.js';
