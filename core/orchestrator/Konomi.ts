import type { Dims } from '../block/Dims.js';
import type { CentralDecoder } from '../cube/CentralDecoder.js';
import type { CollectiveStrategy } from '../cube/CollectiveStrategy.js';
import { vertexOffset } from '../cube/Vertex.js';
import type { LlmFactory } from '../llm/LlmNode.js';
import { PlaceholderLlmFactory } from '../llm/PlaceholderLlm.js';
import { MemoryStore } from '../store/MemoryStore.js';
import type { Store } from '../store/Store.js';
import type { Ledger } from '../ledger/Ledger.js';
import { ProgramLibrary } from '../programs/ProgramLibrary.js';
import { CoreContext } from './CoreContext.js';
import { CubeSet, type VertexLlmFactory } from './CubeSet.js';
import { Grid } from './Grid.js';
import { loadKonomiState } from './KonomiLoader.js';
import { LlmField } from './LlmField.js';
import type { PackMlCommand, PackMlMachine, PackMlState } from './PackMl.js';
import type { KappaMetrics } from './types.js';

export type { VertexLlmFactory } from './CubeSet.js';
export { DEFAULT_MAX_LLM_NODES, DEFAULT_TEACH_BUDGET_MS, TEACH_YIELD_STEPS } from './LlmField.js';

export interface KonomiOptions {
  /** Where state lives; default: a fresh MemoryStore (nothing survives the process). */
  readonly store?: Store;
  /** Models of the LLM field and, unless vertexFactory is given, of cube vertices. Default: PlaceholderLlmFactory. */
  readonly llmFactory?: LlmFactory;
  readonly vertexFactory?: VertexLlmFactory;
  /** Milliseconds since the epoch, for cell and ledger timestamps. */
  readonly clock?: () => number;
  /** Dimensions of array 0 (the one BLOCK_GET/SET address) and the range of the LLM field and cubes. Default 1000³. */
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
   * Most LLM-field models kept alive; past it the least recently used is dropped and only its κ
   * is kept (re-created from its coordinate on next use, with that κ). Default 100 000.
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
   * Awaited every TEACH_YIELD_STEPS steps of a teaching and between slices of a ledger check, so
   * the host can serve other requests meanwhile; the bridge passes a setImmediate. Default: none.
   */
  readonly yieldToHost?: () => Promise<void>;
}

export const DEFAULT_GRID: Dims = { x: 1000, y: 1000, z: 1000 };

/**
 * The Konomi core, opened from a store: three parts over one shared context (PackML state,
 * clock, ledger, group commit). Use the parts directly:
 * - `grid`: block arrays, templates, planes, the ledger's reads, Merkle proofs;
 * - `llm`: the LLM field (a model per coordinate, its κ, teaching);
 * - `cubes`: the cube set (messages, votes, edges, links, the κ field).
 * Each part tracks its own changes for the commit and emits its own events.
 */
export class Konomi {
  readonly grid: Grid;
  readonly llm: LlmField;
  readonly cubes: CubeSet;
  /** Saved programs (the PROGRAM request, REST /programs), kept in the same store. */
  readonly programs: ProgramLibrary;

  private constructor(private readonly context: CoreContext, options: KonomiOptions) {
    const { maxTemplateCells, yieldToHost, maxLlmNodes, teachBudgetMs, teachClock, collective, central } = options;
    this.grid = new Grid(context, { dims: options.gridDims ?? DEFAULT_GRID, maxTemplateCells, yieldToHost });
    const factory = options.llmFactory ?? new PlaceholderLlmFactory();
    this.llm = new LlmField(context, { dims: this.grid.dims, factory, maxLlmNodes, teachBudgetMs, teachClock, yieldToHost });
    const vertexFactory =
      options.vertexFactory ??
      ((_cube, origin, vertex) => {
        const [dx, dy, dz] = vertexOffset(vertex);
        return factory.create(origin.x + dx, origin.y + dy, origin.z + dz);
      });
    this.cubes = new CubeSet(context, this.llm, { dims: this.grid.dims, vertexFactory, collective, central });
    this.programs = new ProgramLibrary(context.store, { now: context.clock });
  }

  /** Opens the store, reloads arrays, ledger, cubes and the field's κ and lessons, and creates array 0 on first use. */
  static async open(options: KonomiOptions = {}): Promise<Konomi> {
    const { maxPromptLength, maxBroadcast } = options;
    const context = new CoreContext(options.store ?? new MemoryStore(), { clock: options.clock ?? Date.now, maxPromptLength, maxBroadcast });
    const konomi = new Konomi(context, options);
    await loadKonomiState(context.store, {
      addArray: (slot) => konomi.grid.addSlot(slot),
      ledger: context.ledger,
      addCube: (record) => konomi.cubes.restore(record),
      linkCubes: (record) => konomi.cubes.restoreLinks(record),
      llmKappa: (morton, kappa) => konomi.llm.restoreKappa(morton, kappa),
      llmLesson: (morton, lesson) => konomi.llm.restoreLesson(morton, lesson),
      clock: context.clock,
    });
    context.system.run('start');
    await konomi.grid.ensureArrayZero();
    return konomi;
  }

  /** The PackML state machine of the whole system. */
  get system(): PackMlMachine {
    return this.context.system;
  }

  /** The hash-chained ledger every part appends to. */
  get ledger(): Ledger {
    return this.context.ledger;
  }

  /** Fires a PackML command on the system; acting states complete at once. */
  command(command: PackMlCommand): PackMlState {
    return this.context.system.run(command);
  }

  /** Resolves once everything done so far, cube and model κ and lessons included, is durable. */
  flush(): Promise<void> {
    return this.context.flush();
  }

  async close(): Promise<void> {
    if (!this.context.failed) await this.flush();
    if (this.context.system.target('stop') !== undefined) this.context.system.run('stop');
    await this.context.store.close();
  }

  /** κ across the core: every cube's, and the mean over the LLM field's models. */
  kappaMetrics(): KappaMetrics {
    const cubes = this.cubes.kappas();
    const llmKappas = this.llm.kappas();
    return { cubes, cubeMean: mean(cubes.map((c) => c.kappa)), llmCount: llmKappas.length, llmMean: mean(llmKappas) };
  }
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}
