import type { Tensor } from '../../core/evgpu/Tensor.js';
import type { TensorOpLimits, TensorOpCall } from '../../core/evgpu/TensorOp.js';
import type { HostedAnswers } from '../../core/cube/CollectiveStrategy.js';

/**
 * What the dispatcher needs from the Konomi core, in the core's terms (the dispatcher decodes and encodes). KonomiBridgeCore adapts the
 * orchestrator to it; keeping the seam narrow lets the dispatcher be tested on its own.
 */
export interface BridgeCore {
  /** May be asynchronous: a cluster reads cells from the shared store. */
  getCell(x: number, y: number, z: number): CellReading | Promise<CellReading>;
  /** Resolves once the write and its ledger entry are durable. */
  setCell(x: number, y: number, z: number, value: number): Promise<CellWrite>;
  llmQuery(x: number, y: number, z: number, prompt: string, maxTokens: number): LlmAnswer;
  /** vertex 0..8, or 0xFF for the whole cube (collective think). */
  /** `hosted`: for vertex 0xFF, the answers of vertices guests host (they vote instead of the core's copies). */
  cubeMessage(cube: number, vertex: number, text: string, hosted?: HostedAnswers): CubeAnswer;
  /**
   * One TENSOR_OP, decoded by the dispatcher (tensorOpWire.ts); oversize requests throw TOO_LARGE
   * before anything runs. May be asynchronous: large matmuls run on a worker pool.
   */
  tensorOp(call: TensorOpCall): Tensor | Promise<Tensor>;
  /**
   * A whole TENSOR_OP request off the main thread, when the core takes it that way (large, not a
   * matmul the pool splits): its reply payload; undefined to have the dispatcher decode it.
   */
  tensorOpPayload?(payload: Uint8Array, limits: TensorOpLimits): Promise<Uint8Array> | undefined;
  /** LLM_TEACH: teaches the model at (x, y, z); resolves once the lesson is durable. Absent: UNSUPPORTED. */
  llmTeach?(x: number, y: number, z: number, text: string, steps: number): Promise<LlmTeachAnswer>;
}

export interface LlmTeachAnswer {
  steps: number;
  bitsBefore: number;
  bitsAfter: number;
}

export interface CellReading {
  active: boolean;
  value: number;
  /** SHA-256 Merkle leaf hash of the cell; all zero when inactive. */
  leafHash: Uint8Array;
}

export interface CellWrite {
  index: number;
  hash: Uint8Array;
}

export interface LlmAnswer {
  kappa: number;
  /** κ the answer was sampled at (before the request's drift) and the temperature it set; the wire reply carries only `kappa`. */
  kappaUsed?: number;
  temperature?: number;
  tokens: number;
  text: string;
}

export interface CubeAnswer {
  vertex: number;
  kappa: number;
  /** As in LlmAnswer, for a corner's own answer (not on the wire). */
  kappaUsed?: number;
  temperature?: number;
  text: string;
}

/** A cube message answered for the bridge's own APIs: who answered, and how when the core did. */
export interface CubeMessageAnswer extends CubeAnswer {
  /** `core`: this bridge's Konomi core; `host`: the guest hosting the vertex (here or on another bridge), whose reply is the wire's. */
  answeredBy: 'core' | 'host';
}
