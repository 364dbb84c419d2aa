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

  /**
   * Starts teaching this node's own parameters on `text` (the shared base stays frozen): the
   * caller runs `step()` as often as it likes, then `finish()` applies the lesson. Optional: a
   * node without it cannot learn (the placeholder).
   */
  teach?(text: Uint8Array, seed: number): LlmTeaching;
  /** The node's learned parameters in their stored form, or null if it was never taught. */
  lesson?(): Uint8Array | null;
  /** Applies a stored lesson (after a restart, or when the node is re-created). */
  restoreLesson?(stored: Uint8Array): LlmLessonInfo;
}

/** What a lesson says about itself (GET /value and the teach answers show it). */
export interface LlmLessonInfo {
  /** Optimiser steps of the last teaching. */
  readonly steps: number;
  readonly textBytes: number;
  /** Bits per character of the taught text before and after the last teaching. */
  readonly bitsBefore: number;
  readonly bitsAfter: number;
}

/** One teaching in progress (LlmNode.teach). */
export interface LlmTeaching {
  /** Bits per character of the text under the node as it was. */
  readonly bitsBefore: number;
  /** One optimiser step; its loss in bits per character. */
  step(): number;
  /** Applies what was learned to the node and says how it went. */
  finish(): LlmLessonInfo;
}

/** Creates the node for a coordinate; untouched coordinates cost nothing until created. */
export interface LlmFactory {
  create(x: number, y: number, z: number): LlmNode;
}
