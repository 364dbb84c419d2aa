import type { LlmNode } from '../llm/LlmNode.js';
import { Random, hashSeed } from '../evgpu/Random.js';
import { checkMaxTokens, DEFAULT_MAX_TOKENS, driftKappa, FemtoLlm } from './FemtoLlm.js';
import { FemtoError } from './FemtoError.js';
import { decodeText, encodeText } from './text.js';

/** Σ κᵢ·pᵢ / Σ κᵢ over the vertices' next-token distributions (plain mean if every κ is 0). */
export function ensembleNextTokenProbabilities(vertices: readonly LlmNode[], context: Uint8Array): Float32Array {
  if (vertices.length === 0) throw new FemtoError('OUT_OF_RANGE', 'an ensemble needs at least one vertex');
  let total = 0;
  for (const v of vertices) total += Math.max(0, v.kappa);
  const weights = vertices.map((v) => (total > 0 ? Math.max(0, v.kappa) / total : 1 / vertices.length));
  const shared = FemtoLlm.mixture(vertices, weights, context);
  if (shared !== null) return shared;
  let out: Float32Array | null = null;
  for (const [i, v] of vertices.entries()) {
    const w = weights[i] as number;
    const p = v.nextTokenProbabilities(context);
    out ??= new Float32Array(p.length);
    for (let j = 0; j < p.length; j++) out[j] = (out[j] as number) + w * (p[j] as number);
  }
  return out as Float32Array;
}

/**
 * CENTRAL's answer for a cube: each token is drawn from the κ-weighted average of the vertices'
 * distributions with a generator seeded from CENTRAL's identity, κ and the prompt (so the same
 * request on the same state gives the same text); then CENTRAL's κ drifts like any node's.
 */
export function ensembleRespond(central: LlmNode, vertices: readonly LlmNode[], prompt: string, maxTokens = DEFAULT_MAX_TOKENS): string {
  checkMaxTokens(maxTokens);
  const rng = new Random(hashSeed(central.id, prompt, central.kappa, maxTokens, ...vertices.flatMap((v) => [v.id, v.kappa])));
  const seed = encodeText(prompt);
  const context = new Uint8Array(seed.length + maxTokens);
  context.set(seed);
  let len = seed.length;
  for (let t = 0; t < maxTokens; t++) {
    const p = ensembleNextTokenProbabilities(vertices, context.subarray(0, len));
    context[len++] = draw(p, rng);
  }
  central.kappa = driftKappa(central.kappa);
  return decodeText(context.subarray(seed.length, len));
}

function draw(p: Float32Array, rng: Random): number {
  let u = rng.next();
  let last = 0;
  for (let j = 0; j < p.length; j++) {
    const pj = p[j] as number;
    if (pj <= 0) continue;
    last = j;
    u -= pj;
    if (u < 0) return j;
  }
  return last;
}
