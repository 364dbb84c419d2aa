import { CoreError } from '../errors/CoreError.js';
import type { LlmNode } from '../llm/LlmNode.js';
import { KAPPA_TARGET } from '../llm/PlaceholderLlm.js';
import { ensembleCentral, type CentralDecoder } from './CentralDecoder.js';
import { replicaQuorum, silentVote, type CollectiveStrategy, type HostedAnswers, type VertexNode } from './CollectiveStrategy.js';
import { castBallot, tallyChoices, validateChoices, type ChoiceDecision } from './ChoiceVote.js';
import type { Consensus } from './Consensus.js';
import {
  CUBE_SHARE_OF_VERTEX_KICK,
  DISSENT_KICK,
  boundVertexKappa,
  clampKappa,
  entropyKick,
  followCubeKappa,
  nextCubeKappa,
  nextVertexKappa,
} from './Kappa.js';
import { CORNERS, Vertex, VERTEX_COUNT, cornerDistance, toVertex, type VertexId } from './Vertex.js';

export interface Coordinate {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** Creates the model of one vertex; called at most once per vertex, on first use. */
export type VertexNodeFactory = (vertex: VertexId) => LlmNode;

export interface VertexRef {
  readonly cube: number;
  readonly vertex: VertexId;
}

export interface CubeLink {
  readonly vertex: VertexId;
  readonly cube: number;
  readonly otherVertex: VertexId;
}

export interface TraceStep {
  readonly from: VertexRef;
  readonly to: VertexRef;
  readonly kappa: number;
  readonly text: string;
}

export interface VertexResult {
  readonly cube: number;
  readonly vertex: VertexId;
  readonly kappa: number;
  readonly text: string;
  /** One hop: each neighbour's answer to this vertex's answer. At most MAX_TRACE steps. */
  readonly trace: readonly TraceStep[];
}

export interface CollectiveResult extends Consensus {
  readonly cube: number;
  /** CENTRAL reports the consensus; its κ after the round. */
  readonly kappa: number;
}

/** A choice vote's outcome (see ChoiceDecision) for one cube. */
export interface ChoiceResult extends ChoiceDecision {
  readonly cube: number;
  /** CENTRAL reports the choice; its κ after the round. */
  readonly kappa: number;
}

export interface CubeOptions {
  /** Initial cube κ; default 0.6. */
  readonly kappa?: number;
  /** How CENTRAL integrates the vertices; default replicaQuorum (byte-identical replica answers). */
  readonly collective?: CollectiveStrategy;
  /** How CENTRAL writes its own answers; default ensembleCentral (the corners' κ-weighted mixture). */
  readonly central?: CentralDecoder;
}

/** Everything needed to rebuild a cube after a restart; plain data, SQL/JSON friendly. */
export interface CubeRecord {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly kappa: number;
  /** κ of each vertex node, by vertex number. */
  readonly vertexKappa: readonly number[];
  readonly customEdges: readonly (readonly [VertexId, VertexId])[];
  readonly links: readonly CubeLink[];
}

export const MAX_LINKS_PER_VERTEX = 8;
/** 8 in-cube neighbours (CENTRAL) plus the links: the trace can never grow beyond this. */
export const MAX_TRACE = 8 + MAX_LINKS_PER_VERTEX;

const BASE_EDGES: readonly (readonly [VertexId, VertexId])[] = buildBaseEdges();

function buildBaseEdges(): (readonly [VertexId, VertexId])[] {
  const edges: (readonly [VertexId, VertexId])[] = [];
  for (const a of CORNERS) for (const b of CORNERS) if (a < b && cornerDistance(a, b) === 1) edges.push([a, b]);
  for (const c of CORNERS) edges.push([c, Vertex.CENTRAL]);
  return edges;
}

/** Nine LLM nodes: 8 corners joined by the 12 cube edges, each also joined to CENTRAL. */
export class Cube {
  private readonly nodes: (LlmNode | undefined)[] = new Array<LlmNode | undefined>(VERTEX_COUNT);
  /**
   * The cube's own record of each vertex's κ, in [0, 1]: restored from the store, or the κ the
   * model had when the cube created it (bounded), then moved only by the cube, once per request
   * the vertex answers. Votes are weighed by it and it is what the cube reports and stores; a
   * node's own `kappa` is written from it but never read back, so a faulty node cannot claim one.
   */
  private readonly recordedKappa: (number | undefined)[] = new Array<number | undefined>(VERTEX_COUNT);
  private readonly custom: (readonly [VertexId, VertexId])[] = [];
  private readonly linked: { vertex: VertexId; cube: Cube; otherVertex: VertexId }[] = [];
  private cubeKappa: number;
  private readonly collective: CollectiveStrategy;
  private readonly central: CentralDecoder;

