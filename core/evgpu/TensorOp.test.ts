import { describe, expect, it } from 'vitest';
import { DEFAULT_TENSOR_OP_LIMITS, EvgpuError, Random, Tensor, TensorOpCode, executeTensorOp, validateTensorOp } from './index.js';
import { expectClose, naiveConv2d, naiveMatmul, randomTensor } from '../testing/evgpuReference.js';

const rng = new Random(3);

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof EvgpuError) return e.code;
    throw e;
  }
  return 'none';
}

describe('validateTensorOp', () => {
  it('returns the result shape of every operation', () => {
    expect(validateTensorOp(TensorOpCode.matmul, [[3, 4], [4, 5]], [])).toEqual([3, 5]);
    expect(validateTensorOp(TensorOpCode.add, [[2, 1, 3], [4, 1]], [])).toEqual([2, 4, 3]);
    expect(validateTensorOp(TensorOpCode.conv2d, [[1, 3, 8, 8], [4, 3, 3, 3]], [2, 1])).toEqual([1, 4, 4, 4]);
    expect(validateTensorOp(TensorOpCode.maxpool2d, [[2, 6, 6]], [2])).toEqual([2, 3, 3]);
    expect(validateTensorOp(TensorOpCode.avgpool2d, [[1, 1, 7, 7]], [3, 2])).toEqual([1, 1, 3, 3]);
    expect(validateTensorOp(TensorOpCode.softmax, [[2, 9]], [])).toEqual([2, 9]);
  });

  it('refuses oversize requests with TOO_LARGE from the shapes alone', () => {
    // 65535² elements would be 16 GiB: refused without ever being allocated.
    expect(code(() => validateTensorOp(TensorOpCode.relu, [[65535, 65535]], []))).toBe('TOO_LARGE');
    expect(code(() => validateTensorOp(TensorOpCode.matmul, [[512, 512], [512, 512]], []))).toBe('TOO_LARGE');
    expect(code(() => validateTensorOp(TensorOpCode.add, [[1, 500], [600, 1]], []))).toBe('TOO_LARGE');
    const tight = { ...DEFAULT_TENSOR_OP_LIMITS, maxMultiplyAdds: 1000 };
    expect(code(() => validateTensorOp(TensorOpCode.matmul, [[10, 10], [10, 11]], [], tight))).toBe('TOO_LARGE');
    expect(code(() => validateTensorOp(TensorOpCode.matmul, [[10, 10], [10, 10]], [], tight))).toBe('none');
    const narrow = { ...DEFAULT_TENSOR_OP_LIMITS, maxRank: 2 };
    expect(code(() => validateTensorOp(TensorOpCode.relu, [[2, 2, 2]], [], narrow))).toBe('TOO_LARGE');
    const noScratch = { ...DEFAULT_TENSOR_OP_LIMITS, maxWorkspaceElements: 100 };
    expect(code(() => validateTensorOp(TensorOpCode.conv2d, [[1, 3, 8, 8], [1, 3, 3, 3]], [], noScratch))).toBe('TOO_LARGE');
  });

  it('refuses malformed requests with typed errors', () => {
    expect(code(() => validateTensorOp('conv3d' as TensorOpCode, [[1]], []))).toBe('UNSUPPORTED');
    expect(code(() => validateTensorOp(TensorOpCode.matmul, [[2, 3]], []))).toBe('BAD_SHAPE');
    expect(code(() => validateTensorOp(TensorOpCode.matmul, [[2, 3], [4, 2]], []))).toBe('BAD_SHAPE');
    expect(code(() => validateTensorOp(TensorOpCode.maxpool2d, [[1, 4, 4]], []))).toBe('BAD_SHAPE');
    expect(code(() => validateTensorOp(TensorOpCode.relu, [[0, 4]], []))).toBe('BAD_SHAPE');
    expect(code(() => validateTensorOp(TensorOpCode.conv2d, [[1, 1, 4, 4], [1, 1, 2, 2]], [0]))).toBe('BAD_SHAPE');
    expect(code(() => validateTensorOp(TensorOpCode.relu, [[3]], [1]))).toBe('BAD_SHAPE');
  });
});

describe('executeTensorOp', () => {
  it('computes matmul and conv2d like the references', () => {
    const a = randomTensor(rng, [5, 7]);
    const b = randomTensor(rng, [7, 3]);
    expectClose(executeTensorOp(TensorOpCode.matmul, [a, b], []).data, naiveMatmul(a, b));
    const x = randomTensor(rng, [1, 2, 6, 6]);
    const w = randomTensor(rng, [3, 2, 3, 3]);
    expectClose(executeTensorOp(TensorOpCode.conv2d, [x, w], [1, 1]).data, naiveConv2d(x, w, 1, 1));
  });

  it('pools with stride defaulting to the kernel', () => {
    const x = Tensor.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4]);
    expect(executeTensorOp(TensorOpCode.maxpool2d, [x], [2]).toArray()).toEqual([6, 8, 14, 16]);
    expect(executeTensorOp(TensorOpCode.avgpool2d, [x], [2]).toArray()).toEqual([3.5, 5.5, 11.5, 13.5]);
  });
});
