import type { Disposable } from '../../protocol/Disposable.js';
import { Emitter, propagateListenerError } from '../../lines/Emitter.js';
import { Vertex } from '../../protocol/payloads/cubeMsg.js';
import { formatChoiceReply, parseChoiceText } from '../../protocol/payloads/cubeChoices.js';
import type { ChoiceResult } from '../../core/cube/Cube.js';
import { VERTEX_NAMES, toVertex } from '../../core/cube/Vertex.js';
import { temperatureFor } from '../../core/femto/FemtoLlm.js';
import type { KappaTick } from '../../core/orchestrator/types.js';
import type { Axis, Dims } from '../../core/block/Dims.js';
import { mortonX, mortonY, mortonZ } from '../../core/block/Morton.js';
import { DEFAULT_TENSOR_OP_LIMITS, TensorOpCode, type TensorOpCall, type TensorOpLimits, executeTensorOp, validateTensorOp } from '../../core/evgpu/TensorOp.js';
import { Tensor } from '../../core/evgpu/Tensor.js';
import { ParallelMatmul } from '../../core/evgpu/ParallelMatmul.js';
import type { InclusionProof } from '../../core/ledger/Merkle.js';
import type { Konomi } from '../../core/orchestrator/Konomi.js';
import type { ArrayInfo, CellInput } from '../../core/orchestrator/types.js';
import { NodeComputePool } from '../compute/NodeComputePool.js';
import type { BridgeCore, CellReading, CellWrite, CubeAnswer, LlmAnswer, LlmTeachAnswer } from '../dispatch/BridgeCore.js';
import type { LlmTeachResult } from '../../core/orchestrator/types.js';
import { toHex } from '../util/hex.js';
import type { CoreEvent } from './CoreEvent.js';
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
 * A tick that moves no κ by at least this much is not announced nor committed on its own: a
 * settled field stays quiet (what it did move rides with the next commit anyway).
 */
export const KAPPA_QUIET_CHANGE = 1e-5;

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
    // κ sets the sampling temperature; the answer reports the one it was sampled at (κ before the request's drift).
    const used = this.konomi.llmAt(x, y, z).kappa;
    const { kappa, text } = this.konomi.queryLlm(x, y, z, prompt, maxTokens);
    this.emitKappa();
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
    const result = await this.konomi.teachLlm(x, y, z, text, {
      ...(steps !== undefined ? { steps } : {}),
      onProgress: (p) => send({ x, y, z, step: p.step, steps: p.steps, loss: p.loss }),
    });
    send({ x, y, z, step: result.steps, steps: steps ?? result.steps, done: true, bitsBefore: result.bitsBefore, bitsAfter: result.bitsAfter, stoppedEarly: result.stoppedEarly });
    this.emitKappa();
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
        const result = this.collectiveChoose(cube, vote.query, vote.choices);
        return { vertex: Vertex.CENTRAL, kappa: result.kappa, text: formatChoiceReply(choiceReply(result)) };
      }
      const result = this.konomi.collectiveThink(cube, text, undefined, hosted);
      this.emitKappa();
      return { vertex: Vertex.CENTRAL, kappa: result.kappa, text: result.text ?? '[no quorum]' };
    }
    const v = toVertex(vertex);
    const used = this.konomi.cube(cube).kappaOf(v);
    const result = this.konomi.processVertex(cube, v, text);
    this.emitKappa();
    // CENTRAL samples from the corners' mixture, each at its own temperature: no single one to report.
    return { vertex: result.vertex, kappa: result.kappa, ...(v === Vertex.CENTRAL ? {} : { kappaUsed: used, temperature: temperatureFor(used) }), text: result.text };
  }

  /** Collective think (free text, CENTRAL's replica quorum), announced like any κ change. */
  collectiveThink(cube: number, query: string, maxTokens?: number): ReturnType<Konomi['collectiveThink']> {
    const result = this.konomi.collectiveThink(cube, query, maxTokens);
    this.emitKappa();
    return result;
  }

  /** A choice vote; subscribers get a `vote` event naming the dissenters, and the κ it moved. */
  collectiveChoose(cube: number, query: string, choices: readonly string[]): ChoiceResult {
    const result = this.konomi.collectiveChoose(cube, query, choices);
    if (this.listeners.size > 0) this.emit({ event: 'vote', data: voteView(result, query) });
    this.emitKappa();
    return result;
  }

  /** The JSON form of a choice vote (/ws `collective_think` with `choices`). */
  choiceJson(result: ChoiceResult, query: string): VoteView {
    return voteView(result, query);
  }

  /** A user's perturbation of a cube's κ (or of one vertex's); durable before it resolves. */
  async perturb(cube: number, kappa: number, vertex?: number | string): Promise<CubeKappaView> {
    const c = await this.konomi.perturbKappa(cube, kappa, vertex);
    this.emitKappa();
    return cubeKappaView(c.id, c.kappa, c.vertexKappa());
  }

  /**
   * One tick of the κ field (KappaTicker calls it on its clock). A tick that moved something
   * is announced to subscribers and committed; a settled field stays quiet.
   */
  async tickKappa(): Promise<KappaTick> {
    const tick = this.konomi.updateKappa();
    if (tick.largestChange >= KAPPA_QUIET_CHANGE) {
      this.emitKappa();
      await this.konomi.flush();
    }
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
    return pool.tensorOpPayload({ kind: 'tensorOpPayload', payload: payload.slice(), limits });
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

  /** Sliced (Konomi.verifyLedgerSliced): a long ledger does not stall the other lines. */
  async verifyLedger(): Promise<{ valid: boolean; length: number; firstBadIndex?: number }> {
    const v = await this.konomi.verifyLedgerSliced();
    return v.valid ? { valid: true, length: v.length } : { valid: false, length: v.length, firstBadIndex: v.firstBadIndex };
  }

  proof(x: number, y: number, z: number, array = 0): Record<string, unknown> {
    const p: InclusionProof = this.konomi.proveCell(x, y, z, array);
    return { ...p, path: p.path.map(toHex), root: toHex(p.root) };
  }

  /** Every cube's κ, CENTRAL's and each vertex's (by wire number, CENTRAL last), and the means. */
  kappa(): CoreEvent & { event: 'kappa' } {
    const m = this.konomi.kappaMetrics();
    return { event: 'kappa', data: { cubes: m.cubes.map((c) => cubeKappaView(c.id, c.kappa, c.vertexKappa)), cubeMean: m.cubeMean, llmMean: m.llmMean } };
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
    this.listeners.emit(event);
  }
}

