import { BlockArray } from '../block/BlockArray.js';
import { checkCoordinate, validateAxis, validateBox, validateDims } from '../block/Dims.js';
import type { Axis, Box, Dims } from '../block/Dims.js';
import { mortonEncode, mortonX, mortonY, mortonZ } from '../block/Morton.js';
import { Cube } from '../cube/Cube.js';
import type { CentralDecoder } from '../cube/CentralDecoder.js';
import type { CollectiveStrategy } from '../cube/CollectiveStrategy.js';
import type { ChoiceResult, CollectiveResult, Coordinate, CubeOptions, CubeRecord, VertexResult } from '../cube/Cube.js';
import { NEIGHBOUR_RADIUS, TEACH_KICK, clampKappa } from '../cube/Kappa.js';
import { toVertex, vertexOffset, type VertexId } from '../cube/Vertex.js';
import { CoreError } from '../errors/CoreError.js';
import { canonicalValue, requireIntegerIn } from '../errors/validate.js';
import { Ledger, type LedgerHead, type LedgerVerification } from '../ledger/Ledger.js';
import { LedgerOp, validateLedgerRecord, type LedgerEntry, type LedgerRecord } from '../ledger/LedgerEntry.js';
import { cellLeafHash, type InclusionProof } from '../ledger/Merkle.js';
import type { LlmFactory, LlmNode } from '../llm/LlmNode.js';
import { PlaceholderLlmFactory } from '../llm/PlaceholderLlm.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { MAX_LESSON_BYTES, type CellRow, type LlmKappaRow, type LlmLessonRow, type Store } from '../store/Store.js';
import { hashSeed } from '../evgpu/Random.js';
import { DEFAULT_TEACH_STEPS, MAX_TEACH_STEPS, MAX_TEACH_TEXT } from '../../protocol/vocabulary/Teaching.js';
import { ProgramLibrary } from '../programs/ProgramLibrary.js';
import { ArraySlot } from './ArraySlot.js';
import { CommitQueue } from './CommitQueue.js';
import { loadKonomiState } from './KonomiLoader.js';
import { PACKML_STATES, PackMlMachine, type PackMlCommand, type PackMlState } from './PackMl.js';
import type { ArrayInfo, CellInput, CellRead, KappaMetrics, KappaTick, LlmBroadcastResult, LlmTeachOptions, LlmTeachResult, LlmView, WriteReceipt } from './types.js';
import type { LlmLessonInfo } from '../llm/LlmNode.js';
import type { HostedAnswers } from '../cube/CollectiveStrategy.js';

/** Creates the model of a cube vertex; by default the LlmFactory at origin + doubled vertex offset. */
export type VertexLlmFactory = (cube: number, origin: Coordinate, vertex: VertexId) => LlmNode;

export interface KonomiOptions {
  /** Where state lives; default: a fresh MemoryStore (nothing survives the process). */
  readonly store?: Store;
  /** Models for llmAt and, unless vertexFactory is given, for cube vertices. Default: PlaceholderLlmFactory. */
  readonly llmFactory?: LlmFactory;
  readonly vertexFactory?: VertexLlmFactory;
  /** Milliseconds since the epoch, for cell and ledger timestamps. */
  readonly clock?: () => number;
  /** Dimensions of array 0 (the one BLOCK_GET/SET address) and the range of llmAt and cubeAt. Default 1000³. */
  readonly gridDims?: Dims;
  /** Most targets one broadcast may reach. Default 1024. */
  readonly maxBroadcast?: number;
  /** Most cells createTemplate accepts (each is a ledger entry). Default 100 000. */
  readonly maxTemplateCells?: number;
  /**
   * How CENTRAL integrates the nine vertices in collectiveThink. Default replicaQuorum: every
   * vertex casts its replicaAnswer, more than 2/3 of the κ weight must be byte-identical.
   */
  readonly collective?: CollectiveStrategy;
  /** How CENTRAL writes its own answers. Default ensembleCentral (the corners' κ-weighted mixture). */
  readonly central?: CentralDecoder;
  /** Longest prompt accepted, in UTF-16 units. Default 65 536. */
  readonly maxPromptLength?: number;
  /**
   * Most llmAt models kept alive; past it the least recently used is dropped and only its κ is
   * kept (re-created from its coordinate on next use, with that κ). Default 100 000.
   */
  readonly maxLlmNodes?: number;
  /** Longest a teaching may run, in milliseconds of `teachClock`. Default 2000. */
  readonly teachBudgetMs?: number;
  /**
   * Clock of the teaching budget, in milliseconds. Default Date.now (wall clock, so at most as
   * much CPU); the bridge passes its process's CPU time, so load does not cut teachings short.
   */
  readonly teachClock?: () => number;
  /**
   * Awaited every TEACH_YIELD_STEPS steps of a teaching, so the host can serve other requests
   * (and send progress) meanwhile; the bridge passes a setImmediate. Default: none (one run).
   */
  readonly yieldToHost?: () => Promise<void>;
}

export const DEFAULT_TEACH_BUDGET_MS = 2000;
/** Steps of a teaching between two yields to the host. */
export const TEACH_YIELD_STEPS = 10;

export const DEFAULT_MAX_LLM_NODES = 100_000;

export const DEFAULT_GRID: Dims = { x: 1000, y: 1000, z: 1000 };
const MAX_ARRAYS = 0x10000;
const MAX_CUBES = 0x10000;
const ZERO_LEAF = new Uint8Array(32);

/**
 * The Konomi core: block arrays with their ledger and Merkle trees, LLM nodes, cubes, PackML
 * state, and durability. Every mutator validates all of its input first, then applies it in
 * memory, appends to the ledger and resolves once the store has made it durable.
 */
