import type { VertexId } from './Vertex.js';

export interface VertexAnswer {
  readonly vertex: VertexId;
  /** κ of the vertex after answering; its vote weight. */
  readonly kappa: number;
  readonly text: string;
}

export interface Consensus {
  /** True when one answer holds strictly more than 2/3 of the total κ weight. */
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

/** Answers agree when they are equal after trimming, lower-casing and collapsing whitespace. */
export function normalizeAnswer(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * κ-weighted Byzantine quorum over answers grouped by `key` (default: normalizeAnswer; the
 * identity for byte-exact votes): with 9 equal weights, 7 agreeing votes pass and 6 do not,
 * so up to 2 faulty vertices cannot change or fake the outcome.
 */
export function weightedQuorum(answers: readonly VertexAnswer[], key: (text: string) => string = normalizeAnswer): Consensus {
  const groups = new Map<string, { weight: number; vertices: VertexId[]; text: string }>();
  let total = 0;
  for (const a of answers) {
    const w = Math.max(0, a.kappa);
    total += w;
    const k = key(a.text);
    const group = groups.get(k) ?? { weight: 0, vertices: [], text: a.text };
    group.weight += w;
    group.vertices.push(a.vertex);
    groups.set(k, group);
  }
  let best: { weight: number; vertices: VertexId[]; text: string } | undefined;
  for (const g of groups.values()) if (!best || g.weight > best.weight) best = g;
  const quorum = best !== undefined && total > 0 && best.weight * 3 > total * 2 * (1 + QUORUM_EPSILON);
  return {
    quorum,
    text: quorum && best ? best.text : null,
    agreeingWeight: best?.weight ?? 0,
    totalWeight: total,
    agreeing: best?.vertices ?? [],
    answers,
  };
}
