import type { LlmNode } from '../llm/LlmNode.js';
import { PLACEHOLDER_VOCAB, PlaceholderLlm, placeholderCounts } from '../llm/PlaceholderLlm.js';
import { Random, hashSeed } from '../evgpu/Random.js';
import { checkMaxTokens, DEFAULT_MAX_TOKENS, driftKappa, FemtoLlm } from './FemtoLlm.js';
import { FemtoError } from './FemtoError.js';
import { BpeTokenizer } from './BpeTokenizer.js';
import { REJECT, WordGuard } from './WordGuard.js';
import { decodeText, encodeText } from './text.js';

/** Σ κᵢ·pᵢ / Σ κᵢ over the vertices' next-token distributions (plain mean if every κ is 0). */
export function ensembleNextTokenProbabilities(vertices: readonly LlmNode[], context: Uint8Array): Float32Array {
  if (vertices.length === 0) throw new FemtoError('OUT_OF_RANGE', 'an ensemble needs at least one vertex');
  const weights = ensembleWeights(vertices);
  const shared = FemtoLlm.mixture(vertices, weights, context) ?? PlaceholderLlm.mixture(vertices, weights, context);
  if (shared !== null) return shared;
  let out: Float32Array | null = null;
  for (let i = 0; i < vertices.length; i++) {
    const v = vertices[i] as LlmNode;
    const w = weights[i] as number;
    const p = v.nextTokenProbabilities(context);
    out ??= new Float32Array(p.length);
    for (let j = 0; j < p.length; j++) out[j] = (out[j] as number) + w * (p[j] as number);
  }
  return out as Float32Array;
}

/** κᵢ / Σ κ (negative κ read as 0), or 1/n each when every κ is 0. */
function ensembleWeights(vertices: readonly LlmNode[]): number[] {
  let total = 0;
  for (const v of vertices) total += Math.max(0, v.kappa);
  return vertices.map((v) => (total > 0 ? Math.max(0, v.kappa) / total : 1 / vertices.length));
}

/**
 * The bytes of each token of the vertices' distributions: the shared tokenizer when a vertex is
 * a FemtoLlm (wrapped FemtoLLMs share its vocabulary), else the distributions are over bytes.
 */
function femtoOf(vertices: readonly LlmNode[]): FemtoLlm | null {
  for (const v of vertices) if (v instanceof FemtoLlm) return v;
  return null;
}

const BYTES = new BpeTokenizer();

/**
 * CENTRAL's answer for a cube: each token is drawn from the κ-weighted average of the vertices'
 * distributions with a generator seeded from CENTRAL's identity, κ and the prompt (so the same
 * request on the same state gives the same text); then CENTRAL's κ drifts like any node's.
 * A prompt that ends in a space is healed as in FemtoEngine.generate: read without the space,
 * the first token must start with one, and the answer does not repeat it. With FemtoLLM
 * vertices whose base has a lexicon, the same word guard as theirs keeps words words.
 */
