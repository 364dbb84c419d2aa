/**
 * One language-model node of the Konomi core: the FemtoLLM living at a coordinate or at a
 * cube vertex. The cube and the orchestrator depend only on this interface, so the model
 * behind it (a deterministic placeholder or the real FemtoLLM) can change without them changing.
 */
export interface LlmNode {
  /** Stable identity derived from where the node lives, e.g. `llm:1,2,3`. */
  readonly id: string;
  /** κ in [0, 1]; it sets the sampling temperature and drifts toward 0.6 on each request. */
  kappa: number;
  /**
   * Answer a prompt with at most `maxTokens` tokens. Moves κ 1% of the way to 0.6.
   * Deterministic: the same prompt on the same state gives the same text.
   */
  respond(prompt: string, maxTokens?: number): string;
  /**
   * The answer every honest replica of a cube gives for a collective query: deterministic and
   * independent of this node's personality and κ (FemtoLLM: greedy decoding of the shared base
   * model, no personality matrix). Does not move κ. A faulty node answers anything else.
   */
  replicaAnswer(prompt: string, maxTokens: number): string;
  /** The next-token probabilities after `context` (one entry per vocabulary token, summing to 1). */
  nextTokenProbabilities(context: Uint8Array): Float32Array;
  /**
   * ln P(continuation | prompt) under this node's own model (its own parameters, temperature 1):
   * how a vertex scores the choices of a collective vote and how surprising an answer is to the
   * node that gave it. Does not move κ. Optional: a node without it abstains from choice votes.
   */
  logProbability?(prompt: string, continuation: string): number;
}

/** Creates the node for a coordinate; untouched coordinates cost nothing until created. */
export interface LlmFactory {
  create(x: number, y: number, z: number): LlmNode;
}
