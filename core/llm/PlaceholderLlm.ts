import { CoreError } from '../errors/CoreError.js';
import type { LlmFactory, LlmNode } from './LlmNode.js';

/** κ target of every node; each request moves κ 1% of the way there. */
export const KAPPA_TARGET = 0.6;
export const KAPPA_NODE_RATE = 0.01;
export const PLACEHOLDER_VOCAB = 256;
export const MAX_RESPONSE_TOKENS = 256;

/**
 * A deterministic stand-in for FemtoLLM behind the same LlmNode interface. Its answer depends
 * on the prompt only, never on where it lives, so honest vertices of a cube agree (which is what
 * the consensus tests need); tokens are characters.
 */
export class PlaceholderLlm implements LlmNode {
  readonly id: string;
  kappa: number;

  constructor(x: number, y: number, z: number, kappa = KAPPA_TARGET) {
    if (!Number.isFinite(kappa) || kappa < 0 || kappa > 1) throw new CoreError('BAD_VALUE', 'κ must lie in [0, 1]');
    this.id = `llm:${x},${y},${z}`;
    this.kappa = kappa;
  }

  respond(prompt: string, maxTokens = 64): string {
    const text = this.replicaAnswer(prompt, maxTokens);
    this.kappa += KAPPA_NODE_RATE * (KAPPA_TARGET - this.kappa);
    return text;
  }

  /** The placeholder's answer never depends on where it lives or on κ: it is its own replica answer. */
  replicaAnswer(prompt: string, maxTokens: number): string {
    if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_RESPONSE_TOKENS) {
      throw new CoreError('OUT_OF_RANGE', `maxTokens must be an integer in [1, ${MAX_RESPONSE_TOKENS}]`);
    }
    const words = prompt.trim().split(/\s+/).filter((w) => w.length > 0);
    const text = `ack ${fnv1a(prompt).toString(16).padStart(8, '0')}: ${words.slice(0, 8).join(' ')}`;
    return Array.from(text).slice(0, maxTokens).join('');
  }

  nextTokenProbabilities(context: Uint8Array): Float32Array {
    return placeholderDistribution(context);
  }

  /**
   * Σ weightᵢ · nextTokenProbabilitiesᵢ(context) when every node is a PlaceholderLlm, whose
   * distribution depends on the context alone: computed once instead of once per node, then
   * summed node by node into float32 exactly as the generic loop in ensemble.ts does (same order,
   * same rounding), so the bits are the same. null when a node is of another kind.
   */
  static mixture(nodes: readonly LlmNode[], weights: readonly number[], context: Uint8Array): Float32Array | null {
    for (const n of nodes) if (!(n instanceof PlaceholderLlm)) return null;
    const p = placeholderDistribution(context);
    const out = new Float32Array(PLACEHOLDER_VOCAB);
    const count = nodes.length;
    for (let j = 0; j < PLACEHOLDER_VOCAB; j++) {
      const pj = p[j]!;
      let acc = 0;
      for (let i = 0; i < count; i++) acc = Math.fround(acc + weights[i]! * pj);
      out[j] = acc;
    }
    return out;
  }

  /**
   * The placeholder is deterministic: its own answer has probability 1, and from the first
   * character that leaves it on, each character has probability 1/256. So its answers are never
   * surprising to it, and in a choice vote every honest placeholder votes alike.
   */
  logProbability(prompt: string, continuation: string): number {
    const answer = this.replicaAnswer(prompt, MAX_RESPONSE_TOKENS);
    let matched = 0;
    while (matched < continuation.length && continuation[matched] === answer[matched]) matched++;
    return (continuation.length - matched) * -Math.log(PLACEHOLDER_VOCAB);
  }
}

export class PlaceholderLlmFactory implements LlmFactory {
  constructor(private readonly initialKappa = KAPPA_TARGET) {}

  create(x: number, y: number, z: number): LlmNode {
    return new PlaceholderLlm(x, y, z, this.initialKappa);
  }
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The placeholder's next-token distribution: a fixed function of the context's bytes. */
function placeholderDistribution(context: Uint8Array): Float32Array {
  const out = new Float32Array(PLACEHOLDER_VOCAB);
  const sum = placeholderCounts(context, out);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}

/**
 * The unnormalised weights (integers 1..256) behind the placeholder's distribution, written into
 * `out` (PLACEHOLDER_VOCAB entries); returns their sum. Entry j of the distribution is
 * Math.fround(out[j] / sum). The cube's ensemble fast path reads them without building arrays.
 */
export function placeholderCounts(context: Uint8Array, out: Float32Array | Float64Array): number {
  let h = fnv1aBytes(context);
  let sum = 0;
  for (let i = 0; i < PLACEHOLDER_VOCAB; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    const w = 1 + (h & 0xff);
    out[i] = w;
    sum += w;
  }
  return sum;
}

function fnv1aBytes(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}
