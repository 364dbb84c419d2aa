import type { Disposable } from '../../protocol/Disposable.js';
import { Emitter, propagateListenerError } from '../../protocol/Emitter.js';
import { Vertex } from '../../protocol/payloads/cubeMsg.js';
import { formatChoiceReply, parseChoiceText } from '../../protocol/payloads/cubeChoices.js';
import { toVertex } from '../../core/cube/Vertex.js';
import { temperatureFor } from '../../core/femto/FemtoLlm.js';
import type { KappaTick, LlmTeachResult } from '../../core/orchestrator/types.js';
import { DEFAULT_TENSOR_OP_LIMITS, TensorOpCode, type TensorOpCall, type TensorOpLimits, executeTensorOp, validateTensorOp } from '../../core/evgpu/TensorOp.js';
import { Tensor } from '../../core/evgpu/Tensor.js';
import { ParallelMatmul } from '../../core/evgpu/ParallelMatmul.js';
import { KAPPA_QUIET_CHANGE } from '../../core/orchestrator/CubeSet.js';
import type { Konomi } from '../../core/orchestrator/Konomi.js';
import { NodeComputePool } from '../compute/NodeComputePool.js';
import type { BridgeCore, CellReading, CellWrite, CubeAnswer, LlmAnswer, LlmTeachAnswer } from '../dispatch/BridgeCore.js';
import type { CoreEvent } from './CoreEvent.js';
import { choiceReply, kappaEvent, ledgerHeadView, voteView } from './coreViews.js';
import type { HostedAnswers } from '../../core/cube/CollectiveStrategy.js';
import { tensorOpTask } from '../../core/evgpu/ComputePool.js';
import { tensorOpByte } from '../dispatch/tensorOpWire.js';

/** TENSOR_OPs with this many input bytes or more run on a pool worker (a 1 MB conv2d stalled lines for 0.3 s). */
const DEFAULT_POOL_MIN_OFFLOAD_BYTES = 64 * 1024;

export interface KonomiServiceOptions {
  tensorOpLimits?: TensorOpLimits;
  /** TENSOR_OP matmuls with at least this many multiply-adds run on the worker pool. Default 2²¹. */
  poolMinMultiplyAdds?: number;
  /** Other TENSOR_OPs with at least this many input bytes run whole on a pool worker. Default 64 KiB. */
  poolMinOffloadBytes?: number;
  /** Threads of the worker pool (created on the first large matmul). Default: available cores. */
  poolSize?: number;
}

export const DEFAULT_POOL_MIN_MULTIPLY_ADDS = 1 << 21;
/**
 * The dispatcher's side of the Konomi core (BridgeCore: wire records in the core's terms, large
 * TENSOR_OPs on a worker pool), and the one place where the core's events become the /ws
 * CoreEvents. REST and the JSON API call the core's parts (grid, llm, cubes) directly; the parts
 * announce their changes, so every write is announced once whichever door it came through.
 */
