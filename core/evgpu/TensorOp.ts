import { EvgpuError, badShape } from './EvgpuError.js';
import { broadcastShapes, formatShape } from './Shape.js';
import { Tensor } from './Tensor.js';
import { activate, softmax } from './kernels/activations.js';
import { conv2d, conv2dOutputShape, planConv2d } from './kernels/conv2d.js';
import { binary } from './kernels/elementwise.js';
import { matmul, planMatmul } from './kernels/matmul.js';
import { planPool2d, pool2d } from './kernels/pool2d.js';

/**
 * The operations the eVGPU runs for a TENSOR_OP, by name: the core's vocabulary. Their byte
 * codes are the wire's (protocol/payloads/tensorOp.ts); the bridge's dispatcher translates.
 */
export const TensorOpCode = {
  matmul: 'matmul',
  add: 'add',
  mul: 'mul',
  conv2d: 'conv2d',
  maxpool2d: 'maxpool2d',
  avgpool2d: 'avgpool2d',
  relu: 'relu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  gelu: 'gelu',
  softmax: 'softmax',
} as const;
export type TensorOpCode = (typeof TensorOpCode)[keyof typeof TensorOpCode];

/** One TENSOR_OP in the core's terms: what the bridge's dispatcher hands the eVGPU. */
export interface TensorOpCall {
  readonly op: TensorOpCode;
  /** conv2d: (stride, padding); pools: (kernel, stride); others: none. */
  readonly params: readonly number[];
  readonly inputs: readonly Tensor[];
}

export interface TensorOpLimits {
  /** Largest rank of any input (the wire allows 4). */
  readonly maxRank: number;
  /** Largest element count of one input. */
  readonly maxInputElements: number;
  /** Largest element count of the result; the default keeps the reply inside one 256-fragment message. */
  readonly maxOutputElements: number;
  /** Largest scratch buffer (conv2d's unfolded columns), in elements. */
  readonly maxWorkspaceElements: number;
  /** Largest number of multiply-adds one request may cost. */
  readonly maxMultiplyAdds: number;
}

export const DEFAULT_TENSOR_OP_LIMITS: TensorOpLimits = {
  maxRank: 4,
  maxInputElements: 1 << 18,
  maxOutputElements: 261_500,
  maxWorkspaceElements: 1 << 22,
  maxMultiplyAdds: 1 << 30,
};

export interface OpArity {
  readonly inputs: number;
  readonly minParams: number;
  readonly maxParams: number;
}

const ARITY: Record<TensorOpCode, OpArity> = {
  [TensorOpCode.matmul]: { inputs: 2, minParams: 0, maxParams: 0 },
  [TensorOpCode.add]: { inputs: 2, minParams: 0, maxParams: 0 },
  [TensorOpCode.mul]: { inputs: 2, minParams: 0, maxParams: 0 },
  [TensorOpCode.conv2d]: { inputs: 2, minParams: 0, maxParams: 2 },
  [TensorOpCode.maxpool2d]: { inputs: 1, minParams: 1, maxParams: 2 },
  [TensorOpCode.avgpool2d]: { inputs: 1, minParams: 1, maxParams: 2 },
  [TensorOpCode.relu]: { inputs: 1, minParams: 0, maxParams: 0 },
  [TensorOpCode.sigmoid]: { inputs: 1, minParams: 0, maxParams: 0 },
  [TensorOpCode.tanh]: { inputs: 1, minParams: 0, maxParams: 0 },
  [TensorOpCode.gelu]: { inputs: 1, minParams: 0, maxParams: 0 },
  [TensorOpCode.softmax]: { inputs: 1, minParams: 0, maxParams: 0 },
};

/** How many inputs and parameters an operation takes. */
export function tensorOpArity(op: TensorOpCode): OpArity {
  return ARITY[op];
}

export function isTensorOpCode(op: string): op is TensorOpCode {
  return Object.prototype.hasOwnProperty.call(ARITY, op);
}

function tooLarge(what: string, value: number, limit: number): EvgpuError {
  return new EvgpuError('TOO_LARGE', `${what} ${value} exceeds the limit ${limit}`);
}

/**
 * Checks a request from its shapes alone and returns the result's shape, so a caller can refuse
 * an oversize or malformed request before allocating anything for it.
 */
