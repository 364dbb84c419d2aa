import { checkCoordinate, boxContains, validateBox, type Box, type Dims } from '../block/Dims.js';
import { mortonEncode } from '../block/Morton.js';
import { Cube } from '../cube/Cube.js';
import type { CentralDecoder } from '../cube/CentralDecoder.js';
import type { CollectiveStrategy, HostedAnswers } from '../cube/CollectiveStrategy.js';
import type { ChoiceResult, CollectiveResult, Coordinate, CubeOptions, CubeRecord, VertexResult } from '../cube/Cube.js';
import { NEIGHBOUR_RADIUS, TEACH_KICK, clampKappa } from '../cube/Kappa.js';
import { toVertex, vertexOffset, VERTEX_COUNT, type VertexId } from '../cube/Vertex.js';
import { CoreError } from '../errors/CoreError.js';
import { requireIntegerIn } from '../errors/validate.js';
import { LedgerOp } from '../ledger/LedgerEntry.js';
import type { LlmNode } from '../llm/LlmNode.js';
import type { MutableBatch } from '../store/Store.js';
import { Emitter, propagateListenerError } from '../../protocol/Emitter.js';
import type { Disposable } from '../../protocol/Disposable.js';
import type { CoreContext } from './CoreContext.js';
import type { LlmField } from './LlmField.js';
import type { KappaTick } from './types.js';

const MAX_CUBES = 0x10000;
/**
 * A κ tick that moves no κ by at least this much is not announced: a settled field stays quiet
 * (what it did move rides with the next commit anyway).
 */
export const KAPPA_QUIET_CHANGE = 1e-5;

/** Creates the model of a cube vertex; by default the LLM field's factory at origin + doubled vertex offset. */
export type VertexLlmFactory = (cube: number, origin: Coordinate, vertex: VertexId) => LlmNode;

/** What the cube set announces. */
export type CubeSetEvent =
  /** Some cube or vertex κ moved (a message, a vote, a perturbation, a tick that did not settle). */
  | { readonly type: 'kappa' }
  /** A choice vote was decided (collectiveChoose). */
  | { readonly type: 'vote'; readonly result: ChoiceResult; readonly query: string };

export interface CubeSetOptions {
  /** The grid's dimensions: the range of cube origins. */
  readonly dims: Dims;
  readonly vertexFactory: VertexLlmFactory;
  /** How CENTRAL integrates the nine vertices in collectiveThink (Cube's default: replica quorum). */
  readonly collective?: CollectiveStrategy | undefined;
  /** How CENTRAL writes its own answers (Cube's default: the corners' κ-weighted mixture). */
  readonly central?: CentralDecoder | undefined;
}

/**
 * The cube set: the cubes of the grid (8 vertices + CENTRAL each), their messages and votes,
 * edges and links, and the κ field that ties them together. A vertex's model is the LLM field's
 * model of the same coordinate, lessons included; when the field learns, the vertices living at
 * that coordinate learn too and take TEACH_KICK. Tracks which cubes changed for the next commit.
 */
export class CubeSet {
  /** By id; ids may have gaps when a shared store allocates them. */
  private readonly cubes = new Map<number, Cube>();
  private nextCubeId = 0;
  /** Cubes whose id is being allocated, by origin key: a second `at` waits for the first. */
  private readonly allocating = new Map<number, Promise<Cube>>();
  private readonly byOrigin = new Map<number, Cube>();
  /** Each cube's κ-field neighbours (spatial and linked); rebuilt after cubes or links change. */
  private fieldNeighbours: Map<Cube, Cube[]> | null = null;
  private readonly dirty = new Set<Cube>();
  /** Cubes created but not yet durable: `at` waits for them too. */
  private readonly creating = new Map<Cube, Promise<void>>();
  private readonly events = new Emitter<CubeSetEvent>(propagateListenerError);

  constructor(
    private readonly context: CoreContext,
    private readonly llm: LlmField,
    private readonly options: CubeSetOptions,
  ) {
    context.track(this);
    llm.onEvent((e) => {
      if (e.type === 'taught') this.learned(e.x, e.y, e.z, e.lesson);
    });
  }

