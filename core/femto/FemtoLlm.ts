import type { LlmFactory, LlmLessonInfo, LlmNode, LlmTeaching } from '../llm/LlmNode.js';
import { Random, hashSeed } from '../evgpu/Random.js';
import { baseWeights } from './baseWeights.js';
import type { BpeTokenizer } from './BpeTokenizer.js';
import type { Lexicon } from './Lexicon.js';
import { FemtoEngine, type MixtureMember, type Personality } from './FemtoEngine.js';
import { FemtoError } from './FemtoError.js';
import type { FemtoWeights } from './FemtoWeights.js';
import { type FemtoLesson, LESSON_MATRIX, decodeLesson, encodeLesson } from './FemtoLesson.js';
import { FemtoTeacher } from './FemtoTeacher.js';
import { decodeText, encodeText } from './text.js';

export const KAPPA_TARGET = 0.6;
/** Each request moves κ this fraction of the way to KAPPA_TARGET. */
export const KAPPA_DRIFT = 0.01;
export const DEFAULT_MAX_TOKENS = 32;
export const MAX_TOKENS_LIMIT = 4096;
/** Largest entry of an instance's matrix P: small enough to flavour the base model, not drown it. */
export const PERSONALITY_SCALE = 0.08;
const MATRIX = 256;
const SLAB_SLOTS = 4096;

/** κ sets the sampling temperature: cool and repetitive near 0, adventurous near 1. */
export function temperatureFor(kappa: number): number {
  return 0.25 + kappa;
}

/** The temperature of replica answers: where every node's κ drifts to. */
export const REPLICA_TEMPERATURE = temperatureFor(KAPPA_TARGET);

export function driftKappa(kappa: number): number {
  return kappa + KAPPA_DRIFT * (KAPPA_TARGET - kappa);
}

/** One engine for many instances: the model's scratch buffers are shared, instances are data. */
export class FemtoShared {
  readonly engine: FemtoEngine;

  /**
   * The last replica answer. It depends on the request and the base alone, and a cube's nine
   * vertices ask for it in turn with the same request: the eight after the first read it here.
   */
  private lastReplica = { prompt: '', maxTokens: -1, version: -1, answer: '' };

  constructor(readonly weights: FemtoWeights) {
    this.engine = new FemtoEngine(weights);
  }

  /** See FemtoLlm.replicaAnswer. */
  replicaAnswer(prompt: string, maxTokens: number): string {
    const last = this.lastReplica;
    const version = this.engine.weightsVersion;
    if (last.prompt === prompt && last.maxTokens === maxTokens && last.version === version) return last.answer;
    // Sampled, not greedy (greedy text from so small a model loops on "the and the"), yet the
    // same bytes in every honest replica: shared base, no personality, the temperature every
    // κ settles to, and a generator seeded by the request alone.
    const rng = new Random(hashSeed('replica', prompt, maxTokens));
    const answer = decodeText(this.engine.generate(encodeText(prompt), maxTokens, REPLICA_TEMPERATURE, rng, null));
    this.lastReplica = { prompt, maxTokens, version, answer };
    return answer;
  }
}

/**
 * The FemtoLLM at one coordinate: the shared base plus its own 16×16 int8 matrix (in a slab
 * shared with up to 4095 neighbours) and κ. Costs ~300 bytes; the matrix is derived from the
 * coordinate, so re-creating an instance reproduces it exactly.
 */
export class FemtoLlm implements LlmNode {
  readonly id: string;
  kappa: number;
  /** The engine reads it afresh on each request; teaching replaces it (matrix in place, plus a bias). */
  private personality: Personality;
  private learned: FemtoLesson | null = null;

  constructor(
    private readonly shared: FemtoShared,
    readonly x: number,
    readonly y: number,
    readonly z: number,
    slab: Int8Array,
    slot: number,
  ) {
    this.id = `llm:${x},${y},${z}`;
    const rng = new Random(hashSeed('femto', x, y, z));
    const offset = slot * MATRIX;
    for (let i = 0; i < MATRIX; i++) slab[offset + i] = rng.int(255) - 127;
    this.kappa = 0.2 + 0.8 * rng.next();
    this.personality = { data: slab, offset, scale: PERSONALITY_SCALE / 127 };
  }