  constructor(
    readonly id: number,
    readonly origin: Coordinate,
    private readonly createNode: VertexNodeFactory,
    options: CubeOptions = {},
  ) {
    this.cubeKappa = checkKappa(options.kappa ?? KAPPA_TARGET);
    this.collective = options.collective ?? replicaQuorum;
    this.central = options.central ?? ensembleCentral;
  }

  get kappa(): number {
    return this.cubeKappa;
  }

  set kappa(value: number) {
    this.cubeKappa = checkKappa(value);
  }

  node(vertex: VertexId | string): LlmNode {
    const v = toVertex(vertex);
    let node = this.nodes[v];
    if (node === undefined) {
      node = this.createNode(v);
      const recorded = this.recordedKappa[v] ?? boundVertexKappa(node.kappa);
      this.recordedKappa[v] = recorded;
      node.kappa = recorded;
      this.nodes[v] = node;
    }
    return node;
  }

  edges(): (readonly [VertexId, VertexId])[] {
    return [...BASE_EDGES, ...this.custom];
  }

  /** Vertices of this cube joined to `vertex` by an edge, ascending. */
  neighbours(vertex: VertexId | string): VertexId[] {
    const v = toVertex(vertex);
    const out: VertexId[] = [];
    for (const [a, b] of this.edges()) {
      if (a === v) out.push(b);
      else if (b === v) out.push(a);
    }
    return out.sort((p, q) => p - q);
  }

  /** Adds a face or body diagonal between two corners. */
  addEdge(a: VertexId | string, b: VertexId | string): void {
    const va = toVertex(a);
    const vb = toVertex(b);
    if (va === Vertex.CENTRAL || vb === Vertex.CENTRAL || cornerDistance(va, vb) < 2) {
      throw new CoreError('BAD_VALUE', 'a custom edge joins two corners along a face or body diagonal');
    }
    if (this.custom.some(([p, q]) => (p === va && q === vb) || (p === vb && q === va))) {
      throw new CoreError('ALREADY_EXISTS', `edge ${va}-${vb} exists`);
    }
    this.custom.push(va < vb ? [va, vb] : [vb, va]);
  }

  links(): CubeLink[] {
    return this.linked.map((l) => ({ vertex: l.vertex, cube: l.cube.id, otherVertex: l.otherVertex }));
  }

  /** Links a vertex of this cube to a vertex of another; the link is recorded on both cubes. */
  link(vertex: VertexId | string, other: Cube, otherVertex: VertexId | string): void {
    const v = toVertex(vertex);
    const ov = toVertex(otherVertex);
    if (other === this) throw new CoreError('BAD_VALUE', 'a link joins two different cubes');
    if (this.linked.some((l) => l.vertex === v && l.cube === other && l.otherVertex === ov)) {
      throw new CoreError('ALREADY_EXISTS', `link ${this.id}:${v} → ${other.id}:${ov} exists`);
    }
    if (this.linkCount(v) >= MAX_LINKS_PER_VERTEX || other.linkCount(ov) >= MAX_LINKS_PER_VERTEX) {
      throw new CoreError('TOO_LARGE', `a vertex has at most ${MAX_LINKS_PER_VERTEX} links`);
    }
    this.linked.push({ vertex: v, cube: other, otherVertex: ov });
    other.linked.push({ vertex: ov, cube: this, otherVertex: v });
  }

  /** Ids of the cubes linked to this one. */
  linkedCubes(): Cube[] {
    return [...new Set(this.linked.map((l) => l.cube))];
  }

