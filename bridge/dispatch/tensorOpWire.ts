import { DType, TensorOperation, decodeTensorOpReply, decodeTensorOpRequest, encodeTensorOpReply, encodeTensorOpRequest } from '../../protocol/payloads/tensorOp.js';
import { EvgpuError } from '../../core/evgpu/EvgpuError.js';
import { Tensor } from '../../core/evgpu/Tensor.js';
import { DEFAULT_TENSOR_OP_LIMITS, TensorOpCode, type TensorOpCall, type TensorOpLimits, checkInputShape, executeTensorOp } from '../../core/evgpu/TensorOp.js';

/**
 * The one translation between a TENSOR_OP on the wire (protocol/payloads/tensorOp.ts: op bytes,
 * f32 element arrays) and the eVGPU's calls (core/evgpu/TensorOp.ts: operation names, Tensors).
 */

type WireOperation = keyof typeof TensorOperation;

/** Every wire operation names a core operation; the check below makes every core operation reachable. */
const CORE_OF_WIRE = {
  MATMUL: TensorOpCode.matmul,
  ADD: TensorOpCode.add,
  MUL: TensorOpCode.mul,
  CONV2D: TensorOpCode.conv2d,
  MAXPOOL2D: TensorOpCode.maxpool2d,
  AVGPOOL2D: TensorOpCode.avgpool2d,
  RELU: TensorOpCode.relu,
  SIGMOID: TensorOpCode.sigmoid,
  TANH: TensorOpCode.tanh,
  GELU: TensorOpCode.gelu,
  SOFTMAX: TensorOpCode.softmax,
} as const satisfies Record<WireOperation, TensorOpCode>;
/** Fails to compile when the core gains an operation the wire has no byte for. */
const everyCoreOpHasAByte: [Exclude<TensorOpCode, (typeof CORE_OF_WIRE)[WireOperation]>] extends [never] ? true : never = true;
void everyCoreOpHasAByte;

/** Every operation byte with the core operation it names (the translation, for tests and tools). */
export const TENSOR_OP_BYTES: ReadonlyArray<readonly [number, TensorOpCode]> = (Object.keys(CORE_OF_WIRE) as WireOperation[]).map(
  (name) => [TensorOperation[name], CORE_OF_WIRE[name]] as const,
);

const coreOfByte = new Map<number, TensorOpCode>(TENSOR_OP_BYTES);

const byteOfCore = new Map<TensorOpCode, number>([...coreOfByte].map(([byte, op]) => [op, byte]));

/**
 * Decodes a request; each shape is checked against `limits` as it is read, so a header claiming
 * a huge tensor is TOO_LARGE before any element is copied. The elements become Tensors without a copy.
 */
export function tensorOpFromWire(payload: Uint8Array, limits: TensorOpLimits = DEFAULT_TENSOR_OP_LIMITS): TensorOpCall {
  const request = decodeTensorOpRequest(payload, { checkShape: (shape) => checkInputShape(shape, limits) });
  const op = coreOfByte.get(request.op);
  // The codec refuses bytes it does not know; this guards a wire table ahead of the map above.
  if (op === undefined) throw new EvgpuError('UNSUPPORTED', `unknown tensor operation 0x${request.op.toString(16)}`);
  return { op, params: request.params, inputs: request.inputs.map((t) => new Tensor(t.data, t.shape)) };
}

/** A result as a reply payload (`u8 dtype`, then the tensor). */
export function tensorOpReplyToWire(result: Tensor): Uint8Array {
  return encodeTensorOpReply({ dtype: DType.F32, output: { shape: [...result.shape], data: result.dense() } });
}

/** The wire byte of an operation (the CLI's `tensor_op OP`). */
export function tensorOpByte(op: TensorOpCode): number {
  return byteOfCore.get(op) as number;
}

/** The client side, for tests and tools that speak in core terms: a request payload. */
export function tensorOpToWire(op: TensorOpCode, inputs: readonly Tensor[], params: readonly number[] = []): Uint8Array {
  return encodeTensorOpRequest({ op: tensorOpByte(op), dtype: DType.F32, params: [...params], inputs: inputs.map((t) => ({ shape: [...t.shape], data: t.dense() })) });
}

/** The client side: a reply payload's result as a Tensor. */
export function tensorOpReplyFromWire(payload: Uint8Array): Tensor {
  const { output } = decodeTensorOpReply(payload);
  return new Tensor(output.data, output.shape);
}

/** Whole request → reply payload on the calling thread: what the dispatcher does, minus the worker pool (a reference for tests). */
export function handleTensorOpPayload(payload: Uint8Array, limits: TensorOpLimits = DEFAULT_TENSOR_OP_LIMITS): Uint8Array {
  const req = tensorOpFromWire(payload, limits);
  return tensorOpReplyToWire(executeTensorOp(req.op, req.inputs, req.params, limits));
}