export function ensembleRespond(central: LlmNode, vertices: readonly LlmNode[], prompt: string, maxTokens = DEFAULT_MAX_TOKENS): string {
  checkMaxTokens(maxTokens);
  const rng = new Random(hashSeed(central.id, prompt, central.kappa, maxTokens, ...vertices.flatMap((v) => [v.id, v.kappa])));
  const femto = femtoOf(vertices);
  const tokenizer = femto?.tokenizer ?? BYTES;
  const lexicon = femto?.lexicon ?? null;
  const guard = lexicon ? new WordGuard(lexicon) : null;
  let state = guard ? guard.start(encodeText(prompt)) : 0;
  const heal = tokenizer.merges.length > 0 && prompt.endsWith(' ');
  const seed = encodeText(heal ? prompt.slice(0, -1) : prompt);
  let context = new Uint8Array(seed.length + maxTokens * 8);
  context.set(seed);
  let len = seed.length;
  const placeholders = vertices.length > 0 && vertices.every((v) => v instanceof PlaceholderLlm) ? ensembleWeights(vertices) : null;
  // FemtoLLM corners of one base: each token is drawn straight from the engine's columns.
  const femtos = femto ? FemtoLlm.ensemble(vertices, ensembleWeights(vertices)) : null;
  /** Appends a drawn piece to the context, doubling it when full. */
  const append = (piece: Uint8Array): void => {
    if (len + piece.length > context.length) {
      const grown = new Uint8Array(2 * (len + piece.length));
      grown.set(context.subarray(0, len));
      context = grown;
    }
    context.set(piece, len);
    len += piece.length;
  };
  for (let t = 0; t < maxTokens; t++) {
    if (placeholders) {
      // Placeholder corners (no word guard, no healing: byte tokens): the same draw without arrays.
      const piece = BYTES.bytesOf(drawPlaceholderMixture(placeholders, context.subarray(0, len), rng));
      append(piece);
      continue;
    }
    const first = t === 0 && heal;
    let id: number;
    if (femtos) {
      id = femtos.engine.drawMixture(context.subarray(0, len), femtos.members, rng, guard ? state : null, first);
    } else {
      const p = ensembleNextTokenProbabilities(vertices, context.subarray(0, len));
      if (p.length !== tokenizer.vocabSize) throw new FemtoError('OUT_OF_RANGE', `a distribution of ${p.length} entries for a vocabulary of ${tokenizer.vocabSize}`);
      const allowed =
        guard || first
          ? (j: number) => (!first || tokenizer.bytesOf(j)[0] === 32) && (!guard || guard.advance(state, tokenizer.bytesOf(j)) !== REJECT)
          : null;
      id = draw(p, rng, allowed);
    }
    const piece = tokenizer.bytesOf(id);
    if (guard) {
      const next = guard.advance(state, piece);
      state = next === REJECT ? 0 : next;
    }
    append(piece);
  }
  central.kappa = driftKappa(central.kappa);
  return decodeText(context.subarray(seed.length + (heal && maxTokens > 0 ? 1 : 0), len));
}

const COUNTS = new Float64Array(PLACEHOLDER_VOCAB);

/**
 * draw(ensembleNextTokenProbabilities(placeholder corners), rng, null), bit for bit, without
 * building the distributions: the placeholders all share one distribution (it depends on the
 * context alone), and entry j of the mixture is computed only when the walk reaches it, with the
 * same float32 roundings in the same order as PlaceholderLlm.mixture. Issue 16: this walk was
 * most of a cube operation's time with the placeholder.
 */
function drawPlaceholderMixture(weights: readonly number[], context: Uint8Array, rng: Random): number {
  const sum = placeholderCounts(context, COUNTS);
  const n = weights.length;
  let u = rng.next() * 1;
  let last = -1;
  for (let j = 0; j < PLACEHOLDER_VOCAB; j++) {
    const pj = Math.fround((COUNTS[j] as number) / sum);
    let acc = 0;
    for (let i = 0; i < n; i++) acc = Math.fround(acc + (weights[i] as number) * pj);
    if (acc <= 0) continue;
    last = j;
    u -= acc;
    if (u < 0) return j;
  }
  return last < 0 ? 32 : last;
}

/** Draws an index from `p`, restricted to the indices `allowed` accepts (renormalised). */
function draw(p: Float32Array, rng: Random, allowed: ((j: number) => boolean) | null): number {
  return drawAt(p, rng.next(), allowed);
}

/** `draw` for a given uniform r in [0, 1): the exact walk the quick draws must agree with. */
export function drawAt(p: Float32Array, r: number, allowed: ((j: number) => boolean) | null): number {
  let total = 1;
  if (allowed) {
    total = 0;
    for (let j = 0; j < p.length; j++) if ((p[j] as number) > 0 && allowed(j)) total += p[j] as number;
  }
  let u = r * total;
  let last = -1;
  for (let j = 0; j < p.length; j++) {
    const pj = p[j] as number;
    if (pj <= 0 || (allowed && !allowed(j))) continue;
    last = j;
    u -= pj;
    if (u < 0) return j;
  }
  return last < 0 ? 32 : last;
}
