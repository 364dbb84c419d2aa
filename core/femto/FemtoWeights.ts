import { Random } from '../evgpu/Random.js';
import { decodeBase64 } from './base64.js';
import { FemtoError } from './FemtoError.js';
import { type FemtoConfig, FEMTO_CONFIG, type FemtoParamName, femtoParamShapes } from './FemtoConfig.js';

function badWeights(message: string): FemtoError {
  return new FemtoError('BAD_WEIGHTS', message);
}

/** The shared base weights: one Float32Array per named parameter, row-major. */
export class FemtoWeights {
  private constructor(
    readonly config: FemtoConfig,
    readonly params: ReadonlyMap<FemtoParamName, Float32Array>,
  ) {}

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
  static random(seed: number, config: FemtoConfig = FEMTO_CONFIG): FemtoWeights {
    const rng = new Random(seed);
    const params = new Map<FemtoParamName, Float32Array>();
    for (const [name, shape] of femtoParamShapes(config)) {
      const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
      if (name.startsWith('ln') && name.endsWith('g')) data.fill(1);
      else if (shape.length === 2) rng.fillNormal(data, name === 'wo' || name === 'w2' ? 0.02 / Math.SQRT2 : 0.02 * 5);
      params.set(name, data);
    }
    return new FemtoWeights(config, params);
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

  static deserialize(bytes: Uint8Array, config: FemtoConfig = FEMTO_CONFIG): FemtoWeights {
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
    return new FemtoWeights(config, params);
  }

  static fromBase64(text: string, config: FemtoConfig = FEMTO_CONFIG): FemtoWeights {
    return FemtoWeights.deserialize(decodeBase64(text), config);
  }

  static fromParams(params: ReadonlyMap<FemtoParamName, Float32Array>, config: FemtoConfig = FEMTO_CONFIG): FemtoWeights {
    for (const [name, shape] of femtoParamShapes(config)) {
      const p = params.get(name);
      if (!p || p.length !== shape.reduce((a, d) => a * d, 1)) throw badWeights(`parameter ${name} missing or misshapen`);
    }
    return new FemtoWeights(config, params);
  }
}
