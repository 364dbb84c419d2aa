import { Opcode } from '../../protocol/constants.js';
import { decodeBlockGetReply, encodeBlockGetRequest } from '../../protocol/payloads/blockGet.js';
import { decodeBlockSetReply, encodeBlockSetRequest } from '../../protocol/payloads/blockSet.js';
import { CUBE_VERTEX_NAMES, decodeCubeMsgReply, encodeCubeMsgRequest, vertexByName, vertexName } from '../../protocol/payloads/cubeMsg.js';
import { decodeHello, encodeHello, makeHello } from '../../protocol/payloads/hello.js';
import { decodeLlmQueryReply, encodeLlmQueryRequest } from '../../protocol/payloads/llmQuery.js';
import { decodeTensorOpReply, encodeTensorOpRequest } from '../../protocol/payloads/tensorOp.js';
import { TensorOpCode, isTensorOpCode } from '../../core/evgpu/TensorOp.js';
import { tensorOpByte } from '../dispatch/tensorOpWire.js';
import { toHex } from '../util/hex.js';
import { UsageError } from './parseArgs.js';

export { toHex };

export interface BuiltRequest {
  opcode: number;
  payload: Uint8Array;
}

/** Usage lines of `konomi send`, one per opcode. */
export const SEND_FORMS = [
  'ping [TEXT]',
  'hello [NAME] [--token T]',
  'block_get X Y Z',
  'block_set X Y Z VALUE',
  'llm_query X Y Z MAX_TOKENS PROMPT...',
  `cube_msg CUBE VERTEX TEXT...      (VERTEX: 0-8, ${CUBE_VERTEX_NAMES.join(', ')} or ALL)`,
  'tensor_op OP SHAPE VALUES [SHAPE VALUES] [--params P,Q]   (e.g. relu 2x2 1,-2,3,-4)',
  'raw OPCODE HEX',
];

/** Builds a request from `konomi send` arguments; mistakes are UsageErrors naming the argument. */
export function buildRequest(name: string, args: readonly string[], options: { token?: string; params?: string } = {}): BuiltRequest {
  const op = name.toLowerCase().replace(/-/g, '_');
  switch (op) {
    case 'ping':
      return { opcode: Opcode.PING, payload: new TextEncoder().encode(args.join(' ') || 'ping') };
    case 'hello':
      return {
        opcode: Opcode.HELLO,
        payload: encodeHello(makeHello({ name: args[0] ?? 'konomi-cli', token: new TextEncoder().encode(options.token ?? '') })),
      };
    case 'block_get':
      expectCount(op, args, 3);
      return { opcode: Opcode.BLOCK_GET, payload: encodeBlockGetRequest(coordinates(args)) };
    case 'block_set':
      expectCount(op, args, 4);
      return { opcode: Opcode.BLOCK_SET, payload: encodeBlockSetRequest({ ...coordinates(args), value: number('VALUE', args[3]) }) };
    case 'llm_query': {
      if (args.length < 5) throw new UsageError('llm_query needs X Y Z MAX_TOKENS PROMPT');
      const maxTokens = integer('MAX_TOKENS', args[3], 1, 256);
      return { opcode: Opcode.LLM_QUERY, payload: encodeLlmQueryRequest({ ...coordinates(args), maxTokens, prompt: args.slice(4).join(' ') }) };
    }
    case 'cube_msg': {
      if (args.length < 3) throw new UsageError('cube_msg needs CUBE VERTEX TEXT');
      return {
        opcode: Opcode.CUBE_MSG,
        payload: encodeCubeMsgRequest({ cube: integer('CUBE', args[0], 0, 0xffff), vertex: vertex(args[1]!), text: args.slice(2).join(' ') }),
      };
    }
    case 'tensor_op':
      return { opcode: Opcode.TENSOR_OP, payload: tensorRequest(args, options.params) };
    case 'raw': {
      expectCount(op, args, 2);
      return { opcode: integer('OPCODE', args[0], 0, 0x7e), payload: hexBytes(args[1]!) };
    }
    default:
      throw new UsageError(`unknown opcode "${name}"`);
  }
}

