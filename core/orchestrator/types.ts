import type { Dims } from '../block/Dims.js';
import type { PackMlState } from './PackMl.js';

/** What BLOCK_GET needs: activity, value and the cell's Merkle leaf hash (zeros when inactive). */
export interface CellRead {
  readonly active: boolean;
  readonly value: number;
  readonly timestamp: number;
  readonly leafHash: Uint8Array;
}

/** What BLOCK_SET needs: the ledger entry that recorded the change. */
export interface WriteReceipt {
  readonly index: number;
  readonly hash: Uint8Array;
}

export interface ArrayInfo {
  readonly id: number;
  readonly dims: Dims;
  readonly size: number;
  readonly template: boolean;
  readonly templateId: number | null;
  readonly state: PackMlState;
}

export interface CellInput {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly value: number;
}

export interface LlmBroadcastResult {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly id: string;
  readonly kappa: number;
  readonly text: string;
}

export interface KappaMetrics {
  readonly cubes: readonly { readonly id: number; readonly kappa: number; readonly vertexKappa: readonly number[] }[];
  readonly cubeMean: number | null;
  readonly llmCount: number;
  readonly llmMean: number | null;
}

/** What one tick of the κ field did (Konomi.updateKappa). */
export interface KappaTick {
  readonly cubes: number;
  /** The largest change of any κ in the tick, cube or vertex: 0 once the field has settled. */
  readonly largestChange: number;
}
