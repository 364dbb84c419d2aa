import { Random } from '../evgpu/Random.js';
import { decodeBase64 } from './base64.js';
import { BpeTokenizer } from './BpeTokenizer.js';
import type { Lexicon } from './Lexicon.js';
import { FemtoError } from './FemtoError.js';
import { type FemtoConfig, FEMTO_CONFIG, type FemtoParamName, femtoParamShapes } from './FemtoConfig.js';

function badWeights(message: string): FemtoError {
  return new FemtoError('BAD_WEIGHTS', message);
}

const BYTES = new BpeTokenizer();

/**
 * The shared base: one Float32Array per named parameter, row-major, and the tokenizer whose
 * vocabulary the embedding and the head are indexed by (bytes alone when it has no merges).
 */
export class FemtoWeights {
  private constructor(
    readonly config: FemtoConfig,
    readonly params: ReadonlyMap<FemtoParamName, Float32Array>,
    readonly tokenizer: BpeTokenizer,
    /** The training text's words, for the engine's word guard; null: no guard. */
    readonly lexicon: Lexicon | null = null,
  ) {
    if (tokenizer.vocabSize !== config.vocab) throw badWeights(`tokenizer has ${tokenizer.vocabSize} tokens, config.vocab is ${config.vocab}`);
  }

  /** The same parameters (shared, not copied) with `lexicon` for the word guard. */
  withLexicon(lexicon: Lexicon | null): FemtoWeights {
    return new FemtoWeights(this.config, this.params, this.tokenizer, lexicon);
  }

  get(name: FemtoParamName): Float32Array {
    const p = this.params.get(name);
    if (!p) throw badWeights(`missing parameter ${name}`);
    return p;
  }

  get parameterCount(): number {
    let n = 0;
    for (const p of this.params.values()) n += p.length;
    return n;
  }

  /** GPT-2 style initialisation: small normal weights, unit layer-norm gains, zero biases. */
  static random(seed: number, config: FemtoConfig = FEMTO_CONFIG, tokenizer: BpeTokenizer = BYTES): FemtoWeights {
    const rng = new Random(seed);
    const params = new Map<FemtoParamName, Float32Array>();
    for (const [name, shape] of femtoParamShapes(config)) {
      const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
      if (name.startsWith('ln') && name.endsWith('g')) data.fill(1);
      else if (shape.length === 2) rng.fillNormal(data, name === 'wo' || name === 'w2' ? 0.02 / Math.SQRT2 : 0.02 * 5);
      params.set(name, data);
    }
    return new FemtoWeights(config, params, tokenizer);
  }

  /** Little-endian f32 of every parameter in `femtoParamShapes` order. */
  serialize(): Uint8Array {
    const out = new Uint8Array(this.parameterCount * 4);
    const view = new DataView(out.buffer);
    let at = 0;
    for (const [name] of femtoParamShapes(this.config)) {
      for (const v of this.get(name)) {
        view.setFloat32(at, v, true);
        at += 4;
      }
    }
    return out;
  }

  static deserialize(bytes: Uint8Array, config: FemtoConfig = FEMTO_CONFIG, tokenizer: BpeTokenizer = BYTES): FemtoWeights {
    const shapes = femtoParamShapes(config);
    const total = shapes.reduce((s, [, sh]) => s + sh.reduce((p, d) => p * d, 1), 0);
    if (bytes.length !== total * 4) throw badWeights(`weights are ${bytes.length} bytes, expected ${total * 4}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const params = new Map<FemtoParamName, Float32Array>();
    let at = 0;
    for (const [name, shape] of shapes) {
      const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
      for (let i = 0; i < data.length; i++, at += 4) data[i] = view.getFloat32(at, true);
      params.set(name, data);
    }
    return new FemtoWeights(config, params, tokenizer);
  }

  static fromBase64(text: string, config: FemtoConfig = FEMTO_CONFIG, tokenizer: BpeTokenizer = BYTES): FemtoWeights {
    return FemtoWeights.deserialize(decodeBase64(text), config, tokenizer);
  }

  static fromParams(params: ReadonlyMap<FemtoParamName, Float32Array>, config: FemtoConfig = FEMTO_CONFIG, tokenizer: BpeTokenizer = BYTES): FemtoWeights {
    for (const [name, shape] of femtoParamShapes(config)) {
      const p = params.get(name);
      if (!p || p.length !== shape.reduce((a, d) => a * d, 1)) throw badWeights(`parameter ${name} missing or misshapen`);
    }
    return new FemtoWeights(config, params, tokenizer);
  }
}
