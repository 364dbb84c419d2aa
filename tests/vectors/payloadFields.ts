/**
 * JSON form of payload fields used by tests/vectors/frames.json ("payloads"), shared by the
 * generator and the tests. Conventions: hashes/tokens/raw bytes as lowercase hex (`*_hex`),
 * u64 as a decimal string, f32/f64 as JSON numbers (exactly representable values only), text
 * as JSON strings.
 */
import { decodeAgentsReply, encodeAgentsReply, type AgentStatus } from '../../protocol/payloads/agents.js';
import { decodeLlmTeachReply, decodeLlmTeachRequest, encodeLlmTeachReply, encodeLlmTeachRequest } from '../../protocol/payloads/llmTeach.js';
import {
  Opcode,
  decodeBlockGetReply,
  decodeBlockGetRequest,
  decodeBlockSetReply,
  decodeBlockSetRequest,
  decodeCubeMsgReply,
  decodeCubeMsgRequest,
  decodeErrorPayload,
  decodeHello,
  decodeLlmQueryReply,
  decodeLlmQueryRequest,
  decodeTensorOpReply,
  decodeTensorOpRequest,
  decodeProgramReply,
  decodeProgramRequest,
  encodeBlockGetReply,
  encodeBlockGetRequest,
  encodeBlockSetReply,
  encodeBlockSetRequest,
  encodeCubeMsgReply,
  encodeCubeMsgRequest,
  encodeErrorPayload,
  encodeHello,
  encodeLlmQueryReply,
  encodeLlmQueryRequest,
  encodeTensorOpReply,
  encodeTensorOpRequest,
  encodeProgramReply,
  encodeProgramRequest,
  type ProgramEntry,
  type ProgramOperationValue,
  type ProgramReply,
  type ProgramRequest,
  type Tensor,
} from '../../protocol/index.js';

export type PayloadKind = 'request' | 'reply' | 'error';
export type Fields = Record<string, unknown>;

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const num = (f: Fields, k: string): number => f[k] as number;
const str = (f: Fields, k: string): string => f[k] as string;

interface TensorJson {
  shape: number[];
  data: number[];
}
const tensorFrom = (t: TensorJson): Tensor => ({ shape: t.shape, data: Float32Array.from(t.data) });
const tensorTo = (t: Tensor): TensorJson => ({ shape: t.shape, data: Array.from(t.data) });

export function encodeFromFields(opcode: number, kind: PayloadKind, f: Fields): Uint8Array {
  if (kind === 'error') return encodeErrorPayload({ code: num(f, 'code'), message: str(f, 'message') });
  const key = `${opcode}:${kind}`;
  switch (key) {
    case `${Opcode.HELLO}:request`:
    case `${Opcode.HELLO}:reply`:
    {
      // The trailing boot id is optional: vectors without it keep the version-1 layout.
      return encodeHello({
        version: num(f, 'version'),
        maxContent: num(f, 'max_content'),
        window: num(f, 'window'),
        name: str(f, 'name'),
        token: fromHex(str(f, 'token_hex')),
        vertices: f['vertices'] as { cube: number; vertex: number; channel: number }[],
        bootId: f['boot_id'] === undefined ? 0 : num(f, 'boot_id'),
      });
    }
    case `${Opcode.PING}:request`:
    case `${Opcode.PING}:reply`:
      return fromHex(str(f, 'data_hex'));
    case `${Opcode.BLOCK_GET}:request`:
      return encodeBlockGetRequest({ x: num(f, 'x'), y: num(f, 'y'), z: num(f, 'z') });
    case `${Opcode.BLOCK_GET}:reply`:
      return encodeBlockGetReply({ active: f['active'] as boolean, value: num(f, 'value'), hash: fromHex(str(f, 'hash_hex')) });
    case `${Opcode.BLOCK_SET}:request`:
      return encodeBlockSetRequest({ x: num(f, 'x'), y: num(f, 'y'), z: num(f, 'z'), value: num(f, 'value') });
    case `${Opcode.BLOCK_SET}:reply`:
      return encodeBlockSetReply({ index: BigInt(str(f, 'index')), hash: fromHex(str(f, 'hash_hex')) });
    case `${Opcode.LLM_QUERY}:request`:
      return encodeLlmQueryRequest({ x: num(f, 'x'), y: num(f, 'y'), z: num(f, 'z'), maxTokens: num(f, 'max_tokens'), prompt: str(f, 'prompt') });
    case `${Opcode.LLM_QUERY}:reply`:
      return encodeLlmQueryReply({ kappa: num(f, 'kappa'), tokens: num(f, 'tokens'), text: str(f, 'text') });
    case `${Opcode.LLM_TEACH}:request`:
      return encodeLlmTeachRequest({ x: num(f, 'x'), y: num(f, 'y'), z: num(f, 'z'), steps: num(f, 'steps'), text: str(f, 'text') });
    case `${Opcode.LLM_TEACH}:reply`:
      return encodeLlmTeachReply({ steps: num(f, 'steps'), bitsBefore: num(f, 'bits_before'), bitsAfter: num(f, 'bits_after') });
    case `${Opcode.CUBE_MSG}:request`:
      return encodeCubeMsgRequest({ cube: num(f, 'cube'), vertex: num(f, 'vertex'), text: str(f, 'text') });
    case `${Opcode.CUBE_MSG}:reply`:
      return encodeCubeMsgReply({ vertex: num(f, 'vertex'), kappa: num(f, 'kappa'), text: str(f, 'text') });
    case `${Opcode.TENSOR_OP}:request`:
      return encodeTensorOpRequest({
        op: num(f, 'op'),
        dtype: num(f, 'dtype'),
        params: f['params'] as number[],
        inputs: (f['inputs'] as TensorJson[]).map(tensorFrom),
      });
    case `${Opcode.TENSOR_OP}:reply`:
      return encodeTensorOpReply({ dtype: num(f, 'dtype'), output: tensorFrom(f['output'] as TensorJson) });
    case `${Opcode.PROGRAM}:request`:
      // Fields are exactly the record: { operation, name?, text? }.
      return encodeProgramRequest(f as unknown as ProgramRequest);
    case `${Opcode.PROGRAM}:reply`:
      return encodeProgramReply(f as unknown as ProgramReply);
    case `${Opcode.AGENTS}:request`:
      return new Uint8Array(0);
    case `${Opcode.AGENTS}:reply`:
      // Fields are the records: { agents: [{ id, name, state, hosts, statements, memoryBytes, lastLine }] }.
      return encodeAgentsReply(f['agents'] as AgentStatus[]);
    default:
      throw new Error(`no payload layout for ${key}`);
  }
}

