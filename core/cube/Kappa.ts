import { KAPPA_NODE_RATE, KAPPA_TARGET } from '../llm/PlaceholderLlm.js';

/** Per tick a cube's κ moves this far toward its neighbours' average... */
export const CUBE_NEIGHBOUR_RATE = 0.1;
/** ...and this far toward the target 0.6. */
export const CUBE_TARGET_RATE = 0.05;
/**
 * Per tick each vertex's κ (in the cube's record) moves this far toward its cube's new κ, and
 * CUBE_TARGET_RATE toward 0.6: the cube sets its vertices' κ, yet a vertex kicked by activity
 * keeps its own value for a few ticks, which is the spread the page draws.
 */
export const VERTEX_FOLLOW_RATE = 0.2;
/**
 * Spatial neighbours: cubes whose origins lie within this many grid units on every axis (a cube
 * spans 2 units, so this is the next cube along any axis or diagonal with up to one cube's gap).
 * Linked cubes are neighbours wherever they are.
 */
export const NEIGHBOUR_RADIUS = 4;

/** A vertex that voted against a reached quorum loses this much κ (weight and temperature). */
export const DISSENT_KICK = -0.05;
/** An answer above this many bits per character, measured by its own model, counts as high-entropy... */
export const HIGH_ENTROPY_BITS = 3.5;
/** ...and lowers the answering vertex's κ by this much per bit above it... */
export const ENTROPY_KICK_PER_BIT = -0.1;
/** ...at most this much per answer. */
export const MAX_ENTROPY_KICK = -0.05;
/** Kicks of a vertex move its cube's κ by this share (one of nine vertices). */
export const CUBE_SHARE_OF_VERTEX_KICK = 1 / 9;

/**
 * One tick of a cube's κ. Without neighbours only the pull toward 0.6 acts. When every cube
 * updates from the same old values, the largest distance to 0.6 shrinks by at least 5 % per
 * tick, so any start in [0, 1] is within 0.05 after 49 ticks (0.6 · 0.95^49 < 0.05).
 */
export function nextCubeKappa(kappa: number, neighbourAverage: number | null): number {
  const social = neighbourAverage === null ? 0 : CUBE_NEIGHBOUR_RATE * (neighbourAverage - kappa);
  return kappa + social + CUBE_TARGET_RATE * (KAPPA_TARGET - kappa);
}

/**
 * One tick of a vertex's κ toward its cube's κ and toward 0.6. Its distance to 0.6 after the
 * tick is at most 75 % of its own plus 20 % of its cube's, so the largest distance over cubes
 * and vertices together still shrinks by at least 5 % per tick.
 */
export function followCubeKappa(vertexKappa: number, cubeKappa: number): number {
  return vertexKappa + VERTEX_FOLLOW_RATE * (cubeKappa - vertexKappa) + CUBE_TARGET_RATE * (KAPPA_TARGET - vertexKappa);
}

/** One request's move of a vertex's κ in the cube's record: 1 % of the way to 0.6, as LlmNode.respond does. */
export function nextVertexKappa(kappa: number): number {
  return kappa + KAPPA_NODE_RATE * (KAPPA_TARGET - kappa);
}

/** The κ kick of an answer that its own model finds `bitsPerChar` surprising (0 at or below HIGH_ENTROPY_BITS). */
export function entropyKick(bitsPerChar: number): number {
  if (!(bitsPerChar > HIGH_ENTROPY_BITS)) return 0;
  return Math.max(MAX_ENTROPY_KICK, ENTROPY_KICK_PER_BIT * (bitsPerChar - HIGH_ENTROPY_BITS));
}

/** κ kept in [0, 1] after a move or a kick. */
export function clampKappa(kappa: number): number {
  return Math.min(1, Math.max(0, kappa));
}

/**
 * The κ a cube records for a model it has just created: the model's own κ bounded to [0, 1]
 * (NaN or a non-number: 0.6). After this the cube never reads a node's κ again.
 */
export function boundVertexKappa(kappa: unknown): number {
  if (typeof kappa !== 'number' || Number.isNaN(kappa)) return KAPPA_TARGET;
  return Math.min(1, Math.max(0, kappa));
}

/**
 * The teaching hook's kick (Konomi.taught): a vertex whose model has just been taught gains this
 * much κ — a little more weight and a warmer temperature — until the ticks pull it back.
 */
export const TEACH_KICK = 0.05;
