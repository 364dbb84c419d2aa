import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TENSOR_OP_LIMITS, EvgpuError, Random, Tensor, TensorOpCode, decodeTensorOpReply, decodeTensorOpRequest,
  encodeTensorOpReply, encodeTensorOpRequest, executeTensorOp, handleTensorOpPayload, validateTensorOp,
} from '../../core/evgpu/index.js';
import { expectClose, naiveConv2d, naiveMatmul, randomTensor } from './reference.js';

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
    expect(code(() => validateTensorOp(0x99, [[1]], []))).toBe('UNSUPPORTED');
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

describe('TENSOR_OP payloads', () => {
  it('round-trips request and reply through the wire layout', () => {
    const a = randomTensor(rng, [2, 3]);
    const b = randomTensor(rng, [3]);
    const payload = encodeTensorOpRequest(TensorOpCode.add, [a, b]);
    // op, dtype, n, p | rank 2, 2, 3, 6 floats | rank 1, 3, 3 floats
    expect(payload.length).toBe(4 + 1 + 4 + 24 + 1 + 2 + 12);
    expect(Array.from(payload.subarray(0, 9))).toEqual([0x02, 0, 2, 0, 2, 0, 2, 0, 3]);
    const req = decodeTensorOpRequest(payload);
    expect(req.op).toBe(TensorOpCode.add);
    expect(req.inputs[0]!.toArray()).toEqual(a.toArray());
    const reply = decodeTensorOpReply(handleTensorOpPayload(payload));
    expect(reply.shape).toEqual([2, 3]);
    expectClose(reply.data, executeTensorOp(TensorOpCode.add, [a, b], []).data, 0);
  });

  it('writes big-endian floats and u16 dims in the reply', () => {
    const out = encodeTensorOpReply(Tensor.from([1.5], [1]));
    expect(Array.from(out)).toEqual([0, 1, 0, 1, 0x3f, 0xc0, 0, 0]);
  });

  it('carries conv2d parameters', () => {
    const x = randomTensor(rng, [1, 1, 5, 5]);
    const w = randomTensor(rng, [1, 1, 3, 3]);
    const reply = decodeTensorOpReply(handleTensorOpPayload(encodeTensorOpRequest(TensorOpCode.conv2d, [x, w], [2, 1])));
    expect(reply.shape).toEqual([1, 1, 3, 3]);
    expectClose(reply.data, naiveConv2d(x, w, 2, 1));
  });

  it('refuses a header claiming a huge tensor with TOO_LARGE before reading its elements', () => {
    const p = new Uint8Array([0x10, 0, 1, 0, 2, 0xff, 0xff, 0xff, 0xff]);
    expect(code(() => decodeTensorOpRequest(p))).toBe('TOO_LARGE');
  });

  it('refuses truncated, trailing, and unknown-dtype payloads', () => {
    const good = encodeTensorOpRequest(TensorOpCode.relu, [Tensor.from([1, -1])]);
    for (let cut = 0; cut < good.length; cut++) expect(code(() => decodeTensorOpRequest(good.subarray(0, cut)))).toBe('BAD_PAYLOAD');
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    expect(code(() => decodeTensorOpRequest(trailing))).toBe('BAD_PAYLOAD');
    const f64 = good.slice();
    f64[1] = 1;
    expect(code(() => decodeTensorOpRequest(f64))).toBe('UNSUPPORTED');
    const unknownOp = good.slice();
    unknownOp[0] = 0x42;
    expect(code(() => decodeTensorOpRequest(unknownOp))).toBe('UNSUPPORTED');
  });

  it('never throws anything but EvgpuError on random bytes', () => {
    for (let i = 0; i < 500; i++) {
      const p = new Uint8Array(rng.int(40));
      for (let j = 0; j < p.length; j++) p[j] = rng.int(256);
      if (rng.next() < 0.5 && p.length > 3) p[2] = 1;
      try {
        handleTensorOpPayload(p);
      } catch (e) {
        expect(e).toBeInstanceOf(EvgpuError);
      }
    }
  });
});