/**
 * `known` carries what a reply does not repeat but its request said: the operation of a PROGRAM
 * reply (the vector's own fields).
 */
export function decodeToFields(opcode: number, kind: PayloadKind, payload: Uint8Array, known?: Fields): Fields {
  const request = known;
  if (kind === 'error') {
    const e = decodeErrorPayload(payload);
    return { code: e.code, message: e.message };
  }
  const key = `${opcode}:${kind}`;
  switch (key) {
    case `${Opcode.HELLO}:request`:
    case `${Opcode.HELLO}:reply`: {
      const h = decodeHello(payload);
      const fields: Fields = { version: h.version, max_content: h.maxContent, window: h.window, name: h.name, token_hex: toHex(h.token), vertices: h.vertices };
      return h.bootId === 0 ? fields : { ...fields, boot_id: h.bootId };
    }
    case `${Opcode.PING}:request`:
    case `${Opcode.PING}:reply`:
      return { data_hex: toHex(payload) };
    case `${Opcode.BLOCK_GET}:request`:
      return { ...decodeBlockGetRequest(payload) };
    case `${Opcode.BLOCK_GET}:reply`: {
      const r = decodeBlockGetReply(payload);
      return { active: r.active, value: r.value, hash_hex: toHex(r.hash) };
    }
    case `${Opcode.BLOCK_SET}:request`:
      return { ...decodeBlockSetRequest(payload) };
    case `${Opcode.BLOCK_SET}:reply`: {
      const r = decodeBlockSetReply(payload);
      return { index: r.index.toString(), hash_hex: toHex(r.hash) };
    }
    case `${Opcode.LLM_QUERY}:request`: {
      const r = decodeLlmQueryRequest(payload);
      return { x: r.x, y: r.y, z: r.z, max_tokens: r.maxTokens, prompt: r.prompt };
    }
    case `${Opcode.LLM_QUERY}:reply`:
      return { ...decodeLlmQueryReply(payload) };
    case `${Opcode.LLM_TEACH}:request`:
      return { ...decodeLlmTeachRequest(payload) };
    case `${Opcode.LLM_TEACH}:reply`: {
      const r = decodeLlmTeachReply(payload);
      return { steps: r.steps, bits_before: r.bitsBefore, bits_after: r.bitsAfter };
    }
    case `${Opcode.CUBE_MSG}:request`:
      return { ...decodeCubeMsgRequest(payload) };
    case `${Opcode.CUBE_MSG}:reply`:
      return { ...decodeCubeMsgReply(payload) };
    case `${Opcode.TENSOR_OP}:request`: {
      const r = decodeTensorOpRequest(payload);
      return { op: r.op, dtype: r.dtype, params: r.params, inputs: r.inputs.map(tensorTo) };
    }
    case `${Opcode.TENSOR_OP}:reply`: {
      const r = decodeTensorOpReply(payload);
      return { dtype: r.dtype, output: tensorTo(r.output) };
    }
    case `${Opcode.AGENTS}:request`:
      return {};
    case `${Opcode.AGENTS}:reply`:
      return { agents: decodeAgentsReply(payload) };
    case `${Opcode.PROGRAM}:request`:
      return { ...decodeProgramRequest(payload) };
    case `${Opcode.PROGRAM}:reply`: {
      // The reply does not repeat the operation: the vector names it.
      const r = decodeProgramReply(num(request ?? {}, 'operation') as ProgramOperationValue, payload);
      return 'programs' in r ? { operation: r.operation, programs: r.programs.map((p: ProgramEntry) => ({ ...p })) } : { ...r };
    }
    default:
      throw new Error(`no payload layout for ${key}`);
  }
}
