import { ProtocolError } from '../ProtocolError.js';
import { encodeUtf8 } from '../utf8.js';
import { PayloadReader } from './PayloadReader.js';
import { PayloadWriter } from './PayloadWriter.js';
import { CUBE_VERTEX_NAMES, CubeVertex, type CubeVertexName } from '../vocabulary/CubeVertex.js';

export { CUBE_VERTEX_NAMES, CubeVertex, type CubeVertexName };

/** Vertex numbers on the wire: the cube's nine (vocabulary/CubeVertex.ts) and 0xFF. */
export const Vertex = {
  ...CubeVertex,
  /** The whole cube thinks collectively. */
  CUBE: 0xff,
} as const;

/** What people may call vertex 0xFF, the whole cube: `ALL` (the CLI's word) or `CUBE` (the table's). */
const WHOLE_CUBE_NAMES = ['ALL', 'CUBE'];

/**
 * The wire number a vertex name denotes, case-insensitive: NEU…SWD, CENTRAL, and ALL or CUBE
 * (0xFF) when `wholeCube` is allowed; undefined for anything else. Numbers are not names.
 */
export function vertexByName(name: string, options: { wholeCube?: boolean } = {}): number | undefined {
  const upper = name.toUpperCase();
  if (WHOLE_CUBE_NAMES.includes(upper)) return options.wholeCube ? Vertex.CUBE : undefined;
  return Object.hasOwn(CubeVertex, upper) ? CubeVertex[upper as CubeVertexName] : undefined;
}

/** The name of a wire vertex number (0xFF is ALL); undefined when the number is no vertex. */
export function vertexName(vertex: number): string | undefined {
  if (vertex === Vertex.CUBE) return 'ALL';
  return CUBE_VERTEX_NAMES[vertex];
}

export function isValidVertex(vertex: number): boolean {
  return (Number.isInteger(vertex) && vertex >= 0 && vertex <= 8) || vertex === Vertex.CUBE;
}

export interface CubeMsgRequest {
  cube: number;
  vertex: number;
  text: string;
}

export interface CubeMsgReply {
  /** The vertex that answered (never 0xFF). */
  vertex: number;
  kappa: number;
  text: string;
}

export function encodeCubeMsgRequest(request: CubeMsgRequest): Uint8Array {
  checkVertex(request.vertex);
  const text = encodeUtf8(request.text);
  return new PayloadWriter(3 + text.length).u16(request.cube, 'cube').u8(request.vertex, 'vertex').raw(text).done();
}

export function decodeCubeMsgRequest(payload: Uint8Array): CubeMsgRequest {
  const r = new PayloadReader(payload, 'CUBE_MSG request');
  const cube = r.u16();
  const vertex = r.u8();
  if (!isValidVertex(vertex)) r.fail(`vertex ${vertex} is not 0..8 or 255`);
  return { cube, vertex, text: r.restText() };
}

export function encodeCubeMsgReply(reply: CubeMsgReply): Uint8Array {
  checkVertex(reply.vertex);
  const text = encodeUtf8(reply.text);
  return new PayloadWriter(9 + text.length).u8(reply.vertex, 'vertex').f64(reply.kappa).raw(text).done();
}

export function decodeCubeMsgReply(payload: Uint8Array): CubeMsgReply {
  const r = new PayloadReader(payload, 'CUBE_MSG reply');
  const vertex = r.u8();
  if (!isValidVertex(vertex)) r.fail(`vertex ${vertex} is not 0..8 or 255`);
  return { vertex, kappa: r.f64(), text: r.restText() };
}

function checkVertex(vertex: number): void {
  if (!isValidVertex(vertex)) throw new ProtocolError('INVALID_ARGUMENT', `vertex ${vertex} is not 0..8 or 255`);
}
