import { KAPPA_NODE_RATE, KAPPA_TARGET } from '../llm/PlaceholderLlm.js';

/** Per update a cube's κ moves this far toward its neighbours' average... */
export const CUBE_NEIGHBOUR_RATE = 0.1;
/** ...and this far toward the target 0.6. */
export const CUBE_TARGET_RATE = 0.05;

/**
 * One κ update of a cube. Without neighbours only the pull toward 0.6 acts. When every cube
 * updates from the same old values, the largest distance to 0.6 shrinks by at least 5% per
 * update, so any start in [0, 1] is within 0.05 after 49 updates (0.6 · 0.95^49 < 0.05).
 */
export function nextCubeKappa(kappa: number, neighbourAverage: number | null): number {
  const social = neighbourAverage === null ? 0 : CUBE_NEIGHBOUR_RATE * (neighbourAverage - kappa);
  return kappa + social + CUBE_TARGET_RATE * (KAPPA_TARGET - kappa);
}

/** One request's move of a vertex's κ in the cube's record: 1 % of the way to 0.6, as LlmNode.respond does. */
export function nextVertexKappa(kappa: number): number {
  return kappa + KAPPA_NODE_RATE * (KAPPA_TARGET - kappa);
}

/**
 * The κ a cube records for a model it has just created: the model's own κ bounded to [0, 1]
 * (NaN or a non-number: 0.6). After this the cube never reads a node's κ again.
 */
export function boundVertexKappa(kappa: unknown): number {
  if (typeof kappa !== 'number' || Number.isNaN(kappa)) return KAPPA_TARGET;
  return Math.min(1, Math.max(0, kappa));
}
