import { BASE_WEIGHTS_BASE64, BASE_WEIGHTS_REPORT } from './weights/baseWeights.js';
import { FemtoWeights } from './FemtoWeights.js';

let cached: FemtoWeights | null = null;

/** The committed, trained base weights (decoded once per process). */
export function baseWeights(): FemtoWeights {
  cached ??= FemtoWeights.fromBase64(BASE_WEIGHTS_BASE64);
  return cached;
}

/** How the committed weights were trained and how well they do on held-out text. */
export const baseWeightsReport = BASE_WEIGHTS_REPORT;
