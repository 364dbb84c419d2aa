import type { LlmNode } from '../llm/LlmNode.js';
import { KAPPA_NODE_RATE, KAPPA_TARGET } from '../llm/PlaceholderLlm.js';
import { QUORUM_EPSILON, weightedQuorum, type Consensus, type VertexAnswer } from './Consensus.js';
import type { VertexId } from './Vertex.js';

export interface VertexNode {
  readonly vertex: VertexId;
  readonly node: LlmNode;
}

/**
 * How a cube thinks collectively: the nine vertices are asked and CENTRAL integrates them into
 * one Consensus. Synchronous, so nothing outlives the call.
 */
export type CollectiveStrategy = (vertices: readonly VertexNode[], query: string, maxTokens: number | undefined) => Consensus;

/**
 * Every vertex answers in full; the answer held by more than 2/3 of the κ weight wins.
 * Right for deterministic models that agree word for word (the placeholder).
 */
export const answerQuorum: CollectiveStrategy = (vertices, query, maxTokens) => {
  const answers: VertexAnswer[] = vertices.map(({ vertex, node }) => {
    const text = node.respond(query, maxTokens);
    return { vertex, kappa: node.kappa, text };
  });
  return weightedQuorum(answers);
};

export const TOKEN_VOTE_DEFAULT_TOKENS = 32;
/** A token step needs the 2/3-supported distribution to keep at least this much mass. */
export const TOKEN_VOTE_MIN_SUPPORT = 0.5;

/**
 * CENTRAL writes the answer one token (byte) at a time from what more than 2/3 of the κ weight
 * supports: for each token t, q(t) is the largest probability that vertices holding more than
 * 2/3 of the weight all give t. Faulty vertices below 1/3 of the weight can neither raise q(t)
 * above what honest vertices give nor push it to zero. The next token is drawn from q
 * (normalized) with a generator seeded by the query, so the same request gives the same text.
 * Generation stops when Σ q < TOKEN_VOTE_MIN_SUPPORT: no quorum on how to go on. The consensus
 * has quorum if at least one token was agreed. Honest models that differ slightly (FemtoLLM
 * personalities and κ temperatures) still agree; three colluding vertices leave no quorum.
 * Each vertex's κ drifts once, as for one request. Bytes 0..127 map to characters one to one.
 */
export const tokenVote: CollectiveStrategy = (vertices, query, maxTokens = TOKEN_VOTE_DEFAULT_TOKENS) => {
  const prompt = encodeAscii(query);
  const context = new Uint8Array(prompt.length + maxTokens);
  context.set(prompt);
  let length = prompt.length;
  const weights = vertices.map(({ node }) => Math.max(0, node.kappa));
  const total = weights.reduce((a, b) => a + b, 0);
  const favourites = vertices.map(() => [] as number[]);
  const backed = vertices.map(() => 0);
  let weakest = Number.POSITIVE_INFINITY;
  const random = seededRandom(query);
  for (let t = 0; t < maxTokens && total > 0; t++) {
    const dists = vertices.map(({ node }) => node.nextTokenProbabilities(context.subarray(0, length)));
    dists.forEach((p, i) => favourites[i]!.push(argmax(p)));
    const support = supportedDistribution(dists, weights, total);
    const mass = support.reduce((a, b) => a + b, 0);
    if (mass < TOKEN_VOTE_MIN_SUPPORT) break;
    const token = draw(support, mass, random());
    context[length++] = token;
    // Backers of the token: the vertices whose probability reaches q(token) (> 2/3 of the weight).
    let backing = 0;
    dists.forEach((p, i) => {
      if (p[token]! >= support[token]!) {
        backed[i]!++;
        backing += weights[i]!;
      }
    });
    weakest = Math.min(weakest, backing);
  }
  for (const { node } of vertices) node.kappa += KAPPA_NODE_RATE * (KAPPA_TARGET - node.kappa);
  const agreed = length - prompt.length;
  return {
    quorum: agreed > 0,
    text: agreed > 0 ? decodeAscii(context.subarray(prompt.length, length)) : null,
    agreeingWeight: agreed > 0 ? weakest : 0,
    totalWeight: total,
    // Vertices that backed more than half of the agreed tokens.
    agreeing: agreed > 0 ? vertices.filter((_, i) => backed[i]! * 2 > agreed).map((v) => v.vertex) : [],
    // Each vertex's own most likely token at every step, for inspection.
    answers: vertices.map(({ vertex, node }, i) => ({ vertex, kappa: node.kappa, text: decodeAscii(favourites[i]!) })),
  };
};

/** q(t): the probability of t at the point where the vertices giving at least that hold > 2/3 of the weight. */
function supportedDistribution(dists: readonly Float32Array[], weights: readonly number[], total: number): Float64Array {
  const vocab = dists[0]?.length ?? 0;
  const q = new Float64Array(vocab);
  const order = dists.map((_, i) => i);
  for (let t = 0; t < vocab; t++) {
    order.sort((a, b) => dists[b]![t]! - dists[a]![t]!);
    let w = 0;
    for (const i of order) {
      w += weights[i]!;
      if (w * 3 > total * 2 * (1 + QUORUM_EPSILON)) {
        q[t] = dists[i]![t]!;
        break;
      }
    }
  }
  return q;
}

function draw(q: Float64Array, mass: number, u: number): number {
  let left = u * mass;
  let last = 0;
  for (let t = 0; t < q.length; t++) {
    if (q[t]! <= 0) continue;
    last = t;
    left -= q[t]!;
    if (left < 0) return t;
  }
  return last;
}

/** xorshift32 seeded with FNV-1a of the query: deterministic across hosts. */
function seededRandom(seedText: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 0x01000193);
  let s = h >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

function argmax(p: Float32Array): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

function encodeAscii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 128 ? c : 63;
  }
  return out;
}

function decodeAscii(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
