import type { Disposable } from '../../protocol/Disposable.js';
import { Vertex } from '../../protocol/payloads/cubeMsg.js';
import type { Axis, Dims } from '../../core/block/Dims.js';
import { mortonX, mortonY, mortonZ } from '../../core/block/Morton.js';
import { DEFAULT_TENSOR_OP_LIMITS, type TensorOpLimits } from '../../core/evgpu/TensorOp.js';
import { ParallelMatmul } from '../../core/evgpu/ParallelMatmul.js';
import { handleTensorOpPayloadAsync } from '../../core/evgpu/TensorOpCodec.js';
import type { InclusionProof } from '../../core/ledger/Merkle.js';
import type { Konomi } from '../../core/orchestrator/Konomi.js';
import type { ArrayInfo, CellInput } from '../../core/orchestrator/types.js';
import { NodeComputePool } from '../compute/NodeComputePool.js';
import type { BridgeCore, CellReading, CellWrite, CubeAnswer, LlmAnswer, LlmTeachAnswer } from '../dispatch/BridgeCore.js';
import type { LlmTeachResult } from '../../core/orchestrator/types.js';
import { toHex } from '../util/hex.js';
import type { CoreEvent } from './CoreEvent.js';

export interface KonomiServiceOptions {
  tensorOpLimits?: TensorOpLimits;
  /** TENSOR_OP matmuls with at least this many multiply-adds run on the worker pool. Default 2²¹. */
  poolMinMultiplyAdds?: number;
  /** Threads of the worker pool (created on the first large matmul). Default: available cores. */
  poolSize?: number;
}

export const DEFAULT_POOL_MIN_MULTIPLY_ADDS = 1 << 21;

export interface BlockView {
  x: number;
  y: number;
  z: number;
  value: number;
}

/**
 * The bridge's one door into the Konomi core: the dispatcher, REST and the JSON API all go
 * through it, so every write is announced once to live subscribers (block, ledger, κ events).
 */
export class KonomiService implements BridgeCore {
  private readonly listeners = new Set<(event: CoreEvent) => void>();
  private readonly tensorOpLimits: TensorOpLimits;
  private readonly poolMinMultiplyAdds: number;
  private readonly poolSize: number | undefined;
  private pool: NodeComputePool | null = null;
  private parallel: ParallelMatmul | null = null;
  private closed = false;

  constructor(
    readonly konomi: Konomi,
    options: KonomiServiceOptions = {},
  ) {
    this.tensorOpLimits = options.tensorOpLimits ?? DEFAULT_TENSOR_OP_LIMITS;
    this.poolMinMultiplyAdds = options.poolMinMultiplyAdds ?? DEFAULT_POOL_MIN_MULTIPLY_ADDS;
    this.poolSize = options.poolSize;
  }

  /** Whether the worker pool has been started (by a large TENSOR_OP matmul). */
  get poolStarted(): boolean {
    return this.pool !== null;
  }

  /** Stops the worker pool, if any, and closes the core. */
  async close(): Promise<void> {
    this.closed = true;
    this.pool?.dispose();
    this.pool = null;
    this.parallel = null;
    await this.konomi.close();
  }

