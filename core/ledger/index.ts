export { Ledger, ZERO_HASH, equalBytes, ledgerEntryHash } from './Ledger.js';
export type { LedgerHead, LedgerVerification } from './Ledger.js';
export {
  HASH_BYTES,
  LEDGER_CANONICAL_BYTES,
  LedgerOp,
  isLedgerOp,
  ledgerCanonicalBytes,
  validateLedgerRecord,
} from './LedgerEntry.js';
export type { LedgerEntry, LedgerOpCode, LedgerRecord } from './LedgerEntry.js';
export {
  CELL_LEAF_BYTES,
  EMPTY_TREE_ROOT,
  MerkleLevels,
  cellLeafBytes,
  cellLeafHash,
  merkleNodeHash,
  rootFromInclusionPath,
  verifyInclusionProof,
} from './Merkle.js';
export type { InclusionProof } from './Merkle.js';
export { CellMerkle } from './CellMerkle.js';
export { sha256Bytes, sha256Into } from './Sha256.js';