export class Konomi {
  readonly system = new PackMlMachine();
  readonly ledger = new Ledger();
  readonly gridDims: Dims;
  private readonly slots: (ArraySlot | undefined)[] = [];
  /** Live llmAt models by Morton key, least recently used first (a Map keeps insertion order). */
  private readonly llms = new Map<number, LlmNode>();
  /** κ of models evicted from `llms`, by Morton key: 8 bytes of state instead of a model. */
  private readonly evictedKappa = new Map<number, number>();
  /** Morton keys whose κ a request moved since the last commit: written with the next one. */
  private readonly dirtyLlms = new Set<number>();
  /** Lessons of taught llmAt models by Morton key (≤ 1 KiB each, kept through eviction). */
  private readonly lessons = new Map<number, Uint8Array>();
  /** What each lesson said about itself, once a model has applied it. */
  private readonly lessonInfo = new Map<number, LlmLessonInfo>();
  private readonly dirtyLessons = new Set<number>();
  /** Teachings run one at a time (each is CPU-bound): the tail of the queue. */
  private teachingTail: Promise<unknown> = Promise.resolve();
  private readonly maxLlmNodes: number;
  /** By id; ids may have gaps when a shared store allocates them. */
  private readonly cubes = new Map<number, Cube>();
  private nextCubeId = 0;
  /** Cubes whose id is being allocated, by origin key: a second cubeAt waits for the first. */
  private readonly allocating = new Map<number, Promise<Cube>>();
  private readonly cubesByOrigin = new Map<number, Cube>();
  /** Each cube's κ-field neighbours (spatial and linked); rebuilt after cubes or links change. */
  private fieldNeighbours: Map<Cube, Cube[]> | null = null;
  private readonly dirty = new Set<Cube>();
  /** Cubes created but not yet durable: cubeAt waits for them too. */
  private readonly creating = new Map<Cube, Promise<void>>();
  private readonly queue: CommitQueue;
  private readonly clock: () => number;
  private readonly llmFactory: LlmFactory;
  private readonly vertexFactory: VertexLlmFactory;
  private failure: CoreError | null = null;
  /** Saved programs (the PROGRAM request, REST /programs), kept in the same store. */
  readonly programs: ProgramLibrary;

  private constructor(
    private readonly store: Store,
    private readonly options: KonomiOptions,
  ) {
    this.gridDims = validateDims(options.gridDims ?? DEFAULT_GRID);
    this.clock = options.clock ?? Date.now;
    this.maxLlmNodes = options.maxLlmNodes ?? DEFAULT_MAX_LLM_NODES;
    requireIntegerIn(this.maxLlmNodes, 1, 2 ** 30, 'maxLlmNodes');
    this.llmFactory = options.llmFactory ?? new PlaceholderLlmFactory();
    this.vertexFactory =
      options.vertexFactory ??
      ((_cube, origin, vertex) => {
        const [dx, dy, dz] = vertexOffset(vertex);
        return this.llmFactory.create(origin.x + dx, origin.y + dy, origin.z + dz);
      });
    this.queue = new CommitQueue(store, () => this.takeDirtyCubes(), () => this.takeDirtyLlmKappas(), () => this.takeDirtyLessons(), (e) => this.fail(e));
    this.programs = new ProgramLibrary(store, { now: this.clock });
  }

  /** Opens the store, reloads arrays, ledger, cubes and llmAt κ, and creates array 0 on first use. */
  static async open(options: KonomiOptions = {}): Promise<Konomi> {
    const konomi = new Konomi(options.store ?? new MemoryStore(), options);
    await loadKonomiState(konomi.store, {
      addArray: (slot) => konomi.addSlot(slot),
      ledger: konomi.ledger,
      addCube: (record) => konomi.restoreCube(record),
      linkCubes: (record) => konomi.restoreLinks(record),
      llmKappa: (morton, kappa) => konomi.restoreLlmKappa(morton, kappa),
      llmLesson: (morton, lesson) => konomi.restoreLlmLesson(morton, lesson),
      clock: konomi.clock,
    });
    konomi.system.run('start');
    if (konomi.slots[0] === undefined) await konomi.addBlockArray(0, konomi.gridDims);
    return konomi;
  }

  // ---------------------------------------------------------------- state

  /** Fires a PackML command on the system; acting states complete at once. */
  command(command: PackMlCommand): PackMlState {
    return this.system.run(command);
  }

  /** Fires a PackML command on one array (instance); resolves once the new state is durable. */
  async commandArray(arrayId: number, command: PackMlCommand): Promise<PackMlState> {
    if (this.failure !== null) throw this.failure;
    const slot = this.slot(arrayId);
    if (slot.template && command !== 'stop' && command !== 'abort') {
      throw new CoreError('INVALID_TRANSITION', `array ${arrayId} is a frozen template`);
    }
    const state = slot.machine.run(command);
    const entry = this.ledger.append(this.record(LedgerOp.ARRAY_STATE, arrayId, PACKML_STATES.indexOf(state), 0, 0, 0));
    await this.queue.submit({ entries: [entry], arrays: [slot.row()] });
    return state;
  }

  /** Resolves once everything done so far, cube κ included, is durable. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  async close(): Promise<void> {
    if (this.failure === null) await this.flush();
    if (this.system.target('stop') !== undefined) this.system.run('stop');
    await this.store.close();
  }

  // ---------------------------------------------------------------- arrays

  arrayInfo(arrayId = 0): ArrayInfo {
    return this.slot(arrayId).info();
  }

  arrays(): ArrayInfo[] {
    return this.slots.filter((s): s is ArraySlot => s !== undefined).map((s) => s.info());
  }

  /** Read access to an array; writes must go through Konomi so that they are ledgered. */
  array(arrayId = 0): Pick<BlockArray, 'dims' | 'size' | 'has' | 'get' | 'getCell' | 'neighbours' | 'forEach' | 'forEachInBox' | 'region' | 'countInBox' | 'mortonKeys'> {
    return this.slot(arrayId).array;
  }

  async createBlockArray(dims: Dims): Promise<ArrayInfo> {
    this.checkWritable();
    const d = validateDims(dims);
    return this.addBlockArray(this.store.allocateId ? await this.allocatedArrayId() : this.nextArrayId(), d);
  }

  /** Array 0 (the grid) has its id fixed: every writer creating it creates the same array. */
  private async addBlockArray(id: number, d: Dims): Promise<ArrayInfo> {
    const slot = this.addSlot(new ArraySlot(id, new BlockArray(d, { clock: this.clock }), null));
    const entry = this.ledger.append(this.record(LedgerOp.CREATE_ARRAY, id, d.x, d.y, d.z, 0));
    await this.queue.submit({ entries: [entry], arrays: [slot.row()] });
    return slot.info();
  }