/** A JSON-friendly view of a reply payload. */
export function describeReply(opcode: number, payload: Uint8Array): Record<string, unknown> {
  switch (opcode) {
    case Opcode.PING:
      return { echo: new TextDecoder().decode(payload), bytes: payload.length };
    case Opcode.HELLO: {
      const h = decodeHello(payload);
      return { version: h.version, name: h.name, window: h.window, maxContent: h.maxContent, vertices: h.vertices };
    }
    case Opcode.BLOCK_GET: {
      const r = decodeBlockGetReply(payload);
      return { active: r.active, value: r.value, hash: toHex(r.hash) };
    }
    case Opcode.BLOCK_SET: {
      const r = decodeBlockSetReply(payload);
      return { index: Number(r.index), hash: toHex(r.hash) };
    }
    case Opcode.LLM_QUERY: {
      const r = decodeLlmQueryReply(payload);
      return { kappa: r.kappa, tokens: r.tokens, text: r.text };
    }
    case Opcode.CUBE_MSG: {
      const r = decodeCubeMsgReply(payload);
      return { vertex: vertexName(r.vertex) ?? r.vertex, kappa: r.kappa, text: r.text };
    }
    case Opcode.TENSOR_OP: {
      const r = decodeTensorOpReply(payload);
      return { shape: r.output.shape, data: [...r.output.data] };
    }
    default:
      return { payload: toHex(payload) };
  }
}

export function hexBytes(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new UsageError(`"${text}" is not hex bytes`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function expectCount(op: string, args: readonly string[], n: number): void {
  if (args.length !== n) throw new UsageError(`${op} takes ${n} arguments, got ${args.length}`);
}

function coordinates(args: readonly string[]): { x: number; y: number; z: number } {
  return { x: integer('X', args[0], 0, 0xffff), y: integer('Y', args[1], 0, 0xffff), z: integer('Z', args[2], 0, 0xffff) };
}

function integer(name: string, raw: string | undefined, min: number, max: number): number {
  const value = raw !== undefined && /^(0x[0-9a-f]+|\d+)$/i.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${name} must be an integer in ${min}..${max}, got "${raw ?? ''}"`);
  return value;
}

function number(name: string, raw: string | undefined): number {
  const value = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`${name} must be a number, got "${raw ?? ''}"`);
  return value;
}

function vertex(raw: string): number {
  const named = vertexByName(raw, { wholeCube: true });
  if (named !== undefined) return named;
  if (/^\d+$/.test(raw) && Number(raw) === 255) return 255;
  try {
    return integer('VERTEX', raw, 0, 8);
  } catch {
    throw new UsageError(`VERTEX must be 0..8, 255, or a name (${CUBE_VERTEX_NAMES.join(', ')}, ALL), got "${raw}"`);
  }
}

function tensorRequest(args: readonly string[], params: string | undefined): Uint8Array {
  const name = (args[0] ?? '').toLowerCase();
  if (!isTensorOpCode(name)) throw new UsageError(`tensor_op OP must be one of ${Object.values(TensorOpCode).join(', ')}`);
  const op = tensorOpByte(name);
  const rest = args.slice(1);
  if (rest.length === 0 || rest.length % 2 !== 0) throw new UsageError('tensor_op needs SHAPE VALUES pairs');
  const inputs = [];
  for (let i = 0; i < rest.length; i += 2) {
    const shape = rest[i]!.split('x').map((d) => integer('SHAPE', d, 1, 0xffff));
    const values = rest[i + 1]!.split(',').map((v) => number('VALUES', v));
    if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new UsageError(`shape ${rest[i]} needs ${shape.reduce((a, b) => a * b, 1)} values, got ${values.length}`);
    inputs.push({ shape, data: Float32Array.from(values) });
  }
  const p = params ? params.split(',').map((v) => integer('--params', v, 0, 0xffff)) : [];
  try {
    return encodeTensorOpRequest({ op, dtype: 0, params: p, inputs });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}