  /** The base's tokenizer: `nextTokenProbabilities` is indexed by its token ids. */
  get tokenizer(): BpeTokenizer {
    return this.shared.weights.tokenizer;
  }

  /** The base's lexicon (the word guard's words), if it has one. */
  get lexicon(): Lexicon | null {
    return this.shared.weights.lexicon;
  }

  /** The instance's own matrix P as floats (row-major 16×16). */
  matrix(): Float32Array {
    const { data, offset, scale } = this.personality;
    return Float32Array.from(data.subarray(offset, offset + MATRIX), (q) => q * scale);
  }

  /**
   * Starts teaching this instance's own parameters (its matrix P and an output bias) on `text`
   * with the tape and Adam (FemtoTeacher); the shared base is never written. `finish()` applies
   * the lesson; until then the instance answers as before.
   */
  teach(text: Uint8Array, seed: number): LlmTeaching {
    const teacher = new FemtoTeacher(this.shared.engine, text, this.personality, seed);
    return {
      bitsBefore: teacher.bitsBefore,
      step: () => teacher.step(),
      finish: () => {
        const lesson = teacher.finish();
        this.learn(lesson);
        return lessonInfo(lesson);
      },
    };
  }

  /** The lesson in its stored form (FemtoLesson.ts), or null if never taught. */
  lesson(): Uint8Array | null {
    return this.learned ? encodeLesson(this.learned) : null;
  }

  /** What the last teaching measured, or null if never taught. */
  get lessonInfo(): LlmLessonInfo | null {
    return this.learned ? lessonInfo(this.learned) : null;
  }

  restoreLesson(stored: Uint8Array): LlmLessonInfo {
    const lesson = decodeLesson(stored);
    this.learn(lesson);
    return lessonInfo(lesson);
  }

  /** Takes a lesson's parameters: P over the instance's slot of the slab, the bias beside it. */
  learn(lesson: FemtoLesson): void {
    const { data, offset } = this.personality;
    data.set(lesson.matrix.subarray(0, LESSON_MATRIX), offset);
    this.personality = { data, offset, scale: lesson.matrixScale, bias: lesson.bias, biasScale: lesson.biasScale };
    // The matrix lives in the slab only: the lesson refers to it instead of keeping a copy.
    this.learned = { ...lesson, matrix: data.subarray(offset, offset + LESSON_MATRIX) };
  }

  /** Bits per character of `text` under this instance (its own parameters, temperature 1). */
  bitsPerChar(text: Uint8Array): number {
    return this.shared.engine.bitsPerByte(text, this.personality);
  }

  respond(prompt: string, maxTokens = DEFAULT_MAX_TOKENS): string {
    checkMaxTokens(maxTokens);
    const seed = hashSeed(this.id, prompt, this.kappa, maxTokens);
    const out = this.shared.engine.generate(encodeText(prompt), maxTokens, temperatureFor(this.kappa), new Random(seed), this.personality);
    this.kappa = driftKappa(this.kappa);
    return decodeText(out);
  }

  /**
   * What every honest replica answers to a collective query: greedy decoding of the shared base
   * (no personality matrix, κ ignored), so it is the same bytes on every vertex. κ is unchanged.
   */
  replicaAnswer(prompt: string, maxTokens: number): string {
    checkMaxTokens(maxTokens);
    return this.shared.replicaAnswer(prompt, maxTokens);
  }

  /**
   * Greedy decoding with this instance's matrix: the most likely token each step, with the
   * engine's repetition guard (no token trigram twice), so it does not loop. κ is unchanged.
   */
  respondGreedy(prompt: string, maxTokens = DEFAULT_MAX_TOKENS): string {
    checkMaxTokens(maxTokens);
    return decodeText(this.shared.engine.greedy(encodeText(prompt), maxTokens, this.personality));
  }

