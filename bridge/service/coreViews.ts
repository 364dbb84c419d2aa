import { VERTEX_NAMES } from '../../core/cube/Vertex.js';
import type { ChoiceResult, Cube } from '../../core/cube/Cube.js';
import { mortonX, mortonY, mortonZ } from '../../core/block/Morton.js';
import type { CubeSet } from '../../core/orchestrator/CubeSet.js';
import type { Grid } from '../../core/orchestrator/Grid.js';
import type { Konomi } from '../../core/orchestrator/Konomi.js';
import { Vertex } from '../../protocol/payloads/cubeMsg.js';
import { toHex } from '../util/hex.js';
import type { CoreEvent } from './CoreEvent.js';

/**
 * The JSON views of the core that REST, /ws and the metrics share: hashes in hex, vertices by
 * wire number and name. The core's parts answer in their own types; these shape them for people.
 */

export interface BlockView {
  x: number;
  y: number;
  z: number;
  value: number;
}

export interface CubeKappaView {
  id: number;
  kappa: number;
  /** CENTRAL's κ (vertexKappa[8]), for plots that draw it as its own trace. */
  central: number;
  vertexKappa: number[];
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

/** `index` is the last entry's index (-1 for an empty ledger). */
export function ledgerHeadView(grid: Grid): { length: number; index: number; hash: string } {
  const head = grid.ledgerHead();
  return { length: head.length, index: head.length - 1, hash: toHex(head.hash) };
}

export function proofView(grid: Grid, x: number, y: number, z: number, array = 0): Record<string, unknown> {
  const p = grid.proveCell(x, y, z, array);
  return { ...p, path: p.path.map(toHex), root: toHex(p.root) };
}

/** Up to `limit` active cells of an array in Morton order, for the 3D view. */
export function blocksView(grid: Grid, limit: number, array = 0): { total: number; blocks: BlockView[] } {
  const view = grid.array(array);
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

export function cubesView(cubes: CubeSet): Array<{ id: number; origin: { x: number; y: number; z: number }; kappa: number; vertexKappa: readonly number[] }> {
  return cubes.ids().map((id) => {
    const cube = cubes.cube(id);
    return { id, origin: { ...cube.origin }, kappa: cube.kappa, vertexKappa: cube.vertexKappa() };
  });
}

export function cubeView(cube: Cube): Record<string, unknown> {
  return { ...cube.toRecord(), edges: cube.edges() };
}

export function cubeKappaView(id: number, kappa: number, vertexKappa: readonly number[]): CubeKappaView {
  return { id, kappa, central: vertexKappa[Vertex.CENTRAL] ?? kappa, vertexKappa: [...vertexKappa] };
}

/** Every cube's κ, CENTRAL's and each vertex's (by wire number, CENTRAL last), and the means. */
export function kappaEvent(konomi: Konomi): CoreEvent & { event: 'kappa' } {
  const m = konomi.kappaMetrics();
  return { event: 'kappa', data: { cubes: m.cubes.map((c) => cubeKappaView(c.id, c.kappa, c.vertexKappa)), cubeMean: m.cubeMean, llmMean: m.llmMean } };
}

/** The protocol's reply fields of a choice vote. */
export function choiceReply(result: ChoiceResult): { choice: string | null; quorum: boolean; share: number; votes: (number | null)[]; dissenting: number[] } {
  return { choice: result.choice, quorum: result.quorum, share: result.share, votes: result.ballots.map((b) => b.choice), dissenting: [...result.dissenting] };
}

/** A choice vote as JSON: the choice, the quorum, each vertex's vote (named), the tally and who dissented. */
export function voteView(result: ChoiceResult, query: string): VoteView {
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