  /** A frozen array holding `cells`, from which instances start copy-on-write. */
  async createTemplate(dims: Dims, cells: readonly CellInput[]): Promise<ArrayInfo> {
    this.checkWritable();
    const d = validateDims(dims);
    const max = this.options.maxTemplateCells ?? 100_000;
    if (!Array.isArray(cells) || cells.length > max) throw new CoreError('TOO_LARGE', `a template holds at most ${max} cells`);
    const values = cells.map((c) => {
      checkCoordinate(d, c.x, c.y, c.z);
      return canonicalValue(c.value, 'value');
    });
    const id = this.store.allocateId ? await this.allocatedArrayId() : this.nextArrayId();
    const array = new BlockArray(d, { clock: this.clock, expectedCells: cells.length });
    const slot = this.addSlot(new ArraySlot(id, array, null));
    const entries = [this.ledger.append(this.record(LedgerOp.CREATE_ARRAY, id, d.x, d.y, d.z, 0))];
    const stamp = this.now();
    cells.forEach((c, i) => {
      const value = values[i]!;
      array.set(c.x, c.y, c.z, value, stamp);
      entries.push(this.ledger.append(this.record(LedgerOp.SET, id, c.x, c.y, c.z, value, stamp)));
    });
    slot.freeze();
    entries.push(this.ledger.append(this.record(LedgerOp.FREEZE, id, 0, 0, 0, 0, stamp)));
    await this.queue.submit({ entries, arrays: [slot.row()], cells: this.rowsOf(slot, array.mortonKeys()) });
    return slot.info();
  }

  /** Freezes an existing array as a template: no more writes, instances may start from it. */
  async freezeTemplate(arrayId: number): Promise<ArrayInfo> {
    this.checkWritable();
    const slot = this.slot(arrayId);
    if (slot.template) throw new CoreError('ALREADY_EXISTS', `array ${arrayId} is already a template`);
    if (slot.templateId !== null) throw new CoreError('INVALID_TRANSITION', 'an instance cannot become a template');
    if (slot.machine.state !== 'Execute') throw new CoreError('NOT_RUNNING', `array ${arrayId} is ${slot.machine.state}`);
    slot.freeze();
    const entry = this.ledger.append(this.record(LedgerOp.FREEZE, arrayId, 0, 0, 0, 0));
    await this.queue.submit({ entries: [entry], arrays: [slot.row()] });
    return slot.info();
  }

  /** A new array starting from a template's cells in O(1); it copies them on its first write. */
  async instantiate(templateId: number): Promise<ArrayInfo> {
    this.checkWritable();
    const source = this.slot(templateId);
    const template = source.template;
    if (template === null) throw new CoreError('INVALID_TRANSITION', `array ${templateId} is not a template`);
    const id = this.store.allocateId ? await this.allocatedArrayId() : this.nextArrayId();
    const slot = this.addSlot(new ArraySlot(id, template.instantiate(this.clock), templateId));
    const { x, y, z } = template.dims;
    const entry = this.ledger.append(this.record(LedgerOp.INSTANTIATE, id, x, y, z, templateId));
    await this.queue.submit({ entries: [entry], arrays: [slot.row()] });
    return slot.info();
  }

  // ---------------------------------------------------------------- cells

  getCell(x: number, y: number, z: number, arrayId = 0): CellRead {
    const cell = this.slot(arrayId).array.getCell(x, y, z);
    if (cell === undefined) return { active: false, value: 0, timestamp: 0, leafHash: ZERO_LEAF.slice() };
    return { active: true, value: cell.value, timestamp: cell.timestamp, leafHash: cellLeafHash(x, y, z, cell.value) };
  }

  /** Activates or overwrites a cell; resolves with its ledger entry once durable. */
  async setCell(x: number, y: number, z: number, value: number, arrayId = 0): Promise<WriteReceipt> {
    const slot = this.writableSlot(arrayId);
    checkCoordinate(slot.array.dims, x, y, z);
    // One canonical value (-0 → +0) for the cell, its ledger entry and its store row: all hashed or reloaded.
    value = canonicalValue(value, 'value');
    const stamp = this.now();
    slot.array.set(x, y, z, value, stamp);
    const entry = this.ledger.append(this.record(LedgerOp.SET, arrayId, x, y, z, value, stamp));
    const cell: CellRow = { array: arrayId, morton: mortonEncode(x, y, z), active: true, value, timestamp: stamp };
    await this.queue.submit({ entries: [entry], cells: [cell] });
    return receipt(entry);
  }

  async deactivateCell(x: number, y: number, z: number, arrayId = 0): Promise<WriteReceipt> {
    const slot = this.writableSlot(arrayId);
    checkCoordinate(slot.array.dims, x, y, z);
    const stamp = this.now();
    slot.array.deactivate(x, y, z);
    const entry = this.ledger.append(this.record(LedgerOp.DEACTIVATE, arrayId, x, y, z, 0, stamp));
    const cell: CellRow = { array: arrayId, morton: mortonEncode(x, y, z), active: false, value: 0, timestamp: stamp };
    await this.queue.submit({ entries: [entry], cells: [cell] });
    return receipt(entry);
  }

  /** Activates a whole slice (up to 1024² cells) as one ledger entry. */
  async planeActivate(axis: Axis, index: number, value: number, arrayId = 0): Promise<WriteReceipt> {
    const slot = this.writableSlot(arrayId);
    const a = validateAxis(axis);
    requireIntegerIn(index, 0, slot.array.dims[a] - 1, `slice ${a}`);
    value = canonicalValue(value, 'value');
    const stamp = this.now();
    slot.array.planeActivate(a, index, value, stamp);
    const entry = this.ledger.append(this.record(LedgerOp.PLANE_ACTIVATE, arrayId, axisNumber(a), index, 0, value, stamp));
    await this.queue.submit({ entries: [entry], cells: this.rowsOf(slot, slot.array.planeMortonKeys(a, index)) });
    return receipt(entry);
  }

  async planeDeactivate(axis: Axis, index: number, arrayId = 0): Promise<WriteReceipt> {
    const slot = this.writableSlot(arrayId);
    const a = validateAxis(axis);
    const before = slot.array.planeMortonKeys(a, index);
    const stamp = this.now();
    slot.array.planeDeactivate(a, index);
    const entry = this.ledger.append(this.record(LedgerOp.PLANE_DEACTIVATE, arrayId, axisNumber(a), index, 0, 0, stamp));
    await this.queue.submit({ entries: [entry], cells: this.rowsOf(slot, before) });
    return receipt(entry);
  }

