import type { LlmNode } from '../llm/LlmNode.js';
import { weightedQuorum, type Consensus, type VertexAnswer } from './Consensus.js';
import type { VertexId } from './Vertex.js';

export interface VertexNode {
  readonly vertex: VertexId;
  readonly node: LlmNode;
  /**
   * The vertex's κ from the cube's own record, in [0, 1]: what its vote is weighed by. Never
   * `node.kappa`, which a faulty node can set to anything.
   */
  readonly kappa: number;
  /**
   * The answer of whoever hosts the vertex outside the core (a BASIC agent in XP10), given to
   * the cube by the bridge; strategies use it instead of asking `node`.
   */
  readonly answer?: string;
}

/** A vertex answered from outside, or `null` when its host did not answer in time. */
export type HostedAnswers = ReadonlyMap<VertexId, string | null>;

/**
 * What a host that never answered votes: text no model writes and no other vertex shares, so it
 * joins no group and its weight counts against every answer (a faulty voter).
 */
export function silentVote(vertex: VertexId): string {
  return `\u0000no answer from vertex ${vertex}`;
}

/**
 * How a cube thinks collectively: the nine vertices are asked and CENTRAL integrates them into
 * one Consensus. Synchronous, so nothing outlives the call. The cube moves every vertex's κ once
 * afterwards (one request each); a strategy does not.
 */
export type CollectiveStrategy = (vertices: readonly VertexNode[], query: string, maxTokens: number | undefined) => Consensus;

export const REPLICA_DEFAULT_TOKENS = 32;

/**
 * State-machine replication, as in BFT: every vertex casts its `replicaAnswer` (the same bytes on
 * every honest vertex), CENTRAL adds up the vote weights of byte-identical answers (from the
 * cube's record of each vertex's κ, see voteWeight), and the answer holding strictly more than 2/3
 * of the total weight is the consensus; otherwise there is none. Up to two faulty vertices can
 * therefore neither change the consensus nor fake one, whatever κ they claim. The default strategy.
 */
export const replicaQuorum: CollectiveStrategy = (vertices, query, maxTokens = REPLICA_DEFAULT_TOKENS) => {
  const answers: VertexAnswer[] = vertices.map(({ vertex, node, kappa, answer }) => ({
    vertex,
    kappa,
    text: answer ?? node.replicaAnswer(query, maxTokens),
  }));
  return weightedQuorum(answers, (text) => text);
};

/**
 * Every vertex answers in full with its own `respond` (personality, κ temperature); answers are
 * grouped after trimming, lower-casing and collapsing whitespace, and a group above 2/3 of the
 * vote weight wins. Only models whose honest answers agree word for word (the placeholder) reach
 * a quorum this way; FemtoLLM vertices sample differently and almost never do.
 */
export const answerQuorum: CollectiveStrategy = (vertices, query, maxTokens) => {
  const answers: VertexAnswer[] = vertices.map(({ vertex, node, kappa, answer }) => ({ vertex, kappa, text: answer ?? node.respond(query, maxTokens) }));
  return weightedQuorum(answers);
};
