import { describe, expect, it } from 'vitest';
import { CodedError } from '../../protocol/errors/CodedError.js';
import { ERROR_TABLE } from '../../protocol/errors/errorTable.js';
import { Random, Tensor, TensorOpCode, executeTensorOp, tensorOpArity } from '../../core/evgpu/index.js';
import { tensorOperationArity } from '../../protocol/payloads/tensorOp.js';
import {
  TENSOR_OP_BYTES, handleTensorOpPayload, tensorOpFromWire, tensorOpReplyFromWire, tensorOpReplyToWire, tensorOpToWire,
} from '../../bridge/dispatch/tensorOpWire.js';
import { expectClose, naiveConv2d, randomTensor } from '../../core/testing/evgpuReference.js';

// Moved from tests/evgpu/tensorOp.test.ts with the codec the eVGPU no longer has (issue 12 step 1).
const rng = new Random(3);

/** The code of a coded error (ProtocolError from the codec, EvgpuError from the eVGPU). */
function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CodedError) return e.code;
    throw e;
  }
  return 'none';
}

describe('TENSOR_OP payloads ↔ eVGPU calls', () => {
  it('the wire and the eVGPU agree on every operation and its input count', () => {
    // The wire owns each operation's byte and the input count its payload carries (docs/PROTOCOL.md),
    // the eVGPU what the operation takes: the translation must keep them equal.
    expect(TENSOR_OP_BYTES.map(([, op]) => op).sort()).toEqual(Object.values(TensorOpCode).sort());
    for (const [byte, op] of TENSOR_OP_BYTES) expect(tensorOperationArity(byte), op).toBe(tensorOpArity(op).inputs);
  });

  it('round-trips request and reply through the wire layout', () => {
    const a = randomTensor(rng, [2, 3]);
    const b = randomTensor(rng, [3]);
    const payload = tensorOpToWire(TensorOpCode.add, [a, b]);
    // op, dtype, n, p | rank 2, 2, 3, 6 floats | rank 1, 3, 3 floats
    expect(payload.length).toBe(4 + 1 + 4 + 24 + 1 + 2 + 12);
    expect(Array.from(payload.subarray(0, 9))).toEqual([0x02, 0, 2, 0, 2, 0, 2, 0, 3]);
    const req = tensorOpFromWire(payload);
    expect(req.op).toBe(TensorOpCode.add);
    expect(req.inputs[0]!.toArray()).toEqual(a.toArray());
    const reply = tensorOpReplyFromWire(handleTensorOpPayload(payload));
    expect(reply.shape).toEqual([2, 3]);
    expectClose(reply.data, executeTensorOp(TensorOpCode.add, [a, b], []).data, 0);
  });

  it('writes big-endian floats and u16 dims in the reply', () => {
    const out = tensorOpReplyToWire(Tensor.from([1.5], [1]));
    expect(Array.from(out)).toEqual([0, 1, 0, 1, 0x3f, 0xc0, 0, 0]);
  });

  it('carries conv2d parameters', () => {
    const x = randomTensor(rng, [1, 1, 5, 5]);
    const w = randomTensor(rng, [1, 1, 3, 3]);
    const reply = tensorOpReplyFromWire(handleTensorOpPayload(tensorOpToWire(TensorOpCode.conv2d, [x, w], [2, 1])));
    expect(reply.shape).toEqual([1, 1, 3, 3]);
    expectClose(reply.data, naiveConv2d(x, w, 2, 1));
  });

  it('refuses a header claiming a huge tensor with TOO_LARGE before reading its elements', () => {
    const p = new Uint8Array([0x10, 0, 1, 0, 2, 0xff, 0xff, 0xff, 0xff]);
    expect(code(() => tensorOpFromWire(p))).toBe('TOO_LARGE');
  });

  it('refuses truncated, trailing, and unknown-dtype payloads', () => {
    const good = tensorOpToWire(TensorOpCode.relu, [Tensor.from([1, -1])]);
    for (let cut = 0; cut < good.length; cut++) expect(code(() => tensorOpFromWire(good.subarray(0, cut)))).toBe('BAD_PAYLOAD');
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    expect(code(() => tensorOpFromWire(trailing))).toBe('BAD_PAYLOAD');
    const f64 = good.slice();
    f64[1] = 1;
    expect(code(() => tensorOpFromWire(f64))).toBe('UNSUPPORTED');
    const unknownOp = good.slice();
    unknownOp[0] = 0x42;
    expect(code(() => tensorOpFromWire(unknownOp))).toBe('UNSUPPORTED');
  });

  it('never throws anything but a coded error on random bytes', () => {
    for (let i = 0; i < 500; i++) {
      const p = new Uint8Array(rng.int(40));
      for (let j = 0; j < p.length; j++) p[j] = rng.int(256);
      if (rng.next() < 0.5 && p.length > 3) p[2] = 1;
      try {
        handleTensorOpPayload(p);
      } catch (e) {
        // The codec refuses structure (ProtocolError), the eVGPU shapes (EvgpuError): both coded, never INTERNAL.
        expect(e).toBeInstanceOf(CodedError);
        expect(ERROR_TABLE[(e as CodedError).code].wire).not.toBe('INTERNAL');
      }
    }
  });
});