  /**
   * The vertex answers; its answer travels one hop to each neighbour (edges, then links) and
   * their answers form the trace. Synchronous and bounded by MAX_TRACE: nothing outlives the call.
   */
  processVertex(vertex: VertexId | string, text: string, maxTokens?: number): VertexResult {
    const v = toVertex(vertex);
    const answer = this.answer(v, text, maxTokens);
    // A corner's answer comes from its own model, which can say how surprising it is; CENTRAL's
    // is the corners' mixture, which no single model wrote, so it is not measured.
    if (v !== Vertex.CENTRAL) this.kickVertex(v, entropyKick(this.answerBits(v, text, answer)));
    const from: VertexRef = { cube: this.id, vertex: v };
    const targets: { cube: Cube; vertex: VertexId }[] = this.neighbours(v).map((n) => ({ cube: this, vertex: n }));
    for (const l of this.linked) if (l.vertex === v) targets.push({ cube: l.cube, vertex: l.otherVertex });
    const trace: TraceStep[] = [];
    for (const t of targets.slice(0, MAX_TRACE)) {
      const reply = t.cube.answer(t.vertex, answer, maxTokens);
      trace.push({ from, to: { cube: t.cube.id, vertex: t.vertex }, kappa: t.cube.kappaOf(t.vertex), text: reply });
    }
    return { cube: this.id, vertex: v, kappa: this.kappaOf(v), text: answer, trace };
  }

  /** A vertex's own answer: a corner's model, or CENTRAL's decoder over the eight corners; its κ moves once. */
  answer(vertex: VertexId | string, text: string, maxTokens?: number): string {
    const v = toVertex(vertex);
    const reply = v !== Vertex.CENTRAL ? this.node(v).respond(text, maxTokens) : this.central(this.node(v), CORNERS.map((c) => this.node(c)), text, maxTokens);
    this.stepVertexKappa(v);
    return reply;
  }

  /**
   * Every vertex answers the query; CENTRAL integrates them (by default: a 2/3 quorum weighed by
   * this cube's record of each vertex's κ); then every vertex's κ moves once. `hosted`: the answers
   * of vertices hosted outside the core (a guest), which vote instead of the core's copies; a
   * `null` (no answer in time) is a faulty vote.
   */
  collectiveThink(query: string, maxTokens?: number, hosted?: HostedAnswers): CollectiveResult {
    const vertices: VertexNode[] = [];
    for (let v = 0; v < VERTEX_COUNT; v++) {
      const node = this.node(v as VertexId);
      const id = v as VertexId;
      const answer = hosted?.has(id) ? (hosted.get(id) ?? silentVote(id)) : undefined;
      vertices.push({ vertex: id, node, kappa: this.kappaOf(id), ...(answer !== undefined ? { answer } : {}) });
    }
    const consensus = this.collective(vertices, query, maxTokens);
    for (let v = 0; v < VERTEX_COUNT; v++) this.stepVertexKappa(v as VertexId);
    if (consensus.quorum) {
      for (let v = 0; v < VERTEX_COUNT; v++) if (!consensus.agreeing.includes(v as VertexId)) this.kickVertex(v as VertexId, DISSENT_KICK);
    }
    return { ...consensus, cube: this.id, kappa: this.kappaOf(Vertex.CENTRAL) };
  }

  /**
   * A vote on fixed choices, where vertices can genuinely differ: every vertex (CENTRAL too)
   * scores each choice after the query with its own model and votes for its best; CENTRAL
   * tallies the votes with the cube's recorded κ weights (voteWeight) and answers the heaviest
   * choice, with quorum when it holds strictly more than 2/3 of the weight. Then every vertex's
   * κ moves once, and when there is a quorum each dissenter takes a DISSENT_KICK.
   */
  collectiveChoose(query: string, choices: readonly string[]): ChoiceResult {
    const list = validateChoices(choices);
    const ballots = [];
    for (let v = 0; v < VERTEX_COUNT; v++) ballots.push(castBallot(v as VertexId, this.node(v as VertexId), this.kappaOf(v as VertexId), query, list));
    const decision = tallyChoices(list, ballots);
    for (let v = 0; v < VERTEX_COUNT; v++) this.stepVertexKappa(v as VertexId);
    if (decision.quorum) for (const v of decision.dissenting) this.kickVertex(v, DISSENT_KICK);
    return { ...decision, cube: this.id, kappa: this.kappaOf(Vertex.CENTRAL) };
  }

