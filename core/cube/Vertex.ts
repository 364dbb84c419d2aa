import { CUBE_VERTEX_NAMES, CubeVertex } from '../../protocol/vocabulary/CubeVertex.js';
import { CoreError } from '../errors/CoreError.js';

/**
 * The cube's nine vertices come from the shared vocabulary at the lowest floor (the wire numbers
 * CUBE_MSG the same way); the core never reads a payload module.
 */
export const Vertex = CubeVertex;

export type VertexId = (typeof Vertex)[keyof typeof Vertex];
export type VertexName = keyof typeof Vertex;

export const VERTEX_COUNT = 9;
export const VERTEX_NAMES: readonly VertexName[] = CUBE_VERTEX_NAMES;
export const CORNERS: readonly VertexId[] = [0, 1, 2, 3, 4, 5, 6, 7];

export function isVertexId(value: number): value is VertexId {
  return Number.isInteger(value) && value >= 0 && value < VERTEX_COUNT;
}

/** Accepts a wire number or a name ("NEU", case-insensitive); unknown vertices are NOT_FOUND. */
export function toVertex(value: number | string): VertexId {
  if (typeof value === 'number') {
    if (isVertexId(value)) return value;
  } else {
    const index = VERTEX_NAMES.indexOf(value.toUpperCase() as VertexName);
    if (index >= 0) return index as VertexId;
  }
  throw new CoreError('NOT_FOUND', `no vertex ${String(value)}`);
}

/**
 * Unit offsets of a vertex inside its cube: E/W on x, N/S on y, U/D on z; CENTRAL is (½, ½, ½).
 * Doubled to stay integral: corners at 0 or 2, CENTRAL at 1.
 */
export function vertexOffset(v: VertexId): readonly [number, number, number] {
  if (v === Vertex.CENTRAL) return [1, 1, 1];
  const name = VERTEX_NAMES[v]!;
  return [name[1] === 'E' ? 2 : 0, name[0] === 'N' ? 2 : 0, name[2] === 'U' ? 2 : 0];
}

/** Number of letters in which two corners differ: 1 = cube edge, 2 = face diagonal, 3 = body diagonal. */
export function cornerDistance(a: VertexId, b: VertexId): number {
  const na = VERTEX_NAMES[a]!;
  const nb = VERTEX_NAMES[b]!;
  let d = 0;
  for (let i = 0; i < 3; i++) if (na[i] !== nb[i]) d++;
  return d;
}