export interface CubeKappaView {
  id: number;
  kappa: number;
  /** CENTRAL's κ (vertexKappa[8]), for plots that draw it as its own trace. */
  central: number;
  vertexKappa: number[];
}

function cubeKappaView(id: number, kappa: number, vertexKappa: readonly number[]): CubeKappaView {
  return { id, kappa, central: vertexKappa[Vertex.CENTRAL] ?? kappa, vertexKappa: [...vertexKappa] };
}

/** The protocol's reply fields of a choice vote. */
function choiceReply(result: ChoiceResult): { choice: string | null; quorum: boolean; share: number; votes: (number | null)[]; dissenting: number[] } {
  return { choice: result.choice, quorum: result.quorum, share: result.share, votes: result.ballots.map((b) => b.choice), dissenting: [...result.dissenting] };
}

/** A choice vote as JSON: the choice, the quorum, each vertex's vote (named), the tally and who dissented. */
function voteView(result: ChoiceResult, query: string): VoteView {
  const name = (v: number): string => VERTEX_NAMES[v] ?? String(v);
  return {
    cube: result.cube,
    query,
    choices: [...result.choices],
    choice: result.choice,
    quorum: result.quorum,
    share: result.share,
    agreeingWeight: result.agreeingWeight,
    totalWeight: result.totalWeight,
    kappa: result.kappa,
    votes: result.ballots.map((b) => ({
      vertex: b.vertex,
      name: name(b.vertex),
      choice: b.choice === null ? null : (result.choices[b.choice] ?? null),
      kappa: b.kappa,
      weight: b.weight,
      scores: [...b.scores],
    })),
    tally: result.tally.map((t) => ({ choice: t.choice, weight: t.weight, vertices: [...t.vertices] })),
    agreeing: [...result.agreeing],
    dissenting: result.dissenting.map((v) => ({ vertex: v, name: name(v) })),
    abstaining: result.abstaining.map((v) => ({ vertex: v, name: name(v) })),
  };
}

export interface VoteView {
  cube: number;
  query: string;
  choices: string[];
  choice: string | null;
  quorum: boolean;
  share: number;
  agreeingWeight: number;
  totalWeight: number;
  kappa: number;
  votes: Array<{ vertex: number; name: string; choice: string | null; kappa: number; weight: number; scores: (number | null)[] }>;
  tally: Array<{ choice: string; weight: number; vertices: number[] }>;
  agreeing: number[];
  dissenting: Array<{ vertex: number; name: string }>;
  abstaining: Array<{ vertex: number; name: string }>;
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
