import { ProtocolError } from '../ProtocolError.js';
import { PayloadReader } from './PayloadReader.js';
import { PayloadWriter } from './PayloadWriter.js';

export const TensorOperation = {
  MATMUL: 0x01,
  ADD: 0x02,
  MUL: 0x03,
  CONV2D: 0x04,
  MAXPOOL2D: 0x05,
  AVGPOOL2D: 0x06,
  RELU: 0x10,
  SIGMOID: 0x11,
  TANH: 0x12,
  GELU: 0x13,
  /** Over the last axis. */
  SOFTMAX: 0x14,
} as const;

export const DType = { F32: 0 } as const;

export const MAX_TENSOR_RANK = 4;
export const MAX_TENSOR_PARAMS = 4;

const arity = new Map<number, number>([
  [TensorOperation.MATMUL, 2],
  [TensorOperation.ADD, 2],
  [TensorOperation.MUL, 2],
  [TensorOperation.CONV2D, 2],
  [TensorOperation.MAXPOOL2D, 1],
  [TensorOperation.AVGPOOL2D, 1],
  [TensorOperation.RELU, 1],
  [TensorOperation.SIGMOID, 1],
  [TensorOperation.TANH, 1],
  [TensorOperation.GELU, 1],
  [TensorOperation.SOFTMAX, 1],
]);

/** Number of inputs an operation takes, or undefined for an unknown operation. */
export function tensorOperationArity(op: number): number | undefined {
  return arity.get(op);
}

/** Row-major f32 tensor; rank 1..4, every dimension 1..65535. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export interface TensorOpRequest {
  op: number;
  dtype: number;
  /** conv2d: (stride, padding); pools: (kernel, stride); others: none. u16 each, at most 4. */
  params: number[];
  inputs: Tensor[];
}

export interface TensorOpReply {
  dtype: number;
  output: Tensor;
}

export function encodeTensorOpRequest(request: TensorOpRequest): Uint8Array {
  const n = arity.get(request.op);
  if (n === undefined) throw new ProtocolError('UNSUPPORTED', `tensor operation 0x${request.op.toString(16)} is unknown`);
  if (request.inputs.length !== n) throw new ProtocolError('INVALID_ARGUMENT', `operation takes ${n} inputs, got ${request.inputs.length}`);
  if (request.params.length > MAX_TENSOR_PARAMS) throw new ProtocolError('INVALID_ARGUMENT', `at most ${MAX_TENSOR_PARAMS} parameters`);
  request.inputs.forEach(checkTensor);
  const size = 4 + 2 * request.params.length + request.inputs.reduce((sum, t) => sum + tensorSize(t), 0);
  const w = new PayloadWriter(size);
  w.u8(request.op, 'op').u8(request.dtype, 'dtype').u8(n, 'input count').u8(request.params.length, 'param count');
  for (const p of request.params) w.u16(p, 'param');
  for (const t of request.inputs) writeTensor(w, t);
  return w.done();
}

export interface TensorOpDecodeOptions {
  /**
   * Called with each input's shape as soon as it is read, before its elements are: the receiver's
   * own size limits (a TOO_LARGE throw) then refuse an oversize request before anything is copied.
   */
  checkShape?: (shape: readonly number[]) => void;
}

export function decodeTensorOpRequest(payload: Uint8Array, options: TensorOpDecodeOptions = {}): TensorOpRequest {
  const r = new PayloadReader(payload, 'TENSOR_OP request');
  const op = r.u8();
  const dtype = r.u8();
  const n = r.u8();
  const p = r.u8();
  const expected = arity.get(op);
  if (expected === undefined) throw new ProtocolError('UNSUPPORTED', `tensor operation 0x${op.toString(16)} is unknown`);
  checkDtype(dtype);
  if (n !== expected) r.fail(`operation 0x${op.toString(16)} takes ${expected} inputs, not ${n}`);
  if (p > MAX_TENSOR_PARAMS) r.fail(`${p} parameters (max ${MAX_TENSOR_PARAMS})`);
  const params: number[] = [];
  for (let i = 0; i < p; i++) params.push(r.u16());
  const inputs: Tensor[] = [];
  for (let i = 0; i < n; i++) inputs.push(readTensor(r, i === n - 1, options.checkShape));
  return { op, dtype, params, inputs };
}

export function encodeTensorOpReply(reply: TensorOpReply): Uint8Array {
  checkTensor(reply.output);
  const w = new PayloadWriter(1 + tensorSize(reply.output));
  w.u8(reply.dtype, 'dtype');
  writeTensor(w, reply.output);
  return w.done();
}

export function decodeTensorOpReply(payload: Uint8Array): TensorOpReply {
  const r = new PayloadReader(payload, 'TENSOR_OP reply');
  const dtype = r.u8();
  checkDtype(dtype);
  return { dtype, output: readTensor(r, true) };
}

/** Number of elements a shape holds. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkDtype(dtype: number): void {
  if (dtype !== DType.F32) throw new ProtocolError('UNSUPPORTED', `dtype ${dtype} is not supported (0 = f32)`);
}

function checkTensor(t: Tensor): void {
  if (t.shape.length < 1 || t.shape.length > MAX_TENSOR_RANK) {
    throw new ProtocolError('INVALID_ARGUMENT', `rank ${t.shape.length} outside 1..${MAX_TENSOR_RANK}`);
  }
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 1 || d > 0xffff) throw new ProtocolError('INVALID_ARGUMENT', `dimension ${d} outside 1..65535`);
  }
  if (elementCount(t.shape) !== t.data.length) {
    throw new ProtocolError('INVALID_ARGUMENT', `shape [${t.shape.join(',')}] needs ${elementCount(t.shape)} elements, data has ${t.data.length}`);
  }
}

function tensorSize(t: Tensor): number {
  return 1 + 2 * t.shape.length + 4 * t.data.length;
}

function writeTensor(w: PayloadWriter, t: Tensor): void {
  w.u8(t.shape.length, 'rank');
  for (const d of t.shape) w.u16(d, 'dimension');
  w.f32Array(t.data);
}

/** The last tensor of a payload must end it exactly. */
function readTensor(r: PayloadReader, last: boolean, checkShape?: (shape: readonly number[]) => void): Tensor {
  const rank = r.u8();
  if (rank < 1 || rank > MAX_TENSOR_RANK) r.fail(`rank ${rank} outside 1..${MAX_TENSOR_RANK}`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = r.u16();
    if (d === 0) r.fail('a dimension is 0');
    shape.push(d);
  }
  checkShape?.(shape);
  // Bounded before allocating: the count is checked against the bytes actually present.
  const count = elementCount(shape);
  if (count * 4 > r.remaining) r.fail(`shape [${shape.join(',')}] needs ${count * 4} bytes, ${r.remaining} left`);
  const data = r.f32Array(count);
  if (last) r.end();
  return { shape, data };
}
