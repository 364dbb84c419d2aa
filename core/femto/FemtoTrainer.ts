import { Random } from '../evgpu/Random.js';
import { Adam } from '../evgpu/autodiff/Adam.js';
import { Tape } from '../evgpu/autodiff/Tape.js';
import { FemtoParams, femtoLoss } from './FemtoGraph.js';
import type { FemtoWeights } from './FemtoWeights.js';

export interface FemtoTrainOptions {
  readonly steps: number;
  readonly batch: number;
  /** Sequence length per example (at most the context size). */
  readonly seqLen: number;
  readonly lr: number;
  readonly seed: number;
  /** Linear warm-up steps before the cosine decay. */
  readonly warmup?: number;
}

/**
 * Trains the base weights in place on random windows of `text` (tokenized once with the
 * weights' tokenizer) with Adam; reproducible from the seed. `step()` runs one batch and
 * returns its loss in nats per token.
 */
export class FemtoTrainer {
  private readonly params: FemtoParams;
  private readonly adam: Adam;
  private readonly rng: Random;
  private readonly inputs: Int32Array;
  private readonly targets: Int32Array;
  private readonly prev: Int32Array;
  private readonly tokens: Int32Array;
  private readonly textBytes: number;
  private done = 0;

  constructor(
    readonly weights: FemtoWeights,
    text: Uint8Array,
    readonly options: FemtoTrainOptions,
  ) {
    if (options.seqLen > weights.config.context || options.seqLen < 2) throw new RangeError(`seqLen ${options.seqLen} outside 2..${weights.config.context}`);
    this.tokens = weights.tokenizer.encode(text);
    this.textBytes = text.length;
    if (this.tokens.length <= options.seqLen + 1) throw new RangeError('training text shorter than one window');
    this.params = new FemtoParams(weights);
    this.adam = new Adam(this.params.list(), { lr: options.lr, clipNorm: 1 });
    this.rng = new Random(options.seed);
    this.inputs = new Int32Array(options.batch * options.seqLen);
    this.targets = new Int32Array(options.batch * options.seqLen);
    this.prev = new Int32Array(options.batch * options.seqLen);
  }

  /** Average bytes per token of the training text (1 for the byte-level model). */
  get bytesPerToken(): number {
    return this.textBytes / this.tokens.length;
  }

  get stepsDone(): number {
    return this.done;
  }

  step(): number {
    const { batch, seqLen } = this.options;
    for (let b = 0; b < batch; b++) {
      const at = this.rng.int(this.tokens.length - seqLen - 1);
      for (let i = 0; i < seqLen; i++) {
        this.inputs[b * seqLen + i] = this.tokens[at + i] as number;
        this.targets[b * seqLen + i] = this.tokens[at + i + 1] as number;
        this.prev[b * seqLen + i] = at + i > 0 ? (this.tokens[at + i - 1] as number) : -1;
      }
    }
    const tape = new Tape();
    const loss = femtoLoss(tape, this.params, this.inputs, this.targets, batch, seqLen, this.prev);
    tape.backward(loss);
    this.adam.lr = this.learningRate(this.done);
    this.adam.step();
    this.done++;
    return loss.value.data[0] as number;
  }

  private learningRate(step: number): number {
    const { lr, steps } = this.options;
    const warmup = this.options.warmup ?? Math.min(100, Math.floor(steps / 10));
    if (step < warmup) return (lr * (step + 1)) / warmup;
    const progress = (step - warmup) / Math.max(1, steps - warmup);
    return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
  }
}
