import type { LlmNode } from '../llm/LlmNode.js';
import { KAPPA_NODE_RATE, KAPPA_TARGET } from '../llm/PlaceholderLlm.js';
import { weightedQuorum, type Consensus, type VertexAnswer } from './Consensus.js';
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

export const REPLICA_DEFAULT_TOKENS = 32;

/**
 * State-machine replication, as in BFT: every vertex casts its `replicaAnswer` (the same bytes on
 * every honest vertex), CENTRAL adds up the κ of byte-identical answers, and the answer holding
 * strictly more than 2/3 of the total κ is the consensus; otherwise there is none. Faulty
 * vertices holding less than 1/3 of the weight can therefore neither change the consensus nor
 * fake one. Votes are weighed with the κ each vertex had when it voted; then every vertex's κ
 * drifts once, as for one request. The default strategy.
 */
export const replicaQuorum: CollectiveStrategy = (vertices, query, maxTokens = REPLICA_DEFAULT_TOKENS) => {
  const answers: VertexAnswer[] = vertices.map(({ vertex, node }) => ({
    vertex,
    kappa: node.kappa,
    text: node.replicaAnswer(query, maxTokens),
  }));
  for (const { node } of vertices) node.kappa += KAPPA_NODE_RATE * (KAPPA_TARGET - node.kappa);
  return weightedQuorum(answers, (text) => text);
};

/**
 * Every vertex answers in full with its own `respond` (personality, κ temperature); answers are
 * grouped after trimming, lower-casing and collapsing whitespace, and a group above 2/3 of the κ
 * weight wins. Only models whose honest answers agree word for word (the placeholder) reach a
 * quorum this way; FemtoLLM vertices sample differently and almost never do.
 */
export const answerQuorum: CollectiveStrategy = (vertices, query, maxTokens) => {
  const answers: VertexAnswer[] = vertices.map(({ vertex, node }) => {
    const text = node.respond(query, maxTokens);
    return { vertex, kappa: node.kappa, text };
  });
  return weightedQuorum(answers);
};
