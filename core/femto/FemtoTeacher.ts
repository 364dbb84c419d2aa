import { MAX_TEACH_TEXT } from '../../protocol/vocabulary/teach.js';
import { Random } from '../evgpu/Random.js';
import { Tensor } from '../evgpu/Tensor.js';
import { Adam } from '../evgpu/autodiff/Adam.js';
import { Tape } from '../evgpu/autodiff/Tape.js';
import { Var } from '../evgpu/autodiff/Var.js';
import type { FemtoEngine, Personality } from './FemtoEngine.js';
import { FemtoError } from './FemtoError.js';
import { type FemtoLesson, LESSON_BIAS, LESSON_MATRIX } from './FemtoLesson.js';

// The request limits are the vocabulary's (protocol/vocabulary/teach.ts: one owner for wire, core and REST).
export { DEFAULT_TEACH_STEPS, MAX_TEACH_STEPS } from '../../protocol/vocabulary/teach.js';
/** Longest text one teaching takes, in bytes (characters: the model reads ASCII). */
export const MAX_TEACH_BYTES = MAX_TEACH_TEXT;
/** Default time limit of one teaching (milliseconds of wall clock, so at most as much CPU). */
export const TEACH_BUDGET_MS = 2000;
/** Positions drawn per optimiser step (all of them when the text has fewer). */
export const TEACH_BATCH = 256;
/** Adam's learning rate: the problem is convex (see FemtoTeacher), so a large rate converges fast. */
export const TEACH_LR = 0.05;

export interface TeachProgress {
  readonly step: number;
  readonly steps: number;
  /** Cross-entropy of the step's positions, in bits per character. */
  readonly loss: number;
}

/**
 * Teaches one instance's own parameters on a text, with eVGPU's tape and Adam; the shared base
 * is never written. An instance's parameters act after the base's last layer norm
 * (logits = (h + h·P)·head + headb + bias), so the base's hidden states h of the text are
 * computed once (FemtoEngine.finalStates) and each step runs only the instance's part on the
 * tape: a convex problem (the logits are linear in P and the bias), which Adam solves in a few
 * hundred steps. Each step draws TEACH_BATCH positions with a generator seeded by `seed`, so
 * the same text, start and seed give the same lesson bit for bit.
 */
export class FemtoTeacher {
  private readonly matrix: Var;
  private readonly bias: Var;
  private readonly head: Var;
  private readonly headb: Var;
  private readonly hidden: Float32Array;
  private readonly targets: Int32Array;
  private readonly adam: Adam;
  private readonly rng: Random;
  private readonly batch: number;
  private readonly batchHidden: Float32Array;
  private readonly batchTargets: Int32Array;
  /** Tokens per byte of the text: converts nats per token to bits per character. */
  private readonly tokensPerByte: number;
  private done = 0;
  readonly bitsBefore: number;

  constructor(
    private readonly engine: FemtoEngine,
    private readonly text: Uint8Array,
    /** The instance as it is now: teaching starts from its matrix (and bias, if taught before). */
    private readonly start: Personality,
    seed: number,
    lr = TEACH_LR,
  ) {
    if (text.length < 2) throw new FemtoError('OUT_OF_RANGE', 'a text to teach needs at least 2 characters');
    if (text.length > MAX_TEACH_BYTES) throw new FemtoError('OUT_OF_RANGE', `a text to teach is at most ${MAX_TEACH_BYTES} bytes, got ${text.length}`);
    const { config } = engine.weights;
    if (config.hidden * config.hidden !== LESSON_MATRIX || config.vocab !== LESSON_BIAS) {
      throw new FemtoError('BAD_WEIGHTS', `teaching needs hidden 16 and a ${LESSON_BIAS}-token vocabulary`);
    }
    const states = engine.finalStates(text);
    if (states.targets.length === 0) throw new FemtoError('OUT_OF_RANGE', 'the text is a single token: nothing to learn from');
    this.hidden = states.hidden;
    this.targets = states.targets;
    this.tokensPerByte = engine.weights.tokenizer.encode(text).length / text.length;
    this.bitsBefore = engine.bitsPerByte(text, start);
    const d = config.hidden;
    const m = Float32Array.from(start.data.subarray(start.offset, start.offset + LESSON_MATRIX), (q) => q * start.scale);
    const b = start.bias ? Float32Array.from(start.bias, (q) => q * (start.biasScale ?? 0)) : new Float32Array(LESSON_BIAS);
    this.matrix = new Var(new Tensor(m, [d, d]), true);
    this.bias = new Var(new Tensor(b, [LESSON_BIAS]), true);
    this.head = new Var(new Tensor(engine.weights.get('head'), [d, config.vocab]), false);
    this.headb = new Var(new Tensor(engine.weights.get('headb'), [config.vocab]), false);
    this.adam = new Adam([this.matrix, this.bias], { lr });
    this.rng = new Random(seed);
    this.batch = Math.min(TEACH_BATCH, this.targets.length);
    this.batchHidden = new Float32Array(this.batch * d);
    this.batchTargets = new Int32Array(this.batch);
  }

  get stepsDone(): number {
    return this.done;
  }

  /** One Adam step on TEACH_BATCH positions drawn at random; returns their loss in bits per character. */
  step(): number {
    const d = this.engine.weights.config.hidden;
    const n = this.targets.length;
    for (let i = 0; i < this.batch; i++) {
      const r = this.batch === n ? i : this.rng.int(n);
      this.batchHidden.set(this.hidden.subarray(r * d, (r + 1) * d), i * d);
      this.batchTargets[i] = this.targets[r] as number;
    }
    const tape = new Tape();
    const h = tape.constant(new Tensor(this.batchHidden, [this.batch, d]));
    const hp = tape.add(h, tape.matmul(h, this.matrix));
    const logits = tape.add(tape.add(tape.matmul(hp, this.head), this.headb), this.bias);
    const loss = tape.crossEntropy(logits, this.batchTargets);
    tape.backward(loss);
    this.adam.step();
    this.done++;
    return ((loss.value.data[0] as number) * this.tokensPerByte) / Math.LN2;
  }

  /**
   * The lesson: P and the bias rounded to int8 with one scale each (the largest magnitude maps
   * to 127), and the text's bits per character under the rounded parameters.
   */
  finish(): FemtoLesson {
    const [matrix, matrixScale] = quantize(this.matrix.value.data);
    const [bias, biasScale] = quantize(this.bias.value.data);
    const after: Personality = { data: matrix, offset: 0, scale: matrixScale, bias, biasScale };
    return {
      matrix,
      matrixScale,
      bias,
      biasScale,
      steps: this.done,
      textBytes: this.text.length,
      bitsBefore: Math.fround(this.bitsBefore),
      bitsAfter: Math.fround(this.engine.bitsPerByte(this.text, after)),
    };
  }
}

/** Symmetric int8 rounding with one f32 scale. */
function quantize(values: Float32Array): [Int8Array, number] {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  const scale = Math.fround(max / 127);
  const q = new Int8Array(values.length);
  if (scale > 0) for (let i = 0; i < values.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round((values[i] as number) / scale)));
  return [q, scale];
}