  /** Interlock: slice `to` of array `targetId` becomes a copy of slice `from` of array `arrayId`. */
  async planeSync(axis: Axis, from: number, to: number, arrayId = 0, targetId = arrayId): Promise<WriteReceipt> {
    this.checkWritable();
    const source = this.slot(arrayId);
    const target = this.writableSlot(targetId);
    const a = validateAxis(axis);
    requireIntegerIn(from, 0, source.array.dims[a] - 1, `slice ${a}`);
    const before = target.array.planeMortonKeys(a, to);
    const stamp = this.now();
    source.array.planeSync(a, from, to, target.array);
    const after = target.array.planeMortonKeys(a, to);
    const entry = this.ledger.append(this.record(LedgerOp.PLANE_SYNC, arrayId, axisNumber(a), from, to, targetId, stamp));
    const cells = this.rowsOf(target, unionSorted(before, after));
    await this.queue.submit({ entries: [entry], cells });
    return receipt(entry);
  }

  // ---------------------------------------------------------------- ledger and proofs

  ledgerHead(): LedgerHead {
    return this.ledger.head();
  }

  ledgerEntry(index: number): LedgerEntry {
    return this.ledger.entry(index);
  }

  verifyLedger(): LedgerVerification {
    return this.ledger.verify();
  }

  /** verifyLedger in slices, yielding to the host between them (`yieldToHost`; inline without it). */
  verifyLedgerSliced(): Promise<LedgerVerification> {
    const y = this.options.yieldToHost;
    return y ? this.ledger.verifySliced(y) : Promise.resolve(this.ledger.verify());
  }

  /** RFC 6962 root over the array's active cells in Morton order (computed on demand, cached). */
  merkleRoot(arrayId = 0): Uint8Array {
    return this.slot(arrayId).merkle.root();
  }

  proveCell(x: number, y: number, z: number, arrayId = 0): InclusionProof {
    return this.slot(arrayId).merkle.proof(x, y, z);
  }

  // ---------------------------------------------------------------- LLMs

  /**
   * The model at a grid coordinate, created on first use from the coordinate alone. At most
   * maxLlmNodes stay alive (LRU); an evicted one comes back from its coordinate with its κ.
   */
  llmAt(x: number, y: number, z: number): LlmNode {
    checkCoordinate(this.gridDims, x, y, z);
    const key = mortonEncode(x, y, z);
    let node = this.llms.get(key);
    if (node !== undefined) {
      this.llms.delete(key);
    } else {
      node = this.llmFactory.create(x, y, z);
      const kappa = this.evictedKappa.get(key);
      if (kappa !== undefined) {
        node.kappa = kappa;
        this.evictedKappa.delete(key);
      }
      const lesson = this.lessons.get(key);
      if (lesson !== undefined) {
        if (node.restoreLesson === undefined) throw new CoreError('CORRUPT', `a lesson is stored for ${node.id}, whose model cannot learn`);
        this.lessonInfo.set(key, node.restoreLesson(lesson));
      }
      if (this.llms.size >= this.maxLlmNodes) this.evictOldestLlm();
    }
    this.llms.set(key, node);
    return node;
  }

  /** LLM_QUERY: the model at a coordinate answers (κ drifts). Needs the system in Execute. */
  queryLlm(x: number, y: number, z: number, prompt: string, maxTokens?: number): LlmBroadcastResult {
    this.checkRunning();
    this.checkPrompt(prompt);
    const node = this.llmAt(x, y, z);
    const text = this.respondAt(mortonEncode(x, y, z), node, prompt, maxTokens);
    return { x, y, z, id: node.id, kappa: node.kappa, text };
  }

  /** A request to a model; a κ it moves is durable with the next commit (as cube κ is). */
  private respondAt(key: number, node: LlmNode, prompt: string, maxTokens: number | undefined): string {
    const before = node.kappa;
    const text = node.respond(prompt, maxTokens);
    if (node.kappa !== before) this.dirtyLlms.add(key);
    return text;
  }

  /**
   * Teaches the model at (x, y, z) `text` (2..4096 characters; non-ASCII reads as '?'): its own
   * parameters only, the shared base stays frozen. At most `steps` optimiser steps within the
   * time budget; teachings queue one behind the other. Resolves once the lesson is applied and
   * durable. UNSUPPORTED if the model cannot learn (the placeholder).
   */
  async teachLlm(x: number, y: number, z: number, text: string, options: LlmTeachOptions = {}): Promise<LlmTeachResult> {
    this.checkRunning();
    checkCoordinate(this.gridDims, x, y, z);
    if (typeof text !== 'string' || text.length < 2) throw new CoreError('BAD_VALUE', 'a text to teach needs at least 2 characters');
    if (text.length > MAX_TEACH_TEXT) throw new CoreError('TOO_LARGE', `a text to teach is at most ${MAX_TEACH_TEXT} characters, got ${text.length}`);
    const steps = options.steps ?? DEFAULT_TEACH_STEPS;
    requireIntegerIn(steps, 1, MAX_TEACH_STEPS, 'steps');
    const run = this.teachingTail.then(() => this.runTeaching(x, y, z, text, steps, options));
    this.teachingTail = run.catch(() => undefined);
    return run;
  }

