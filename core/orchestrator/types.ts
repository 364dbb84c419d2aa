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

/** How a teaching went (Konomi.teachLlm): the model at (x, y, z) has applied its lesson. */
export interface LlmTeachResult {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly id: string;
  /** Optimiser steps run: as asked, or fewer if the time budget ran out (`stoppedEarly`). */
  readonly steps: number;
  readonly stoppedEarly: boolean;
  /** Bits per character of the taught text under the model before and after. */
  readonly bitsBefore: number;
  readonly bitsAfter: number;
  /** Wall-clock milliseconds the teaching took (the CPU it used is at most this). */
  readonly ms: number;
}

/** What GET /value shows of the model at a coordinate. */
export interface LlmView {
  readonly taught: boolean;
  readonly steps?: number;
  readonly textBytes?: number;
  readonly bitsBefore?: number;
  readonly bitsAfter?: number;
}

export interface LlmTeachOptions {
  /** Optimiser steps (default 100, at most 1000). */
  readonly steps?: number;
  /** Called after each step. */
  readonly onProgress?: (progress: { readonly step: number; readonly steps: number; readonly loss: number }) => void;
}
