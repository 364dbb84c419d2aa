import { afterAll, describe, expect, it } from 'vitest';
import { NodeComputePool } from '../../bridge/compute/NodeComputePool.js';
import { KonomiService } from '../../bridge/service/KonomiService.js';
import { tensorOpTask } from '../../core/evgpu/ComputePool.js';
import { EvgpuError } from '../../core/evgpu/EvgpuError.js';
import { Random } from '../../core/evgpu/Random.js';
import { Tensor } from '../../core/evgpu/Tensor.js';
import { DEFAULT_TENSOR_OP_LIMITS, TensorOpCode, executeTensorOp, type TensorOpCall } from '../../core/evgpu/TensorOp.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';
import { handleTensorOpPayload, tensorOpToWire } from '../../bridge/dispatch/tensorOpWire.js';

// Issue 16: whole TENSOR_OPs run on a pool worker so no line waits on another line's tensor. The
// worker must give the main thread's result bit for bit, for every op kind, and its errors.
function random(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.next() * 4 - 2;
  return t;
}

const calls: [string, TensorOpCall][] = [
  ['matmul', { op: TensorOpCode.matmul, params: [], inputs: [random([37, 53], 1), random([53, 29], 2)] }],
  ['add (broadcast)', { op: TensorOpCode.add, params: [], inputs: [random([2, 1, 300], 3), random([40, 1], 4)] }],
  ['mul', { op: TensorOpCode.mul, params: [], inputs: [random([64, 64], 5), random([64, 64], 6)] }],
  ['conv2d', { op: TensorOpCode.conv2d, params: [2, 1], inputs: [random([2, 3, 64, 64], 7), random([8, 3, 3, 3], 8)] }],
  ['maxpool2d', { op: TensorOpCode.maxpool2d, params: [2], inputs: [random([3, 64, 64], 9)] }],
  ['avgpool2d', { op: TensorOpCode.avgpool2d, params: [3, 2], inputs: [random([1, 2, 63, 63], 10)] }],
  ['relu', { op: TensorOpCode.relu, params: [], inputs: [random([100, 100], 11)] }],
  ['sigmoid', { op: TensorOpCode.sigmoid, params: [], inputs: [random([100, 100], 12)] }],
  ['tanh', { op: TensorOpCode.tanh, params: [], inputs: [random([100, 100], 13)] }],
  ['gelu', { op: TensorOpCode.gelu, params: [], inputs: [random([100, 100], 14)] }],
  ['softmax', { op: TensorOpCode.softmax, params: [], inputs: [random([50, 200], 15)] }],
];

describe('TENSOR_OP on a pool worker', () => {
  const pool = new NodeComputePool(2);
  afterAll(() => pool.dispose());

  it('covers every op kind', () => {
    expect(calls.map(([, c]) => c.op).sort()).toEqual(Object.values(TensorOpCode).sort());
  });

  for (const [name, call] of calls) {
    it(`${name}: the worker's result is the main thread's, bit for bit`, async () => {
      const inline = executeTensorOp(call.op, call.inputs, call.params).contiguous();
      const pooled = await pool.tensorOp(tensorOpTask(call, DEFAULT_TENSOR_OP_LIMITS));
      expect(pooled.shape).toEqual([...inline.shape]);
      expect(Buffer.from(pooled.data.buffer).equals(Buffer.from(inline.data.buffer, inline.data.byteOffset, inline.data.byteLength))).toBe(true);
    });
  }

  it('an error on the worker comes back as the EvgpuError the main thread throws (same code)', async () => {
    const bad: TensorOpCall = { op: TensorOpCode.conv2d, params: [0, 0], inputs: [random([1, 1, 8, 8], 1), random([1, 1, 3, 3], 2)] };
    const inline = (() => {
      try {
        executeTensorOp(bad.op, bad.inputs, bad.params);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(inline).toBeInstanceOf(EvgpuError);
    const pooled = await pool.tensorOp(tensorOpTask(bad, DEFAULT_TENSOR_OP_LIMITS)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(pooled).toBeInstanceOf(EvgpuError);
    expect((pooled as EvgpuError).code).toBe((inline as EvgpuError).code);
  });

  it('KonomiService takes a large request as bytes to a worker: the same reply bytes and error codes as the main thread; small ones and matmuls stay', async () => {
    const konomi = await Konomi.open();
    const service = new KonomiService(konomi, { poolSize: 1 });
    try {
      const wire = tensorOpToWire(TensorOpCode.conv2d, [random([1, 16, 64, 64], 17), random([8, 16, 3, 3], 18)], [1, 1]); // 256 KiB
      const expected = handleTensorOpPayload(wire);
      // As the reassembler hands it over: a view at an offset into a buffer of its own, larger than the message.
      const conv = new Uint8Array(new ArrayBuffer(wire.length + 4096), 1024, wire.length);
      conv.set(wire);
      const offloaded = service.tensorOpPayload(conv, DEFAULT_TENSOR_OP_LIMITS);
      expect(offloaded).toBeInstanceOf(Promise);
      expect(conv.byteLength).toBe(0); // moved to the worker, not copied
      expect(Buffer.from(await offloaded!).equals(Buffer.from(expected))).toBe(true);
      const bad = tensorOpToWire(TensorOpCode.conv2d, [random([1, 16, 64, 64], 17), random([8, 3, 3, 3], 18)], [1, 1]); // channels disagree
      const inline = (() => {
        try {
          handleTensorOpPayload(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      const pooled = await service.tensorOpPayload(bad, DEFAULT_TENSOR_OP_LIMITS)!.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(pooled).toBeInstanceOf(EvgpuError);
      expect((pooled as EvgpuError).code).toBe((inline as EvgpuError).code);
      expect(service.tensorOpPayload(tensorOpToWire(TensorOpCode.relu, [random([10, 10], 1)]), DEFAULT_TENSOR_OP_LIMITS)).toBeUndefined();
      expect(service.tensorOpPayload(tensorOpToWire(TensorOpCode.matmul, [random([128, 128], 1), random([128, 128], 2)]), DEFAULT_TENSOR_OP_LIMITS)).toBeUndefined();
    } finally {
      await service.close();
    }
  });

  it('KonomiService sends requests of 64 KiB or more to the pool and answers with the same tensor', async () => {
    const konomi = await Konomi.open();
    const service = new KonomiService(konomi, { poolSize: 1 });
    try {
      const small = await service.tensorOp(calls[6]![1]); // 40 KB relu: inline
      expect(service.poolStarted).toBe(false);
      const big: TensorOpCall = { op: TensorOpCode.relu, params: [], inputs: [random([200, 100], 16)] }; // 80 KB
      const result = await service.tensorOp(big);
      expect(service.poolStarted).toBe(true);
      expect([...result.contiguous().data]).toEqual([...executeTensorOp(big.op, big.inputs, big.params).data]);
      expect(small.size).toBe(10_000);
    } finally {
      await service.close(); // closes the Konomi too
    }
  });
});
