/**
 * The nine nodes of a cube and their numbers: N/S, E/W, U/D corners and CENTRAL. A vocabulary
 * both floors speak, so it lives at the lowest one and is no codec: the wire numbers CUBE_MSG's
 * vertex byte this way and writes these names in choice-vote replies (payloads/cubeMsg.ts,
 * payloads/cubeChoices.ts); the core numbers its vertices and reads their geometry from the
 * names (core/cube/Vertex.ts). Nothing here knows bytes.
 */
export const CubeVertex = {
  NEU: 0,
  NED: 1,
  NWU: 2,
  NWD: 3,
  SEU: 4,
  SED: 5,
  SWU: 6,
  SWD: 7,
  CENTRAL: 8,
} as const;

export type CubeVertexName = keyof typeof CubeVertex;
export type CubeVertexId = (typeof CubeVertex)[CubeVertexName];

/** NEU…CENTRAL by number, read from CubeVertex (the one table of names). */
export const CUBE_VERTEX_NAMES: readonly CubeVertexName[] = (Object.keys(CubeVertex) as CubeVertexName[]).sort(
  (a, b) => CubeVertex[a] - CubeVertex[b],
);
