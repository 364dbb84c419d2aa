import { CoreError } from '../errors/CoreError.js';

/** Offsets (dx, dy, dz) flattened in triples. */
export type Offsets = Int8Array;

export type Adjacency = 6 | 26 | ReadonlyArray<readonly [number, number, number]>;

/** A custom adjacency may name at most this many offsets, each within ±MAX_CUSTOM_REACH per axis. */
export const MAX_CUSTOM_OFFSETS = 124;
export const MAX_CUSTOM_REACH = 2;

const FACE: Offsets = buildOffsets(1, (dx, dy, dz) => Math.abs(dx) + Math.abs(dy) + Math.abs(dz) === 1);
const FULL: Offsets = buildOffsets(1, (dx, dy, dz) => dx !== 0 || dy !== 0 || dz !== 0);

function buildOffsets(reach: number, keep: (dx: number, dy: number, dz: number) => boolean): Offsets {
  const out: number[] = [];
  for (let dz = -reach; dz <= reach; dz++) {
    for (let dy = -reach; dy <= reach; dy++) {
      for (let dx = -reach; dx <= reach; dx++) {
        if (keep(dx, dy, dz)) out.push(dx, dy, dz);
      }
    }
  }
  return Int8Array.from(out);
}

export function resolveAdjacency(adjacency: Adjacency): Offsets {
  if (adjacency === 6) return FACE;
  if (adjacency === 26) return FULL;
  if (!Array.isArray(adjacency)) {
    throw new CoreError('BAD_VALUE', 'adjacency must be 6, 26 or a list of [dx, dy, dz] offsets');
  }
  if (adjacency.length > MAX_CUSTOM_OFFSETS) {
    throw new CoreError('TOO_LARGE', `at most ${MAX_CUSTOM_OFFSETS} custom offsets`);
  }
  const out = new Int8Array(adjacency.length * 3);
  adjacency.forEach((offset, i) => {
    for (let a = 0; a < 3; a++) {
      const d = offset[a];
      if (d === undefined || !Number.isInteger(d) || Math.abs(d) > MAX_CUSTOM_REACH) {
        throw new CoreError('BAD_VALUE', `offset ${i} must be three integers within ±${MAX_CUSTOM_REACH}`);
      }
      out[i * 3 + a] = d;
    }
  });
  return out;
}