  /** κ of each vertex from the cube's record (0.6 for a vertex whose node was never created nor restored). */
  vertexKappa(): number[] {
    const out: number[] = [];
    for (let v = 0; v < VERTEX_COUNT; v++) out.push(this.kappaOf(v as VertexId));
    return out;
  }

  /** The cube's record of one vertex's κ. */
  kappaOf(vertex: VertexId): number {
    return this.recordedKappa[vertex] ?? KAPPA_TARGET;
  }

  nextKappa(neighbourAverage: number | null): number {
    return nextCubeKappa(this.cubeKappa, neighbourAverage);
  }

  /**
   * The tick's second half: the cube sets its vertices' κ — each record moves toward the cube's
   * κ and toward 0.6 (followCubeKappa), and each live node is told. Returns the largest move.
   */
  followKappa(): number {
    let largest = 0;
    for (let v = 0; v < VERTEX_COUNT; v++) {
      const before = this.kappaOf(v as VertexId);
      const after = clampKappa(followCubeKappa(before, this.cubeKappa));
      largest = Math.max(largest, Math.abs(after - before));
      this.setRecorded(v as VertexId, after);
    }
    return largest;
  }

  /**
   * Activity perturbs the field: the vertex's recorded κ moves by `delta` and the cube's κ by
   * its share (1/9 of it), both kept in [0, 1]. Dissent and high-entropy answers call it; so
   * may teaching (Konomi.taught).
   */
  kickVertex(vertex: VertexId | string, delta: number): void {
    if (!Number.isFinite(delta)) throw new CoreError('BAD_VALUE', `κ kick must be finite, got ${String(delta)}`);
    if (delta === 0) return;
    const v = toVertex(vertex);
    this.setRecorded(v, clampKappa(this.kappaOf(v) + delta));
    this.cubeKappa = clampKappa(this.cubeKappa + CUBE_SHARE_OF_VERTEX_KICK * delta);
  }

  /** Sets one vertex's recorded κ (a user's perturbation; a vertex number or name, unknown ones NOT_FOUND); κ must lie in [0, 1]. */
  setVertexKappa(vertex: number | string, kappa: number): void {
    this.setRecorded(toVertex(vertex), checkKappa(kappa));
  }

  toRecord(): CubeRecord {
    return {
      id: this.id,
      x: this.origin.x,
      y: this.origin.y,
      z: this.origin.z,
      kappa: this.cubeKappa,
      vertexKappa: this.vertexKappa(),
      customEdges: this.custom.map(([a, b]) => [a, b] as const),
      links: this.links(),
    };
  }

  /** Restores κ and custom edges; links are restored by the owner once every cube exists. */
  restore(record: CubeRecord): void {
    this.kappa = record.kappa;
    record.vertexKappa.forEach((k, v) => {
      if (v >= VERTEX_COUNT) return;
      this.recordedKappa[v] = checkKappa(k);
      const node = this.nodes[v];
      if (node !== undefined) node.kappa = k;
    });
    for (const [a, b] of record.customEdges) this.addEdge(a, b);
  }

  /** One request's κ move in the record; the node is told its new κ (it sets its temperature). */
  private stepVertexKappa(v: VertexId): void {
    this.setRecorded(v, nextVertexKappa(this.kappaOf(v)));
  }

  private setRecorded(v: VertexId, kappa: number): void {
    this.recordedKappa[v] = kappa;
    const node = this.nodes[v];
    if (node !== undefined) node.kappa = kappa;
  }

  /**
   * Bits per character of an answer under the model of the vertex that gave it: how surprising the answer is to its author. 0 for an empty answer or a node that
   * cannot score (no kick).
   */
  private answerBits(v: VertexId, prompt: string, answer: string): number {
    const node = this.node(v);
    if (answer.length === 0 || typeof node.logProbability !== 'function') return 0;
    try {
      const lp = node.logProbability(prompt, answer);
      return typeof lp === 'number' && Number.isFinite(lp) ? -lp / answer.length / Math.LN2 : 0;
    } catch {
      return 0;
    }
  }

  private linkCount(v: VertexId): number {
    let n = 0;
    for (const l of this.linked) if (l.vertex === v) n++;
    return n;
  }
}

function checkKappa(value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new CoreError('BAD_VALUE', `κ must lie in [0, 1], got ${String(value)}`);
  }
  return value;
}
