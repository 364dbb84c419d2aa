import { CoreError } from '../errors/CoreError.js';
import { MORTON_AXIS_MAX } from './Morton.js';

export interface Dims {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export type Axis = 'x' | 'y' | 'z';

/** Inclusive box; every bound is a cell coordinate. */
export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly z0: number;
  readonly x1: number;
  readonly y1: number;
  readonly z1: number;
}

export const MAX_AXIS = MORTON_AXIS_MAX + 1;

export function validateDims(dims: Dims): Dims {
  for (const axis of ['x', 'y', 'z'] as const) {
    const n = dims[axis];
    if (!Number.isInteger(n) || n < 1 || n > MAX_AXIS) {
      throw new CoreError('OUT_OF_RANGE', `dimension ${axis} must be an integer in [1, ${MAX_AXIS}], got ${String(n)}`);
    }
  }
  return { x: dims.x, y: dims.y, z: dims.z };
}

export function validateAxis(axis: string): Axis {
  if (axis !== 'x' && axis !== 'y' && axis !== 'z') {
    throw new CoreError('BAD_VALUE', `axis must be x, y or z, got ${String(axis)}`);
  }
  return axis;
}

export function checkCoordinate(dims: Dims, x: number, y: number, z: number): void {
  // One combined test keeps the hot path short; the slow path says which coordinate failed.
  // v >>> 0 === v holds exactly for integers in [0, 2^32): one test for type, sign and fraction.
  if ((x >>> 0) === x && (y >>> 0) === y && (z >>> 0) === z && x < dims.x && y < dims.y && z < dims.z) return;
  throw new CoreError(
    'OUT_OF_RANGE',
    `coordinate (${String(x)}, ${String(y)}, ${String(z)}) outside ${dims.x}×${dims.y}×${dims.z}`,
  );
}

export function validateBox(dims: Dims, box: Box): Box {
  checkCoordinate(dims, box.x0, box.y0, box.z0);
  checkCoordinate(dims, box.x1, box.y1, box.z1);
  if (box.x0 > box.x1 || box.y0 > box.y1 || box.z0 > box.z1) {
    throw new CoreError('BAD_VALUE', 'box lower corner must not exceed its upper corner');
  }
  return { x0: box.x0, y0: box.y0, z0: box.z0, x1: box.x1, y1: box.y1, z1: box.z1 };
}

export function boxVolume(box: Box): number {
  return (box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1) * (box.z1 - box.z0 + 1);
}

/** Whether a coordinate lies in the box (bounds included). */
export function boxContains(b: Box, c: { readonly x: number; readonly y: number; readonly z: number }): boolean {
  return c.x >= b.x0 && c.x <= b.x1 && c.y >= b.y0 && c.y <= b.y1 && c.z >= b.z0 && c.z <= b.z1;
}