  onEvent(listener: (event: CoreEvent) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  // ---- BridgeCore (wire operations) ----

  getCell(x: number, y: number, z: number, array = 0): CellReading {
    const cell = this.konomi.getCell(x, y, z, array);
    return { active: cell.active, value: cell.value, leafHash: cell.leafHash };
  }

  async setCell(x: number, y: number, z: number, value: number, array = 0): Promise<CellWrite> {
    const receipt = await this.konomi.setCell(x, y, z, value, array);
    this.emit({ event: 'block', data: { array, x, y, z, value, index: receipt.index } });
    this.emitLedger();
    return { index: receipt.index, hash: receipt.hash };
  }

  llmQuery(x: number, y: number, z: number, prompt: string, maxTokens: number): LlmAnswer {
    const { kappa, text } = this.konomi.queryLlm(x, y, z, prompt, maxTokens);
    this.emitKappa();
    // FemtoLLM answers exactly maxTokens tokens of its BPE vocabulary (one or more bytes each);
    // byte-level models (the placeholder) one byte per token, possibly fewer.
    return { kappa, tokens: Math.min(maxTokens, new TextEncoder().encode(text).length), text };
  }

  /** LLM_TEACH on the wire. */
  async llmTeach(x: number, y: number, z: number, text: string, steps: number): Promise<LlmTeachAnswer> {
    const r = await this.teach(x, y, z, text, steps);
    return { steps: r.steps, bitsBefore: r.bitsBefore, bitsAfter: r.bitsAfter };
  }

  /**
   * Teaches the model at (x, y, z); every subscriber sees a `teach` event per step (step, loss
   * in bits per character) and one with `done` at the end; `onProgress` gets the same events.
   */
  async teach(x: number, y: number, z: number, text: string, steps?: number, onProgress?: (e: CoreEvent & { event: 'teach' }) => void): Promise<LlmTeachResult> {
    const send = (data: (CoreEvent & { event: 'teach' })['data']): void => {
      const event = { event: 'teach', data } as const;
      this.emit(event);
      onProgress?.(event);
    };
    const result = await this.konomi.teachLlm(x, y, z, text, {
      ...(steps !== undefined ? { steps } : {}),
      onProgress: (p) => send({ x, y, z, step: p.step, steps: p.steps, loss: p.loss }),
    });
    send({ x, y, z, step: result.steps, steps: steps ?? result.steps, done: true, bitsBefore: result.bitsBefore, bitsAfter: result.bitsAfter, stoppedEarly: result.stoppedEarly });
    this.emitKappa();
    return result;
  }

  cubeMessage(cube: number, vertex: number, text: string): CubeAnswer {
    if (vertex === Vertex.CUBE) {
      const result = this.konomi.collectiveThink(cube, text);
      this.emitKappa();
      return { vertex: Vertex.CENTRAL, kappa: result.kappa, text: result.text ?? '[no quorum]' };
    }
    const result = this.konomi.processVertex(cube, vertex as never, text);
    this.emitKappa();
    return { vertex: result.vertex, kappa: result.kappa, text: result.text };
  }

  /** Large 2-D matmuls run on the worker pool (started on first need); everything else inline. */
  tensorOp(payload: Uint8Array): Promise<Uint8Array> {
    return handleTensorOpPayloadAsync(payload, {
      parallel: () => this.parallelMatmul(),
      minMultiplyAdds: this.poolMinMultiplyAdds,
      limits: this.tensorOpLimits,
    });
  }

  private parallelMatmul(): ParallelMatmul {
    if (this.closed) throw new Error('the Konomi service is closed');
    if (this.parallel === null) {
      this.pool = new NodeComputePool(this.poolSize);
      this.parallel = new ParallelMatmul(this.pool, { minMultiplyAdds: this.poolMinMultiplyAdds });
    }
    return this.parallel;
  }

  // ---- REST / JSON API ----

  async createTemplate(dims: Dims, cells: readonly CellInput[]): Promise<ArrayInfo> {
    const info = await this.konomi.createTemplate(dims, cells);
    this.emitLedger();
    return info;
  }

  async instantiate(templateId: number): Promise<ArrayInfo> {
    const info = await this.konomi.instantiate(templateId);
    this.emitLedger();
    return info;
  }

  /** Interlock: one operation over a whole plane. */
  async interlock(op: InterlockRequest): Promise<{ index: number; hash: string }> {
    const k = this.konomi;
    const receipt =
      op.op === 'activate'
        ? await k.planeActivate(op.axis, op.index, op.value ?? 0, op.array)
        : op.op === 'deactivate'
          ? await k.planeDeactivate(op.axis, op.index, op.array)
          : await k.planeSync(op.axis, op.index, op.to ?? op.index, op.array, op.target ?? op.array);
    this.emitLedger();
    return { index: receipt.index, hash: toHex(receipt.hash) };
  }

  /** Up to `limit` active cells of an array in Morton order, for the 3D view. */
  blocks(limit: number, array = 0): { total: number; blocks: BlockView[] } {
    const view = this.konomi.array(array);
    const keys = view.mortonKeys();
    const blocks: BlockView[] = [];
    for (let i = 0; i < keys.length && blocks.length < limit; i++) {
      const k = keys[i]!;
      const x = mortonX(k);
      const y = mortonY(k);
      const z = mortonZ(k);
      blocks.push({ x, y, z, value: view.get(x, y, z) ?? 0 });
    }
    return { total: view.size, blocks };
  }

  cubes(): Array<{ id: number; origin: { x: number; y: number; z: number }; kappa: number; vertexKappa: readonly number[] }> {
    const out = [];
    for (const id of this.konomi.cubeIds()) {
      const cube = this.konomi.cube(id);
      out.push({ id, origin: { ...cube.origin }, kappa: cube.kappa, vertexKappa: cube.vertexKappa() });
    }
    return out;
  }

  cube(id: number): Record<string, unknown> {
    const cube = this.konomi.cube(id);
    const record = cube.toRecord();
    return { ...record, edges: cube.edges() };
  }

  /** `index` is the last entry's index (-1 for an empty ledger). */
  ledgerHead(): { length: number; index: number; hash: string } {
    const head = this.konomi.ledgerHead();
    return { length: head.length, index: head.length - 1, hash: toHex(head.hash) };
  }

  verifyLedger(): { valid: boolean; length: number; firstBadIndex?: number } {
    const v = this.konomi.verifyLedger();
    return v.valid ? { valid: true, length: v.length } : { valid: false, length: v.length, firstBadIndex: v.firstBadIndex };
  }

  proof(x: number, y: number, z: number, array = 0): Record<string, unknown> {
    const p: InclusionProof = this.konomi.proveCell(x, y, z, array);
    return { ...p, path: p.path.map(toHex), root: toHex(p.root) };
  }

  kappa(): CoreEvent & { event: 'kappa' } {
    const m = this.konomi.kappaMetrics();
    return { event: 'kappa', data: { cubes: m.cubes.map((c) => ({ id: c.id, kappa: c.kappa })), cubeMean: m.cubeMean, llmMean: m.llmMean } };
  }

  status(): Record<string, unknown> {
    const m = this.konomi.kappaMetrics();
    return {
      state: this.konomi.system.state,
      grid: this.konomi.gridDims,
      arrays: this.konomi.arrays(),
      cubes: this.konomi.cubeCount,
      llms: m.llmCount,
      kappa: { cubeMean: m.cubeMean, llmMean: m.llmMean },
      ledger: this.ledgerHead(),
    };
  }

  private emitLedger(): void {
    if (this.listeners.size > 0) this.emit({ event: 'ledger', data: this.ledgerHead() });
  }

  private emitKappa(): void {
    if (this.listeners.size > 0) this.emit(this.kappa());
  }

  private emit(event: CoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

export interface InterlockRequest {
  op: 'activate' | 'deactivate' | 'sync';
  axis: Axis;
  index: number;
  value?: number;
  /** sync: the destination plane index and array. */
  to?: number;
  target?: number;
  array: number;
}