  onEvent(listener: (event: CubeSetEvent) => void): Disposable {
    return this.events.add(listener);
  }

  /** Every cube's κ and its vertices' (for metrics and the page). */
  kappas(): { id: number; kappa: number; vertexKappa: readonly number[] }[] {
    return [...this.cubes.values()].map((c) => ({ id: c.id, kappa: c.kappa, vertexKappa: c.vertexKappa() }));
  }

  cube(id: number): Cube {
    const cube = Number.isInteger(id) ? this.cubes.get(id) : undefined;
    if (cube === undefined) throw new CoreError('NOT_FOUND', `no cube ${String(id)}`);
    return cube;
  }

  get count(): number {
    return this.cubes.size;
  }

  /** Every cube's id, ascending. Not 0..cubeCount-1: a shared store allocates ids with gaps. */
  ids(): number[] {
    return [...this.cubes.keys()].sort((a, b) => a - b);
  }

  /** A new cube at a grid coordinate; ALREADY_EXISTS if one is there. Resolves once durable. */
  async create(x: number, y: number, z: number): Promise<Cube> {
    this.context.checkWritable();
    checkCoordinate(this.options.dims, x, y, z);
    const key = mortonEncode(x, y, z);
    if (this.byOrigin.has(key) || this.allocating.has(key)) throw new CoreError('ALREADY_EXISTS', `a cube exists at (${x}, ${y}, ${z})`);
    if (this.cubes.size >= MAX_CUBES) throw new CoreError('TOO_LARGE', `at most ${MAX_CUBES} cubes`);
    if (this.context.store.allocateId === undefined) return this.addCube(this.nextCubeId, key, { x, y, z });
    const allocate = this.context.store.allocateId('cube', key);
    const adding = allocate.then((id) => {
      this.context.checkWritable();
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
    this.byOrigin.set(key, cube);
    this.dirty.add(cube);
    const entry = this.context.append(LedgerOp.CUBE_CREATE, id, x, y, z, 0);
    const durable = this.context.submit({ entries: [entry] }).finally(() => this.creating.delete(cube));
    this.creating.set(cube, durable);
    await durable;
    return cube;
  }

  /** The cube at a coordinate, created on first use; resolves once that cube is durable. */
  async at(x: number, y: number, z: number): Promise<Cube> {
    checkCoordinate(this.options.dims, x, y, z);
    const key = mortonEncode(x, y, z);
    const pending = this.allocating.get(key);
    if (pending !== undefined) return pending;
    const existing = this.byOrigin.get(key);
    if (existing === undefined) return this.create(x, y, z);
    await this.creating.get(existing);
    return existing;
  }

  /**
   * The vertex answers and its neighbours answer it (Cube.processVertex); an answer of high
   * entropy kicks the vertex's κ (the field moves on ticks, updateKappa). Needs the system in Execute.
   */
  processVertex(cubeId: number, vertex: VertexId | string, text: string, maxTokens?: number): VertexResult {
    this.context.checkRunning();
    const cube = this.cube(cubeId);
    const v = toVertex(vertex);
    this.context.checkPrompt(text);
    const result = cube.processVertex(v, text, maxTokens);
    this.dirty.add(cube);
    for (const step of result.trace) this.dirty.add(this.cube(step.to.cube));
    this.events.emit({ type: 'kappa' });
    return result;
  }

  /** Every vertex votes, CENTRAL counts (Cube.collectiveThink); dissenters from a quorum are kicked. */
  collectiveThink(cubeId: number, query: string, maxTokens?: number, hosted?: HostedAnswers): CollectiveResult {
    this.context.checkRunning();
    const cube = this.cube(cubeId);
    this.context.checkPrompt(query);
    const result = cube.collectiveThink(query, maxTokens, hosted);
    this.dirty.add(cube);
    this.events.emit({ type: 'kappa' });
    return result;
  }

  /**
   * A vote on fixed choices (Cube.collectiveChoose): each vertex scores every choice with its own
   * model and votes; CENTRAL tallies with the recorded κ weights. Needs the system in Execute.
   */
  collectiveChoose(cubeId: number, query: string, choices: readonly string[]): ChoiceResult {
    this.context.checkRunning();
    const cube = this.cube(cubeId);
    this.context.checkPrompt(query);
    const result = cube.collectiveChoose(query, choices);
    this.dirty.add(cube);
    this.events.emit({ type: 'vote', result, query });
    this.events.emit({ type: 'kappa' });
    return result;
  }

  /** Collective think on every cube whose origin lies in the box. */
  broadcast(box: Box, query: string, maxTokens?: number): CollectiveResult[] {
    this.context.checkRunning();
    const b = validateBox(this.options.dims, box);
    this.context.checkPrompt(query);
    const inBox = [...this.cubes.values()].filter((c) => boxContains(b, c.origin));
    const max = this.context.maxBroadcast;
    if (inBox.length > max) throw new CoreError('TOO_LARGE', `${inBox.length} cubes in the box; at most ${max}`);
    return inBox.map((c) => this.collectiveThink(c.id, query, maxTokens));
  }

  /** Adds a face or body diagonal; ledgered (CUBE_EDGE) and resolved once durable. */
  addEdge(cubeId: number, a: VertexId | string, b: VertexId | string): Promise<void> {
    this.context.checkWritable();
    const cube = this.cube(cubeId);
    const [va, vb] = [toVertex(a), toVertex(b)];
    cube.addEdge(va, vb);
    this.dirty.add(cube);
    const entry = this.context.append(LedgerOp.CUBE_EDGE, cubeId, Math.min(va, vb), Math.max(va, vb), 0, 0);
    return this.context.submit({ entries: [entry] });
  }

  /** Links two cubes' vertices; ledgered (CUBE_LINK) and resolved once durable. */
  link(cubeId: number, vertex: VertexId | string, otherId: number, otherVertex: VertexId | string): Promise<void> {
    this.context.checkWritable();
    const cube = this.cube(cubeId);
    const other = this.cube(otherId);
    const [v, ov] = [toVertex(vertex), toVertex(otherVertex)];
    cube.link(v, other, ov);
    this.fieldNeighbours = null;
    this.dirty.add(cube);
    this.dirty.add(other);
    const entry = this.context.append(LedgerOp.CUBE_LINK, cubeId, v, otherId, ov, 0);
    return this.context.submit({ entries: [entry] });
  }

  /**
   * One tick of the κ field (the host's clock drives it; the core keeps no timer). Every cube,
   * from the previous values: 10 % toward the average κ of its neighbours (cubes whose origin
   * lies within NEIGHBOUR_RADIUS on every axis, and linked cubes), 5 % toward 0.6; then each
   * sets its vertices' κ (Cube.followKappa). Changed cubes are stored with the next commit.
   * Returns the largest change of any κ, cube or vertex, so a host can tell a settled field.
   */
  updateKappa(): KappaTick {
    this.context.checkRunning();
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
    if (largestChange >= KAPPA_QUIET_CHANGE) this.events.emit({ type: 'kappa' });
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
  async perturb(cubeId: number, kappa: number, vertex?: number | string): Promise<Cube> {
    this.context.checkRunning();
    const cube = this.cube(cubeId);
    if (typeof kappa !== 'number' || !Number.isFinite(kappa) || kappa < 0 || kappa > 1) {
      throw new CoreError('BAD_VALUE', `κ must lie in [0, 1], got ${String(kappa)}`);
    }
    if (vertex === undefined) cube.kappa = kappa;
    else cube.setVertexKappa(vertex, kappa);
    this.dirty.add(cube);
    await this.context.flush();
    this.events.emit({ type: 'kappa' });
    return cube;
  }

  /**
   * The teaching hook: the model at (x, y, z) has been taught. Every cube vertex living there
   * (origin + doubled vertex offset) takes `delta` of κ. Returns how many did.
   */
  taught(x: number, y: number, z: number, delta = TEACH_KICK): number {
    let kicked = 0;
    this.forVerticesAt(x, y, z, (cube, v) => {
      cube.kickVertex(v, delta);
      this.dirty.add(cube);
      kicked++;
    });
    return kicked;
  }

  /** The LLM field learned a lesson at (x, y, z): the vertices living there learn it and are kicked. */
  private learned(x: number, y: number, z: number, lesson: Uint8Array): void {
    this.forVerticesAt(x, y, z, (cube, v) => cube.node(v).restoreLesson?.(lesson));
    this.taught(x, y, z);
  }

  /** Each cube vertex whose coordinate (origin + doubled vertex offset) is (x, y, z). */
  private forVerticesAt(x: number, y: number, z: number, visit: (cube: Cube, v: VertexId) => void): void {
    for (let v = 0; v < VERTEX_COUNT; v++) {
      const [dx, dy, dz] = vertexOffset(v as VertexId);
      const [ox, oy, oz] = [x - dx, y - dy, z - dz];
      if (ox < 0 || oy < 0 || oz < 0 || ox >= this.options.dims.x || oy >= this.options.dims.y || oz >= this.options.dims.z) continue;
      const cube = this.byOrigin.get(mortonEncode(ox, oy, oz));
      if (cube !== undefined) visit(cube, v as VertexId);
    }
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

  // ---------------------------------------------------------------- internals

  /**
   * A cube vertex's model, with the lesson of its coordinate (origin + doubled vertex offset) if
   * that coordinate was taught: the vertex at (x, y, z) is the same FemtoLLM as llmAt(x, y, z).
   */
  private vertexNode(cube: number, origin: Coordinate, v: VertexId): LlmNode {
    const node = this.options.vertexFactory(cube, origin, v);
    const [dx, dy, dz] = vertexOffset(v);
    const lesson = this.llm.lessonAt(mortonEncode(origin.x + dx, origin.y + dy, origin.z + dz));
    if (lesson !== undefined && node.restoreLesson !== undefined) node.restoreLesson(lesson);
    return node;
  }

  /** Gives a new lesson to every cube vertex living at (x, y, z) (see vertexNode). */
  private teachVertices(x: number, y: number, z: number, lesson: Uint8Array): void {
    for (let v = 0; v <= 8; v++) {
      const [dx, dy, dz] = vertexOffset(v as VertexId);
      const [ox, oy, oz] = [x - dx, y - dy, z - dz];
      if (ox < 0 || oy < 0 || oz < 0) continue;
      const cube = this.byOrigin.get(mortonEncode(ox, oy, oz));
      cube?.node(v as VertexId).restoreLesson?.(lesson);
    }
  }

  private cubeOptions(): CubeOptions {
    return {
      ...(this.options.collective ? { collective: this.options.collective } : {}),
      ...(this.options.central ? { central: this.options.central } : {}),
    };
  }

  takeChanges(batch: MutableBatch): void {
    for (const cube of this.dirty) batch.cubes.push(cube.toRecord());
    this.dirty.clear();
  }

  /** A cube as the store had it; ids must come in ascending order (KonomiLoader). */
  restore(record: CubeRecord): void {
    const origin = { x: record.x, y: record.y, z: record.z };
    checkCoordinate(this.options.dims, origin.x, origin.y, origin.z);
    if (!Number.isInteger(record.id) || record.id < this.nextCubeId || record.id >= MAX_CUBES) {
      throw new CoreError('CORRUPT', `cube ${record.id} restored out of order`);
    }
    const cube = new Cube(record.id, origin, (v) => this.vertexNode(record.id, origin, v), this.cubeOptions());
    cube.restore(record);
    this.cubes.set(record.id, cube);
    this.fieldNeighbours = null;
    this.nextCubeId = record.id + 1;
    this.byOrigin.set(mortonEncode(origin.x, origin.y, origin.z), cube);
  }

  /** Links are stored on both cubes; each is rebuilt once, from the cube with the lower id. */
  restoreLinks(record: CubeRecord): void {
    const cube = this.cube(record.id);
    for (const l of record.links) if (l.cube > record.id) cube.link(l.vertex, this.cube(l.cube), l.otherVertex);
    this.fieldNeighbours = null;
  }
}