  nextTokenProbabilities(context: Uint8Array): Float32Array {
    return this.shared.engine.distribution(context, temperatureFor(this.kappa), this.personality);
  }

  /**
   * ln P(continuation | prompt) under this instance (shared base and its own matrix) at
   * temperature 1, over the continuation's BPE tokens; a token the model never emits counts as e^-30.
   * κ is unchanged. Cube choice votes score with it (docs/CORE.md).
   */
  logProbability(prompt: string, continuation: string): number {
    // Token by token of the continuation's own BPE encoding, each after the bytes before it.
    // The contexts are prefixes of prompt + continuation: views of one buffer, not a copy each.
    const tail = encodeText(continuation);
    const ids = this.tokenizer.encode(tail);
    const head = encodeText(prompt);
    const text = new Uint8Array(head.length + tail.length);
    text.set(head);
    text.set(tail, head.length);
    let len = head.length;
    let sum = 0;
    for (const id of ids) {
      const p = this.shared.engine.probabilityOf(text.subarray(0, len), 1, this.personality, id);
      sum += Math.log(Math.max(p, 1e-13));
      len += this.tokenizer.bytesOf(id).length;
    }
    return sum;
  }

  /**
   * Σ weightᵢ · nextTokenProbabilitiesᵢ(context) when every node is a FemtoLlm of one factory
   * (the block then runs once for all of them); null otherwise, and the caller sums node by node.
   */
  static mixture(nodes: readonly LlmNode[], weights: readonly number[], context: Uint8Array): Float32Array | null {
    const e = FemtoLlm.ensemble(nodes, weights);
    return e ? e.engine.mixture(context, e.members) : null;
  }

  /**
   * The shared engine and each node's share of a mixture (its personality, temperature and
   * weight) when every node is a FemtoLlm of one factory; null otherwise. Valid while the nodes'
   * κ and lessons stay as they are.
   */
  static ensemble(nodes: readonly LlmNode[], weights: readonly number[]): { readonly engine: FemtoEngine; readonly members: readonly MixtureMember[] } | null {
    const first = nodes[0];
    if (!(first instanceof FemtoLlm)) return null;
    const members: MixtureMember[] = [];
    for (const [i, n] of nodes.entries()) {
      if (!(n instanceof FemtoLlm) || n.shared !== first.shared) return null;
      members.push({ personality: n.personality, temperature: temperatureFor(n.kappa), weight: weights[i] as number });
    }
    return { engine: first.shared.engine, members };
  }
}

function lessonInfo(l: FemtoLesson): LlmLessonInfo {
  return { steps: l.steps, textBytes: l.textBytes, bitsBefore: l.bitsBefore, bitsAfter: l.bitsAfter };
}

export function checkMaxTokens(maxTokens: number): void {
  if (!Number.isInteger(maxTokens) || maxTokens < 0 || maxTokens > MAX_TOKENS_LIMIT) {
    throw new FemtoError('OUT_OF_RANGE', `maxTokens ${maxTokens} outside 0..${MAX_TOKENS_LIMIT}`);
  }
}

/** Creates FemtoLLM instances for u16 coordinates; all instances of a factory share one base. */
export class FemtoLlmFactory implements LlmFactory {
  private readonly shared: FemtoShared;
  private slab = new Int8Array(SLAB_SLOTS * MATRIX);
  private slot = 0;

  /** Without weights, the committed trained base is used. */
  constructor(weights: FemtoWeights = baseWeights()) {
    this.shared = new FemtoShared(weights);
  }

  get weights(): FemtoWeights {
    return this.shared.weights;
  }

  create(x: number, y: number, z: number): FemtoLlm {
    for (const c of [x, y, z]) {
      if (!Number.isInteger(c) || c < 0 || c > 0xffff) throw new FemtoError('OUT_OF_RANGE', `coordinate ${c} outside 0..65535`);
    }
    if (this.slot === SLAB_SLOTS) {
      this.slab = new Int8Array(SLAB_SLOTS * MATRIX);
      this.slot = 0;
    }
    return new FemtoLlm(this.shared, x, y, z, this.slab, this.slot++);
  }
}