  private async runTeaching(x: number, y: number, z: number, text: string, steps: number, options: LlmTeachOptions): Promise<LlmTeachResult> {
    this.checkRunning();
    const key = mortonEncode(x, y, z);
    const node = this.llmAt(x, y, z);
    if (node.teach === undefined || node.lesson === undefined) throw new CoreError('UNSUPPORTED', `the model at ${x},${y},${z} cannot learn (${node.id})`);
    const clock = this.options.teachClock ?? Date.now;
    const budget = this.options.teachBudgetMs ?? DEFAULT_TEACH_BUDGET_MS;
    const started = clock();
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) < 128 ? text.charCodeAt(i) : 63;
    const teaching = node.teach(bytes, hashSeed('teach', x, y, z, text, steps));
    let done = 0;
    let stoppedEarly = false;
    while (done < steps) {
      if (clock() - started >= budget) {
        stoppedEarly = true;
        break;
      }
      const loss = teaching.step();
      done++;
      options.onProgress?.({ step: done, steps, loss });
      if (done % TEACH_YIELD_STEPS === 0 && this.options.yieldToHost) await this.options.yieldToHost();
    }
    const info = teaching.finish();
    const lesson = node.lesson();
    if (lesson === null || lesson.length > MAX_LESSON_BYTES) throw new CoreError('CORRUPT', `${node.id} learned ${lesson?.length ?? 0} bytes; at most ${MAX_LESSON_BYTES}`);
    this.lessons.set(key, lesson);
    this.lessonInfo.set(key, info);
    this.dirtyLessons.add(key);
    // A κ row too, so the restored model is counted and found by broadcasts like any used one.
    this.dirtyLlms.add(key);
    this.teachVertices(x, y, z, lesson);
    this.onTaught(x, y, z);
    await this.flush();
    return { x, y, z, id: node.id, steps: done, stoppedEarly, bitsBefore: info.bitsBefore, bitsAfter: info.bitsAfter, ms: clock() - started };
  }

  /**
   * A cube vertex's model, with the lesson of its coordinate (origin + doubled vertex offset) if
   * that coordinate was taught: the vertex at (x, y, z) is the same FemtoLLM as llmAt(x, y, z).
   */
  private vertexNode(cube: number, origin: Coordinate, v: VertexId): LlmNode {
    const node = this.vertexFactory(cube, origin, v);
    const [dx, dy, dz] = vertexOffset(v);
    const lesson = this.lessons.get(mortonEncode(origin.x + dx, origin.y + dy, origin.z + dz));
    if (lesson !== undefined && node.restoreLesson !== undefined) node.restoreLesson(lesson);
    return node;
  }

  /** Gives a new lesson to every cube vertex living at (x, y, z) (see vertexNode). */
  private teachVertices(x: number, y: number, z: number, lesson: Uint8Array): void {
    for (let v = 0; v <= 8; v++) {
      const [dx, dy, dz] = vertexOffset(v as VertexId);
      const [ox, oy, oz] = [x - dx, y - dy, z - dz];
      if (ox < 0 || oy < 0 || oz < 0) continue;
      const cube = this.cubesByOrigin.get(mortonEncode(ox, oy, oz));
      cube?.node(v as VertexId).restoreLesson?.(lesson);
    }
  }

  /** A teaching is activity in the κ field: the vertices living at the coordinate take TEACH_KICK (saved with the teach's commit). */
  private onTaught(x: number, y: number, z: number): void {
    this.taught(x, y, z);
  }

  /** Whether the model at (x, y, z) was taught, and what its last teaching measured. */
  llmView(x: number, y: number, z: number): LlmView {
    checkCoordinate(this.gridDims, x, y, z);
    const key = mortonEncode(x, y, z);
    if (!this.lessons.has(key)) return { taught: false };
    if (!this.lessonInfo.has(key)) this.llmAt(x, y, z);
    const info = this.lessonInfo.get(key);
    return info === undefined ? { taught: true } : { taught: true, ...info };
  }

  /** How many coordinates have had a model created (alive or evicted to κ only). */
  get llmCount(): number {
    return this.llms.size + this.evictedKappa.size;
  }

  /** How many llmAt models are alive (at most maxLlmNodes). */
  get liveLlmCount(): number {
    return this.llms.size;
  }

  private evictOldestLlm(): void {
    const oldest = this.llms.entries().next();
    if (oldest.done === true) return;
    const [key, node] = oldest.value;
    this.llms.delete(key);
    this.evictedKappa.set(key, node.kappa);
  }

  /**
   * Sends a prompt to every existing model in the box (or to every coordinate of it with
   * `create`), in Morton order. Refuses with TOO_LARGE before anyone answers if the box holds
   * more targets than maxBroadcast.
   */
  broadcastLlm(box: Box, prompt: string, options: { maxTokens?: number; create?: boolean } = {}): LlmBroadcastResult[] {
    this.checkRunning();
    const b = validateBox(this.gridDims, box);
    this.checkPrompt(prompt);
    const max = this.options.maxBroadcast ?? 1024;
    const targets = options.create ? boxKeys(b, max) : this.existingLlmKeys(b, max);
    return targets.map((key) => {
      const [x, y, z] = [mortonX(key), mortonY(key), mortonZ(key)];
      const node = this.llmAt(x, y, z);
      const text = this.respondAt(key, node, prompt, options.maxTokens);
      return { x, y, z, id: node.id, kappa: node.kappa, text };
    });
  }

  // ---------------------------------------------------------------- cubes

  cube(id: number): Cube {
    const cube = Number.isInteger(id) ? this.cubes.get(id) : undefined;
    if (cube === undefined) throw new CoreError('NOT_FOUND', `no cube ${String(id)}`);
    return cube;
  }

  get cubeCount(): number {
    return this.cubes.size;
  }

  /** Every cube's id, ascending. Not 0..cubeCount-1: a shared store allocates ids with gaps. */
  cubeIds(): number[] {
    return [...this.cubes.keys()].sort((a, b) => a - b);
  }

  /** A new cube at a grid coordinate; ALREADY_EXISTS if one is there. Resolves once durable. */
  async createCube(x: number, y: number, z: number): Promise<Cube> {
    this.checkWritable();
    checkCoordinate(this.gridDims, x, y, z);
    const key = mortonEncode(x, y, z);
    if (this.cubesByOrigin.has(key) || this.allocating.has(key)) throw new CoreError('ALREADY_EXISTS', `a cube exists at (${x}, ${y}, ${z})`);
    if (this.cubes.size >= MAX_CUBES) throw new CoreError('TOO_LARGE', `at most ${MAX_CUBES} cubes`);
    if (this.store.allocateId === undefined) return this.addCube(this.nextCubeId, key, { x, y, z });
    const allocate = this.store.allocateId('cube', key);
    const adding = allocate.then((id) => {
      this.checkWritable();
      requireIntegerIn(id, 0, MAX_CUBES - 1, 'allocated cube id');
      if (this.cubes.has(id)) throw new CoreError('CORRUPT', `the store allocated cube ${id} twice`);
      return this.addCube(id, key, { x, y, z });
    });
    this.allocating.set(key, adding);
    try {
      return await adding;
    } finally {
      this.allocating.delete(key);
    }
  }

  private async addCube(id: number, key: number, origin: Coordinate): Promise<Cube> {
    const { x, y, z } = origin;
    const cube = new Cube(id, origin, (v) => this.vertexNode(id, origin, v), this.cubeOptions());
    this.cubes.set(id, cube);
    this.fieldNeighbours = null;
    this.nextCubeId = Math.max(this.nextCubeId, id + 1);
    this.cubesByOrigin.set(key, cube);
    this.dirty.add(cube);
    const entry = this.ledger.append(this.record(LedgerOp.CUBE_CREATE, id, x, y, z, 0));
    const durable = this.queue.submit({ entries: [entry] }).finally(() => this.creating.delete(cube));
    this.creating.set(cube, durable);
    await durable;
    return cube;
  }

  /** The cube at a coordinate, created on first use; resolves once that cube is durable. */
  async cubeAt(x: number, y: number, z: number): Promise<Cube> {
    checkCoordinate(this.gridDims, x, y, z);
    const key = mortonEncode(x, y, z);
    const pending = this.allocating.get(key);
    if (pending !== undefined) return pending;
    const existing = this.cubesByOrigin.get(key);
    if (existing === undefined) return this.createCube(x, y, z);
    await this.creating.get(existing);
    return existing;
  }

  /**
   * The vertex answers and its neighbours answer it (Cube.processVertex); an answer of high
   * entropy kicks the vertex's κ (the field moves on ticks, updateKappa). Needs the system in Execute.
   */
  processVertex(cubeId: number, vertex: VertexId | string, text: string, maxTokens?: number): VertexResult {
    this.checkRunning();
    const cube = this.cube(cubeId);
    const v = toVertex(vertex);
    this.checkPrompt(text);
    const result = cube.processVertex(v, text, maxTokens);
    this.dirty.add(cube);
    for (const step of result.trace) this.dirty.add(this.cube(step.to.cube));
    return result;
  }

  /** Every vertex votes, CENTRAL counts (Cube.collectiveThink); dissenters from a quorum are kicked. */
  collectiveThink(cubeId: number, query: string, maxTokens?: number, hosted?: HostedAnswers): CollectiveResult {
    this.checkRunning();
    const cube = this.cube(cubeId);
    this.checkPrompt(query);
    const result = cube.collectiveThink(query, maxTokens, hosted);
    this.dirty.add(cube);
    return result;
  }

  /**
   * A vote on fixed choices (Cube.collectiveChoose): each vertex scores every choice with its own
   * model and votes; CENTRAL tallies with the recorded κ weights. Needs the system in Execute.
   */
  collectiveChoose(cubeId: number, query: string, choices: readonly string[]): ChoiceResult {
    this.checkRunning();
    const cube = this.cube(cubeId);
    this.checkPrompt(query);
    const result = cube.collectiveChoose(query, choices);
    this.dirty.add(cube);
    return result;
  }

  /** Collective think on every cube whose origin lies in the box. */
  broadcastCubes(box: Box, query: string, maxTokens?: number): CollectiveResult[] {
    this.checkRunning();
    const b = validateBox(this.gridDims, box);
    this.checkPrompt(query);
    const inBox = [...this.cubes.values()].filter((c) => inside(b, c.origin));
    const max = this.options.maxBroadcast ?? 1024;
    if (inBox.length > max) throw new CoreError('TOO_LARGE', `${inBox.length} cubes in the box; at most ${max}`);
    return inBox.map((c) => this.collectiveThink(c.id, query, maxTokens));
  }

  /** Adds a face or body diagonal; ledgered (CUBE_EDGE) and resolved once durable. */
  addCubeEdge(cubeId: number, a: VertexId | string, b: VertexId | string): Promise<void> {
    this.checkWritable();
    const cube = this.cube(cubeId);
    const [va, vb] = [toVertex(a), toVertex(b)];
    cube.addEdge(va, vb);
    this.dirty.add(cube);
    const entry = this.ledger.append(this.record(LedgerOp.CUBE_EDGE, cubeId, Math.min(va, vb), Math.max(va, vb), 0, 0));
    return this.queue.submit({ entries: [entry] });
  }

  /** Links two cubes' vertices; ledgered (CUBE_LINK) and resolved once durable. */
  linkCubes(cubeId: number, vertex: VertexId | string, otherId: number, otherVertex: VertexId | string): Promise<void> {
    this.checkWritable();
    const cube = this.cube(cubeId);
    const other = this.cube(otherId);
    const [v, ov] = [toVertex(vertex), toVertex(otherVertex)];
    cube.link(v, other, ov);
    this.fieldNeighbours = null;
    this.dirty.add(cube);
    this.dirty.add(other);
    const entry = this.ledger.append(this.record(LedgerOp.CUBE_LINK, cubeId, v, otherId, ov, 0));
    return this.queue.submit({ entries: [entry] });
  }

  /**
   * One tick of the κ field (the host's clock drives it; the core keeps no timer). Every cube,
   * from the previous values: 10 % toward the average κ of its neighbours (cubes whose origin
   * lies within NEIGHBOUR_RADIUS on every axis, and linked cubes), 5 % toward 0.6; then each
   * sets its vertices' κ (Cube.followKappa). Changed cubes are stored with the next commit.
   * Returns the largest change of any κ, cube or vertex, so a host can tell a settled field.
   */
  updateKappa(): KappaTick {
    this.checkRunning();
    const neighbours = this.neighbourMap();
    const cubes = [...this.cubes.values()];
    const next = cubes.map((cube) => {
      const near = neighbours.get(cube) ?? [];
      const average = near.length === 0 ? null : near.reduce((s, c) => s + c.kappa, 0) / near.length;
      return clampKappa(cube.nextKappa(average));
    });
    let largestChange = 0;
    cubes.forEach((cube, i) => {
      const before = cube.kappa;
      cube.kappa = next[i]!;
      const moved = Math.max(Math.abs(cube.kappa - before), cube.followKappa());
      largestChange = Math.max(largestChange, moved);
      if (moved > 0) this.dirty.add(cube);
    });
    return { cubes: cubes.length, largestChange };
  }

  /** A cube's κ-field neighbours: cubes within NEIGHBOUR_RADIUS on every axis, and linked cubes, by id. */
  kappaNeighbours(cubeId: number): number[] {
    return (this.neighbourMap().get(this.cube(cubeId)) ?? []).map((c) => c.id).sort((a, b) => a - b);
  }

  /**
   * A user's perturbation: sets a cube's κ (and, with `vertex`, that vertex's recorded κ instead),
   * in [0, 1]; the ticks then pull it back. Resolves once durable.
   */
  async perturbKappa(cubeId: number, kappa: number, vertex?: number | string): Promise<Cube> {
    this.checkRunning();
    const cube = this.cube(cubeId);
    if (typeof kappa !== 'number' || !Number.isFinite(kappa) || kappa < 0 || kappa > 1) {
      throw new CoreError('BAD_VALUE', `κ must lie in [0, 1], got ${String(kappa)}`);
    }
    if (vertex === undefined) cube.kappa = kappa;
    else cube.setVertexKappa(vertex, kappa);
    this.dirty.add(cube);
    await this.flush();
    return cube;
  }

  /**
   * The teaching hook: call it when the model at (x, y, z) has been taught. Every cube vertex
   * living there (origin + doubled vertex offset) takes TEACH_KICK. Returns how many did.
   */
  taught(x: number, y: number, z: number, delta = TEACH_KICK): number {
    let kicked = 0;
    for (let v = 0; v <= 8; v++) {
      const [dx, dy, dz] = vertexOffset(v as VertexId);
      const [ox, oy, oz] = [x - dx, y - dy, z - dz];
      if (ox < 0 || oy < 0 || oz < 0 || ox >= this.gridDims.x || oy >= this.gridDims.y || oz >= this.gridDims.z) continue;
      const cube = this.cubesByOrigin.get(mortonEncode(ox, oy, oz));
      if (cube === undefined) continue;
      cube.kickVertex(v as VertexId, delta);
      this.dirty.add(cube);
      kicked++;
    }
    return kicked;
  }

  /** Spatial neighbours by a grid of NEIGHBOUR_RADIUS-sized buckets (27 buckets per cube), plus links. */
  private neighbourMap(): Map<Cube, Cube[]> {
    if (this.fieldNeighbours !== null) return this.fieldNeighbours;
    const r = NEIGHBOUR_RADIUS;
    const bucketKey = (bx: number, by: number, bz: number): string => `${bx},${by},${bz}`;
    const buckets = new Map<string, Cube[]>();
    for (const cube of this.cubes.values()) {
      const { x, y, z } = cube.origin;
      const key = bucketKey(Math.floor(x / r), Math.floor(y / r), Math.floor(z / r));
      const list = buckets.get(key) ?? [];
      list.push(cube);
      buckets.set(key, list);
    }
    const map = new Map<Cube, Cube[]>();
    for (const cube of this.cubes.values()) {
      const { x, y, z } = cube.origin;
      const near = new Set<Cube>(cube.linkedCubes());
      const [bx, by, bz] = [Math.floor(x / r), Math.floor(y / r), Math.floor(z / r)];
      for (let i = -1; i <= 1; i++) {
        for (let j = -1; j <= 1; j++) {
          for (let k = -1; k <= 1; k++) {
            for (const other of buckets.get(bucketKey(bx + i, by + j, bz + k)) ?? []) {
              const o = other.origin;
              if (other !== cube && Math.abs(o.x - x) <= r && Math.abs(o.y - y) <= r && Math.abs(o.z - z) <= r) near.add(other);
            }
          }
        }
      }
      map.set(cube, [...near]);
    }
    this.fieldNeighbours = map;
    return map;
  }

  kappaMetrics(): KappaMetrics {
    const cubes = [...this.cubes.values()].map((c) => ({ id: c.id, kappa: c.kappa, vertexKappa: c.vertexKappa() }));
    const llmKappas = [...this.llms.values()].map((n) => n.kappa).concat([...this.evictedKappa.values()]);
    return {
      cubes,
      cubeMean: mean(cubes.map((c) => c.kappa)),
      llmCount: llmKappas.length,
      llmMean: mean(llmKappas),
    };
  }

  // ---------------------------------------------------------------- internals

  private slot(arrayId: number): ArraySlot {
    const slot = Number.isInteger(arrayId) ? this.slots[arrayId] : undefined;
    if (slot === undefined) throw new CoreError('NOT_FOUND', `no array ${String(arrayId)}`);
    return slot;
  }

  private writableSlot(arrayId: number): ArraySlot {
    this.checkWritable();
    const slot = this.slot(arrayId);
    if (slot.machine.state !== 'Execute') {
      throw new CoreError('NOT_RUNNING', `array ${arrayId} is ${slot.template ? 'a frozen template' : slot.machine.state}`);
    }
    return slot;
  }

  private checkWritable(): void {
    if (this.failure !== null) throw this.failure;
    const state = this.system.state;
    if (state !== 'Execute') throw new CoreError('NOT_RUNNING', `system is ${state}`);
  }

  /** LLM and cube work runs only while the system is in Execute. */
  private checkRunning(): void {
    const state = this.system.state;
    if (state !== 'Execute') throw new CoreError('NOT_RUNNING', `system is ${state}`);
  }

  private checkPrompt(text: string): void {
    const max = this.options.maxPromptLength ?? 65_536;
    if (typeof text !== 'string') throw new CoreError('BAD_VALUE', 'prompt must be a string');
    if (text.length > max) throw new CoreError('TOO_LARGE', `prompt longer than ${max}`);
  }

  private fail(error: CoreError): void {
    this.failure = error;
    if (this.system.target('abort') !== undefined) this.system.run('abort');
  }

  private now(): number {
    return Math.max(0, Math.floor(this.clock()));
  }

  private record(op: LedgerRecord['op'], array: number, x: number, y: number, z: number, value: number, timestamp = this.now()): LedgerRecord {
    const r: LedgerRecord = { op, array, x, y, z, value, timestamp };
    validateLedgerRecord(r);
    return r;
  }

  private nextArrayId(): number {
    if (this.slots.length >= MAX_ARRAYS) throw new CoreError('TOO_LARGE', `at most ${MAX_ARRAYS} arrays`);
    return this.slots.length;
  }

  /** An id no other writer of a shared store holds (Store.allocateId). */
  private async allocatedArrayId(): Promise<number> {
    const id = await this.store.allocateId!('array');
    this.checkWritable();
    if (!Number.isInteger(id) || id < 1 || id >= MAX_ARRAYS) throw new CoreError('TOO_LARGE', `at most ${MAX_ARRAYS} arrays (store allocated ${id})`);
    if (this.slots[id] !== undefined) throw new CoreError('CORRUPT', `the store allocated array ${id} twice`);
    return id;
  }

  private addSlot(slot: ArraySlot): ArraySlot {
    this.slots[slot.id] = slot;
    return slot;
  }

  /** Current state of each key as store rows (tombstones for inactive keys). */
  private rowsOf(slot: ArraySlot, keys: Uint32Array): CellRow[] {
    const rows: CellRow[] = new Array<CellRow>(keys.length);
    const array = slot.array;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const cell = array.getCell(mortonX(k), mortonY(k), mortonZ(k));
      rows[i] = cell
        ? { array: slot.id, morton: k, active: true, value: cell.value, timestamp: cell.timestamp }
        : { array: slot.id, morton: k, active: false, value: 0, timestamp: this.now() };
    }
    return rows;
  }

  private existingLlmKeys(b: Box, max: number): number[] {
    const keys: number[] = [];
    for (const source of [this.llms.keys(), this.evictedKappa.keys()]) {
      for (const key of source) if (inside(b, { x: mortonX(key), y: mortonY(key), z: mortonZ(key) })) keys.push(key);
    }
    if (keys.length > max) throw new CoreError('TOO_LARGE', `${keys.length} models in the box; at most ${max}`);
    return keys.sort((p, q) => p - q);
  }

  private cubeOptions(): CubeOptions {
    return {
      ...(this.options.collective ? { collective: this.options.collective } : {}),
      ...(this.options.central ? { central: this.options.central } : {}),
    };
  }

  private takeDirtyCubes(): CubeRecord[] {
    const records = [...this.dirty].map((c) => c.toRecord());
    this.dirty.clear();
    return records;
  }

  private takeDirtyLlmKappas(): LlmKappaRow[] {
    const rows: LlmKappaRow[] = [];
    for (const morton of this.dirtyLlms) {
      const kappa = this.llms.get(morton)?.kappa ?? this.evictedKappa.get(morton);
      if (kappa !== undefined) rows.push({ morton, kappa });
    }
    this.dirtyLlms.clear();
    return rows;
  }

  private takeDirtyLessons(): LlmLessonRow[] {
    const rows: LlmLessonRow[] = [];
    for (const morton of this.dirtyLessons) {
      const lesson = this.lessons.get(morton);
      if (lesson !== undefined) rows.push({ morton, lesson });
    }
    this.dirtyLessons.clear();
    return rows;
  }

  /** A stored lesson waits until its model is created (llmAt applies it). */
  private restoreLlmLesson(morton: number, lesson: Uint8Array): void {
    if (!Number.isInteger(morton) || morton < 0 || morton >= 2 ** 30) throw new CoreError('CORRUPT', `llm lesson row with Morton code ${String(morton)}`);
    if (!(lesson instanceof Uint8Array) || lesson.length > MAX_LESSON_BYTES) throw new CoreError('CORRUPT', `llm lesson at Morton code ${morton} is not ≤ ${MAX_LESSON_BYTES} bytes`);
    this.lessons.set(morton, Uint8Array.from(lesson));
    this.lessonInfo.delete(morton);
    this.llms.delete(morton);
  }

  /** A stored κ waits in the evicted map: the model is created only when its coordinate is used. */
  private restoreLlmKappa(morton: number, kappa: number): void {
    if (!Number.isInteger(morton) || morton < 0 || morton >= 2 ** 30) throw new CoreError('CORRUPT', `llm κ row with Morton code ${String(morton)}`);
    if (!Number.isFinite(kappa) || kappa < 0 || kappa > 1) throw new CoreError('CORRUPT', `llm κ ${String(kappa)} at Morton code ${morton} is outside [0, 1]`);
    const [x, y, z] = [mortonX(morton), mortonY(morton), mortonZ(morton)];
    if (x >= this.gridDims.x || y >= this.gridDims.y || z >= this.gridDims.z) {
      throw new CoreError('CORRUPT', `llm κ stored at ${x},${y},${z}, outside the ${this.gridDims.x}×${this.gridDims.y}×${this.gridDims.z} grid`);
    }
    this.evictedKappa.set(morton, kappa);
  }

  private restoreCube(record: CubeRecord): void {
    const origin = { x: record.x, y: record.y, z: record.z };
    checkCoordinate(this.gridDims, origin.x, origin.y, origin.z);
    if (!Number.isInteger(record.id) || record.id < this.nextCubeId || record.id >= MAX_CUBES) {
      throw new CoreError('CORRUPT', `cube ${record.id} restored out of order`);
    }
    const cube = new Cube(record.id, origin, (v) => this.vertexNode(record.id, origin, v), this.cubeOptions());
    cube.restore(record);
    this.cubes.set(record.id, cube);
    this.fieldNeighbours = null;
    this.nextCubeId = record.id + 1;
    this.cubesByOrigin.set(mortonEncode(origin.x, origin.y, origin.z), cube);
  }

  /** Links are stored on both cubes; each is rebuilt once, from the cube with the lower id. */
  private restoreLinks(record: CubeRecord): void {
    const cube = this.cube(record.id);
    for (const l of record.links) if (l.cube > record.id) cube.link(l.vertex, this.cube(l.cube), l.otherVertex);
    this.fieldNeighbours = null;
  }
}

function receipt(entry: LedgerEntry): WriteReceipt {
  return { index: entry.index, hash: entry.hash };
}

function axisNumber(axis: Axis): number {
  return axis === 'x' ? 0 : axis === 'y' ? 1 : 2;
}

function inside(b: Box, c: Coordinate): boolean {
  return c.x >= b.x0 && c.x <= b.x1 && c.y >= b.y0 && c.y <= b.y1 && c.z >= b.z0 && c.z <= b.z1;
}

function boxKeys(b: Box, max: number): number[] {
  const volume = (b.x1 - b.x0 + 1) * (b.y1 - b.y0 + 1) * (b.z1 - b.z0 + 1);
  if (volume > max) throw new CoreError('TOO_LARGE', `${volume} coordinates in the box; at most ${max}`);
  const keys: number[] = [];
  for (let z = b.z0; z <= b.z1; z++) for (let y = b.y0; y <= b.y1; y++) for (let x = b.x0; x <= b.x1; x++) keys.push(mortonEncode(x, y, z));
  return keys.sort((p, q) => p - q);
}

function unionSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  out.sort();
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i]!;
  return out.subarray(0, n);
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}
