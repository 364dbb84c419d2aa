import type { VertexId } from './Vertex.js';

export interface VertexAnswer {
  readonly vertex: VertexId;
  /**
   * κ of the vertex when it voted, from the cube's own record (never what the node reports);
   * voteWeight turns it into the vote's weight.
   */
  readonly kappa: number;
  readonly text: string;
}

export interface Consensus {
  /** True when one answer holds strictly more than 2/3 of the total vote weight. */
  readonly quorum: boolean;
  /** The agreed answer; null without quorum (never a minority answer). */
  readonly text: string | null;
  readonly agreeingWeight: number;
  readonly totalWeight: number;
  /** Vertices whose answer matched the leading one. */
  readonly agreeing: readonly VertexId[];
  readonly answers: readonly VertexAnswer[];
}

/** Relative slack so that exactly 2/3 (e.g. 6 of 9 equal weights) is never rounded into a quorum. */
export const QUORUM_EPSILON = 1e-9;

/**
 * The lightest vote (κ = 0) weighs 2/3 of the heaviest (κ = 1). With nine voters, any two then
 * hold at most 2 / (2 + 7 · 2/3) = 30 % of the weight (< 1/3) and any one at most 3/19 ≈ 16 %,
 * whatever their κ; any three at most 3/7 ≈ 43 % (< 2/3). A floor above 4/7 is what keeps two
 * heavy voters below a third against seven light ones.
 */
export const MIN_VOTE_WEIGHT = 2 / 3;

/**
 * A vote's weight from a κ: κ bounded to [0, 1] (NaN counts as 0), mapped onto
 * [MIN_VOTE_WEIGHT, 1]. A larger κ still weighs more, but never enough to buy a quorum.
 */
export function voteWeight(kappa: number): number {
  const k = kappa >= 0 ? Math.min(kappa, 1) : 0; // NaN fails the comparison: 0
  return MIN_VOTE_WEIGHT + (1 - MIN_VOTE_WEIGHT) * k;
}

/**
 * The one quorum rule: strictly more than 2/3 of the total weight, from at least two voters (a
 * lone vote is never a quorum, whatever it weighs).
 */
export function holdsQuorum(weight: number, total: number, voters: number): boolean {
  return voters >= 2 && weight * 3 > total * 2 * (1 + QUORUM_EPSILON);
}

/** Answers agree when they are equal after trimming, lower-casing and collapsing whitespace. */
export function normalizeAnswer(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * Weighted Byzantine quorum over answers grouped by `key` (default: normalizeAnswer; the
 * identity for byte-exact votes), each weighing voteWeight(κ): with nine voters, 7 agreeing
 * votes always pass, whatever the κ of the two others, and 6 against 3 equal ones do not, so up
 * to 2 faulty vertices cannot change or fake the outcome and 3 cannot fake one. A lone vote is
 * never a quorum: no single vertex reaches the threshold alone.
 */
export function weightedQuorum(answers: readonly VertexAnswer[], key: (text: string) => string = normalizeAnswer): Consensus {
  const groups = new Map<string, { weight: number; vertices: VertexId[]; text: string }>();
  let total = 0;
  for (const a of answers) {
    const w = voteWeight(a.kappa);
    total += w;
    const k = key(a.text);
    const group = groups.get(k) ?? { weight: 0, vertices: [], text: a.text };
    group.weight += w;
    group.vertices.push(a.vertex);
    groups.set(k, group);
  }
  let best: { weight: number; vertices: VertexId[]; text: string } | undefined;
  for (const g of groups.values()) if (!best || g.weight > best.weight) best = g;
  const quorum = best !== undefined && holdsQuorum(best.weight, total, best.vertices.length);
  return {
    quorum,
    text: quorum && best ? best.text : null,
    agreeingWeight: best?.weight ?? 0,
    totalWeight: total,
    agreeing: best?.vertices ?? [],
    answers,
  };
}
