import { EvgpuError } from './EvgpuError.js';
import { Tensor } from './Tensor.js';
import type { ParallelMatmul } from './ParallelMatmul.js';
import { DEFAULT_TENSOR_OP_LIMITS, TensorOpCode, type TensorOpLimits, checkInputShape, executeTensorOp, validateTensorOp } from './TensorOp.js';

/** A parsed TENSOR_OP request (docs/PROTOCOL.md); elements are already host-order floats. */
export interface TensorOpRequest {
  readonly op: number;
  readonly params: number[];
  readonly inputs: Tensor[];
}

const DTYPE_F32 = 0;

function badPayload(message: string): EvgpuError {
  return new EvgpuError('BAD_PAYLOAD', message);
}

/**
 * Parses a TENSOR_OP payload. All shapes are read and validated against `limits` first; element
 * buffers are allocated only for a request that passed, so an oversize request costs nothing.
 */
export function decodeTensorOpRequest(payload: Uint8Array, limits: TensorOpLimits = DEFAULT_TENSOR_OP_LIMITS): TensorOpRequest {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const need = (at: number, n: number): void => {
    if (at + n > payload.length) throw badPayload(`TENSOR_OP payload ends at ${payload.length}, needed ${at + n}`);
  };
  need(0, 4);
  const op = view.getUint8(0);
  const dtype = view.getUint8(1);
  const count = view.getUint8(2);
  const paramCount = view.getUint8(3);
  if (dtype !== DTYPE_F32) throw new EvgpuError('UNSUPPORTED', `dtype ${dtype} (only 0 = f32)`);
  if (count < 1 || count > 2) throw badPayload(`input count ${count} outside 1..2`);
  if (paramCount > 4) throw badPayload(`parameter count ${paramCount} outside 0..4`);
  let at = 4;
  need(at, 2 * paramCount);
  const params: number[] = [];
  for (let i = 0; i < paramCount; i++, at += 2) params.push(view.getUint16(at));
  const shapes: number[][] = [];
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    need(at, 1);
    const rank = view.getUint8(at++);
    if (rank < 1 || rank > 4) throw badPayload(`input rank ${rank} outside 1..4`);
    need(at, 2 * rank);
    const shape: number[] = [];
    for (let r = 0; r < rank; r++, at += 2) shape.push(view.getUint16(at));
    checkInputShape(shape, limits);
    shapes.push(shape);
    starts.push(at);
    const bytes = shape.reduce((p, d) => p * d, 1) * 4;
    need(at, bytes);
    at += bytes;
  }
  if (at !== payload.length) throw badPayload(`${payload.length - at} trailing bytes after the inputs`);
  validateTensorOp(op, shapes, params, limits);
  const inputs = shapes.map((shape, i) => {
    const t = Tensor.zeros(shape);
    const start = starts[i] as number;
    for (let e = 0; e < t.size; e++) t.data[e] = view.getFloat32(start + 4 * e);
    return t;
  });
  return { op, params, inputs };
}

/** Reply layout: `u8 dtype, u8 rank, rank × u16 dims, elements as f32` (big-endian). */
export function encodeTensorOpReply(t: Tensor): Uint8Array {
  if (t.rank > 255 || t.shape.some((d) => d > 0xffff)) throw new EvgpuError('TOO_LARGE', 'result shape does not fit the reply');
  const head = 2 + 2 * t.rank;
  const out = new Uint8Array(head + 4 * t.size);
  const view = new DataView(out.buffer);
  view.setUint8(0, DTYPE_F32);
  view.setUint8(1, t.rank);
  t.shape.forEach((d, i) => view.setUint16(2 + 2 * i, d));
  const d = t.dense();
  for (let e = 0; e < d.length; e++) view.setFloat32(head + 4 * e, d[e] as number);
  return out;
}

export function encodeTensorOpRequest(op: number, inputs: readonly Tensor[], params: readonly number[] = []): Uint8Array {
  const size = 4 + 2 * params.length + inputs.reduce((s, t) => s + 1 + 2 * t.rank + 4 * t.size, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint8(0, op);
  view.setUint8(1, DTYPE_F32);
  view.setUint8(2, inputs.length);
  view.setUint8(3, params.length);
  let at = 4;
  for (const p of params) { view.setUint16(at, p); at += 2; }
  for (const t of inputs) {
    view.setUint8(at++, t.rank);
    for (const d of t.shape) { view.setUint16(at, d); at += 2; }
    const d = t.dense();
    for (let e = 0; e < d.length; e++, at += 4) view.setFloat32(at, d[e] as number);
  }
  return out;
}

export function decodeTensorOpReply(payload: Uint8Array): Tensor {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload.length < 2) throw badPayload('TENSOR_OP reply too short');
  const rank = view.getUint8(1);
  const head = 2 + 2 * rank;
  if (payload.length < head) throw badPayload('TENSOR_OP reply too short');
  const shape: number[] = [];
  for (let r = 0; r < rank; r++) shape.push(view.getUint16(2 + 2 * r));
  const t = Tensor.zeros(shape);
  if (payload.length !== head + 4 * t.size) throw badPayload('TENSOR_OP reply length does not match its shape');
  for (let e = 0; e < t.size; e++) t.data[e] = view.getFloat32(head + 4 * e);
  return t;
}

/** Whole request → reply payload; the bridge's TENSOR_OP handler is this plus error mapping. */
export function handleTensorOpPayload(payload: Uint8Array, limits: TensorOpLimits = DEFAULT_TENSOR_OP_LIMITS): Uint8Array {
  const req = decodeTensorOpRequest(payload, limits);
  return encodeTensorOpReply(executeTensorOp(req.op, req.inputs, req.params, limits));
}

export interface AsyncTensorOpOptions {
  /** The pooled product, asked for only when a request needs it (so a pool can start lazily). */
  readonly parallel: () => ParallelMatmul;
  /** 2-D matmuls with at least this many multiply-adds go to `parallel`; the rest run inline. */
  readonly minMultiplyAdds: number;
  readonly limits?: TensorOpLimits;
}

/**
 * handleTensorOpPayload with large 2-D matmuls handed to a worker pool; everything else runs
 * on the calling thread. Validation (and refusal of oversize requests) comes first either way.
 */
export async function handleTensorOpPayloadAsync(payload: Uint8Array, options: AsyncTensorOpOptions): Promise<Uint8Array> {
  const limits = options.limits ?? DEFAULT_TENSOR_OP_LIMITS;
  const req = decodeTensorOpRequest(payload, limits);
  const [a, b] = req.inputs as [Tensor, Tensor | undefined];
  const large = req.op === TensorOpCode.matmul && b !== undefined && a.rank === 2 && b.rank === 2 && a.size * (b.shape[1] as number) >= options.minMultiplyAdds;
  if (!large) return encodeTensorOpReply(executeTensorOp(req.op, req.inputs, req.params, limits));
  return encodeTensorOpReply(await options.parallel().matmul(a, b));
}