export function validateTensorOp(
  op: TensorOpCode,
  shapes: readonly (readonly number[])[],
  params: readonly number[],
  limits: TensorOpLimits = DEFAULT_TENSOR_OP_LIMITS,
): number[] {
  // A caller outside TypeScript (a test, a JSON body) can still pass any string.
  if (!isTensorOpCode(op)) throw new EvgpuError('UNSUPPORTED', `unknown tensor operation ${String(op)}`);
  const arity = ARITY[op];
  if (shapes.length !== arity.inputs) throw badShape(`operation ${op} takes ${arity.inputs} inputs, got ${shapes.length}`);
  if (params.length < arity.minParams || params.length > arity.maxParams) {
    throw badShape(`operation ${op} takes ${arity.minParams}..${arity.maxParams} parameters, got ${params.length}`);
  }
  for (const s of shapes) checkInputShape(s, limits);
  const { shape, multiplyAdds, workspace } = resultOf(op, shapes, params);
  const outSize = shape.reduce((p, d) => p * d, 1);
  if (outSize > limits.maxOutputElements) throw tooLarge('result elements', outSize, limits.maxOutputElements);
  if (workspace > limits.maxWorkspaceElements) throw tooLarge('workspace elements', workspace, limits.maxWorkspaceElements);
  if (multiplyAdds > limits.maxMultiplyAdds) throw tooLarge('multiply-adds', multiplyAdds, limits.maxMultiplyAdds);
  return shape;
}

/** Rank and element-count bounds of one input; callers parsing the wire check each shape as it is read. */
export function checkInputShape(s: readonly number[], limits: TensorOpLimits = DEFAULT_TENSOR_OP_LIMITS): void {
  if (s.length > limits.maxRank) throw tooLarge('rank', s.length, limits.maxRank);
  if (s.length < 1) throw badShape('rank 0 input');
  let n = 1;
  for (const d of s) {
    if (!Number.isInteger(d) || d < 1) throw badShape(`dimension ${d} in ${formatShape(s)}`);
    n *= d;
    if (n > limits.maxInputElements) throw tooLarge(`input ${formatShape(s)} elements`, n, limits.maxInputElements);
  }
}

interface ResultPlan {
  readonly shape: number[];
  readonly multiplyAdds: number;
  readonly workspace: number;
}

function resultOf(op: TensorOpCode, shapes: readonly (readonly number[])[], params: readonly number[]): ResultPlan {
  const a = shapes[0] as readonly number[];
  const b = shapes[1] ?? [];
  const elems = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  switch (op) {
    case TensorOpCode.matmul: {
      const p = planMatmul(a, b);
      const shape = [...p.batch, p.m, p.n];
      return { shape, multiplyAdds: elems(shape) * p.k, workspace: 0 };
    }
    case TensorOpCode.add:
    case TensorOpCode.mul: {
      const shape = broadcastShapes(a, b);
      return { shape, multiplyAdds: elems(shape), workspace: 0 };
    }
    case TensorOpCode.conv2d: {
      const g = planConv2d(a, b, params[0] ?? 1, params[1] ?? 0);
      const shape = conv2dOutputShape(g, a.length);
      const ckk = g.c * g.kh * g.kw;
      return { shape, multiplyAdds: elems(shape) * ckk, workspace: ckk * g.oh * g.ow };
    }
    case TensorOpCode.maxpool2d:
    case TensorOpCode.avgpool2d: {
      const kernel = params[0] as number;
      const g = planPool2d(a, kernel, params[1] ?? kernel);
      return { shape: g.outShape, multiplyAdds: elems(g.outShape) * kernel * kernel, workspace: 0 };
    }
    case TensorOpCode.relu:
    case TensorOpCode.sigmoid:
    case TensorOpCode.tanh:
    case TensorOpCode.gelu:
    case TensorOpCode.softmax:
      return { shape: [...a], multiplyAdds: elems(a), workspace: 0 };
  }
}

/** Validates, then runs one TENSOR_OP on the calling thread. */
export function executeTensorOp(
  op: TensorOpCode,
  inputs: readonly Tensor[],
  params: readonly number[],
  limits: TensorOpLimits = DEFAULT_TENSOR_OP_LIMITS,
): Tensor {
  validateTensorOp(op, inputs.map((t) => t.shape), params, limits);
  const a = inputs[0] as Tensor;
  const b = inputs[1] as Tensor;
  switch (op) {
    case TensorOpCode.matmul:
      return matmul(a, b);
    case TensorOpCode.add:
      return binary('add', a, b);
    case TensorOpCode.mul:
      return binary('mul', a, b);
    case TensorOpCode.conv2d:
      return conv2d(a, b, params[0] ?? 1, params[1] ?? 0);
    case TensorOpCode.maxpool2d:
      return pool2d('max', a, params[0] as number, params[1] ?? (params[0] as number)).out;
    case TensorOpCode.avgpool2d:
      return pool2d('avg', a, params[0] as number, params[1] ?? (params[0] as number)).out;
    case TensorOpCode.relu:
      return activate('relu', a);
    case TensorOpCode.sigmoid:
      return activate('sigmoid', a);
    case TensorOpCode.tanh:
      return activate('tanh', a);
    case TensorOpCode.gelu:
      return activate('gelu', a);
    case TensorOpCode.softmax:
      return softmax(a);
  }
}