export class KonomiService implements BridgeCore {
  private readonly listeners = new Emitter<CoreEvent>(propagateListenerError);
  private readonly tensorOpLimits: TensorOpLimits;
  private readonly poolMinMultiplyAdds: number;
  private readonly poolSize: number | undefined;
  private readonly poolMinOffloadBytes: number;
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
    this.poolMinOffloadBytes = options.poolMinOffloadBytes ?? DEFAULT_POOL_MIN_OFFLOAD_BYTES;
    this.forwardCoreEvents();
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
    return this.listeners.add(listener);
  }

  // ---- BridgeCore (wire operations) ----

  getCell(x: number, y: number, z: number, array = 0): CellReading {
    const cell = this.konomi.grid.getCell(x, y, z, array);
    return { active: cell.active, value: cell.value, leafHash: cell.leafHash };
  }

  async setCell(x: number, y: number, z: number, value: number, array = 0): Promise<CellWrite> {
    const receipt = await this.konomi.grid.setCell(x, y, z, value, array);
    return { index: receipt.index, hash: receipt.hash };
  }

  llmQuery(x: number, y: number, z: number, prompt: string, maxTokens: number): LlmAnswer {
    // κ sets the sampling temperature; the answer reports the one it was sampled at (κ before the request's drift).
    const used = this.konomi.llm.at(x, y, z).kappa;
    const { kappa, text } = this.konomi.llm.query(x, y, z, prompt, maxTokens);
    // FemtoLLM answers exactly maxTokens tokens of its BPE vocabulary (one or more bytes each);
    // byte-level models (the placeholder) one byte per token, possibly fewer.
    return { kappa, kappaUsed: used, temperature: temperatureFor(used), tokens: Math.min(maxTokens, new TextEncoder().encode(text).length), text };
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
    const result = await this.konomi.llm.teach(x, y, z, text, {
      ...(steps !== undefined ? { steps } : {}),
      onProgress: (p) => send({ x, y, z, step: p.step, steps: p.steps, loss: p.loss }),
    });
    send({ x, y, z, step: result.steps, steps: steps ?? result.steps, done: true, bitsBefore: result.bitsBefore, bitsAfter: result.bitsAfter, stoppedEarly: result.stoppedEarly });
    return result;
  }

  /**
   * CUBE_MSG: one vertex answers, or (vertex 0xFF) the whole cube: a choice vote when the text
   * starts with the `?choices` line (protocol/payloads/cubeChoices.ts), else a collective think.
   */
  cubeMessage(cube: number, vertex: number, text: string, hosted?: HostedAnswers): CubeAnswer {
    if (vertex === Vertex.CUBE) {
      const vote = parseChoiceText(text);
      if (vote !== null) {
        const result = this.konomi.cubes.collectiveChoose(cube, vote.query, vote.choices);
        return { vertex: Vertex.CENTRAL, kappa: result.kappa, text: formatChoiceReply(choiceReply(result)) };
      }
      const result = this.konomi.cubes.collectiveThink(cube, text, undefined, hosted);
      return { vertex: Vertex.CENTRAL, kappa: result.kappa, text: result.text ?? '[no quorum]' };
    }
    const v = toVertex(vertex);
    const used = this.konomi.cubes.cube(cube).kappaOf(v);
    const result = this.konomi.cubes.processVertex(cube, v, text);
    // CENTRAL samples from the corners' mixture, each at its own temperature: no single one to report.
    return { vertex: result.vertex, kappa: result.kappa, ...(v === Vertex.CENTRAL ? {} : { kappaUsed: used, temperature: temperatureFor(used) }), text: result.text };
  }

  /**
   * One tick of the κ field (KappaTicker calls it on its clock). A tick that moved something
   * is announced to subscribers and committed; a settled field stays quiet.
   */
  async tickKappa(): Promise<KappaTick> {
    const tick = this.konomi.cubes.updateKappa();
    if (tick.largestChange >= KAPPA_QUIET_CHANGE) await this.konomi.flush();
    return tick;
  }

  /**
   * Large 2-D matmuls are split over the worker pool; other requests with 64 KiB of input or more
   * run whole on one worker, so no line waits on another line's tensor (issue 16); small ones run
   * inline. The pool starts on first need. Validation (and refusal of oversize requests) comes
   * first either way.
   */
  async tensorOp(call: TensorOpCall): Promise<Tensor> {
    const limits = this.tensorOpLimits;
    validateTensorOp(call.op, call.inputs.map((t) => t.shape), call.params, limits);
    const [a, b] = call.inputs as [Tensor, Tensor | undefined];
    const large = call.op === TensorOpCode.matmul && b !== undefined && a.rank === 2 && b.rank === 2 && a.size * (b.shape[1] as number) >= this.poolMinMultiplyAdds;
    if (large) return this.parallelMatmul().matmul(a, b);
    const bytes = call.inputs.reduce((sum, t) => sum + t.size * Float32Array.BYTES_PER_ELEMENT, 0);
    if (bytes < this.poolMinOffloadBytes) return executeTensorOp(call.op, call.inputs, call.params, limits);
    this.parallelMatmul();
    const pool = this.pool as NodeComputePool;
    const result = await pool.tensorOp(tensorOpTask(call, limits));
    return new Tensor(result.data, result.shape);
  }

  /**
   * Requests of poolMinOffloadBytes or more, except matmuls (the pool splits large ones over all
   * its workers), go to one worker as bytes: decoded, run and encoded there, so the main thread
   * only frames bytes and no line waits on another's tensor. The worker uses the dispatcher's
   * codec (bridge/dispatch/tensorOpWire.ts), so the reply bytes and errors are the same.
   */
  tensorOpPayload(payload: Uint8Array, limits: TensorOpLimits): Promise<Uint8Array> | undefined {
    if (payload.length < this.poolMinOffloadBytes || payload[0] === tensorOpByte(TensorOpCode.matmul)) return undefined;
    this.parallelMatmul();
    const pool = this.pool as NodeComputePool;
    // The request's payload is ours (the session fingerprinted it before the call): its buffer
    // moves to the worker without a copy.
    return pool.tensorOpPayload({ kind: 'tensorOpPayload', payload, limits });
  }

  private parallelMatmul(): ParallelMatmul {
    if (this.closed) throw new Error('the Konomi service is closed');
    if (this.parallel === null) {
      this.pool = new NodeComputePool(this.poolSize);
      this.parallel = new ParallelMatmul(this.pool, { minMultiplyAdds: this.poolMinMultiplyAdds });
    }
    return this.parallel;
  }

  // ---- the bridge's own views ----

  status(): Record<string, unknown> {
    const k = this.konomi;
    const m = k.kappaMetrics();
    return {
      state: k.system.state,
      grid: k.grid.dims,
      arrays: k.grid.arrays(),
      cubes: k.cubes.count,
      llms: m.llmCount,
      kappa: { cubeMean: m.cubeMean, llmMean: m.llmMean },
      ledger: ledgerHeadView(k.grid),
    };
  }

  /**
   * The core's parts announce their own changes; subscribers get them as CoreEvents. Views are
   * built only while someone listens (a κ view walks every cube and model).
   */
  private forwardCoreEvents(): void {
    const k = this.konomi;
    k.grid.onEvent((e) => {
      if (this.listeners.size === 0) return;
      if (e.type === 'cell') this.emit({ event: 'block', data: { array: e.array, x: e.x, y: e.y, z: e.z, value: e.value, index: e.index } });
      else this.emit({ event: 'ledger', data: ledgerHeadView(k.grid) });
    });
    const kappa = (e: { type: string }): void => {
      if (e.type === 'kappa' && this.listeners.size > 0) this.emit(kappaEvent(k));
    };
    k.llm.onEvent(kappa);
    k.cubes.onEvent((e) => {
      if (e.type === 'vote' && this.listeners.size > 0) this.emit({ event: 'vote', data: voteView(e.result, e.query) });
      kappa(e);
    });
  }

  private emit(event: CoreEvent): void {
    this.listeners.emit(event);
  }
}
