import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../ProtocolError.js';
import {
  decodeBlockGetReply,
  decodeBlockGetRequest,
  decodeBlockSetReply,
  decodeBlockSetRequest,
  decodeCubeMsgRequest,
  decodeErrorPayload,
  decodeHello,
  decodeLlmQueryRequest,
  decodeTensorOpReply,
  decodeTensorOpRequest,
  encodeBlockGetReply,
  encodeBlockSetReply,
  encodeBlockSetRequest,
  encodeCubeMsgRequest,
  encodeErrorPayload,
  encodeHello,
  encodeLlmQueryRequest,
  encodeTensorOpRequest,
  makeHello,
  MAX_ERROR_MESSAGE,
  TensorOperation,
} from './index.js';

const badPayload = expect.objectContaining({ name: 'ProtocolError', code: 'BAD_PAYLOAD' });
const hash = new Uint8Array(32).fill(7);

describe('payload codecs', () => {
  it('round-trip the fixed BLOCK layouts and reject wrong sizes', () => {
    const set = { x: 1, y: 2, z: 65535, value: -0.125 };
    expect(decodeBlockSetRequest(encodeBlockSetRequest(set))).toEqual(set);
    expect(decodeBlockSetReply(encodeBlockSetReply({ index: 2n ** 64n - 1n, hash }))).toEqual({ index: 2n ** 64n - 1n, hash });
    expect(decodeBlockGetReply(encodeBlockGetReply({ active: true, value: 2.5, hash }))).toEqual({ active: true, value: 2.5, hash });
    expect(() => decodeBlockGetRequest(new Uint8Array(5))).toThrow(badPayload);
    expect(() => decodeBlockGetRequest(new Uint8Array(7))).toThrow(badPayload);
    expect(() => decodeBlockSetReply(new Uint8Array(39))).toThrow(badPayload);
    const active2 = encodeBlockGetReply({ active: true, value: 0, hash });
    active2[0] = 2;
    expect(() => decodeBlockGetReply(active2)).toThrow(badPayload);
    expect(() => encodeBlockGetReply({ active: true, value: 0, hash: new Uint8Array(31) })).toThrow(ProtocolError);
    expect(() => encodeBlockSetRequest({ x: 70000, y: 0, z: 0, value: 0 })).toThrow(/x 70000/);
  });

  it('bounds HELLO fields and ignores appended fields', () => {
    const hello = makeHello({ name: 'guest', token: new Uint8Array([1, 2]), vertices: [{ cube: 3, vertex: 8, channel: 4 }] });
    const bytes = encodeHello(hello);
    expect(decodeHello(new Uint8Array([...bytes, 0xaa, 0xbb]))).toEqual(hello);
    expect(() => decodeHello(bytes.subarray(0, bytes.length - 1))).toThrow(badPayload);
    const zeroWindow = bytes.slice();
    zeroWindow[3] = 0;
    expect(() => decodeHello(zeroWindow)).toThrow(badPayload);
    const bigContent = bytes.slice();
    bigContent[1] = 0x20;
    expect(() => decodeHello(bigContent)).toThrow(badPayload);
    expect(() => encodeHello({ ...hello, name: 'x'.repeat(256) })).toThrow(ProtocolError);
  });

  it('checks LLM_QUERY token limits and UTF-8', () => {
    const q = { x: 1, y: 2, z: 3, maxTokens: 256, prompt: 'héllo κ' };
    expect(decodeLlmQueryRequest(encodeLlmQueryRequest(q))).toEqual(q);
    expect(() => encodeLlmQueryRequest({ ...q, maxTokens: 0 })).toThrow(ProtocolError);
    const bytes = encodeLlmQueryRequest(q);
    bytes[7] = 0; // max tokens 0x0000
    bytes[6] = 0;
    expect(() => decodeLlmQueryRequest(bytes)).toThrow(badPayload);
    const invalidUtf8 = new Uint8Array([0, 1, 0, 1, 0, 1, 0, 5, 0xff, 0xfe]);
    expect(() => decodeLlmQueryRequest(invalidUtf8)).toThrow(badPayload);
  });

  it('checks CUBE_MSG vertices', () => {
    expect(decodeCubeMsgRequest(encodeCubeMsgRequest({ cube: 1, vertex: 255, text: 'x' })).vertex).toBe(255);
    expect(() => encodeCubeMsgRequest({ cube: 1, vertex: 9, text: '' })).toThrow(ProtocolError);
    expect(() => decodeCubeMsgRequest(new Uint8Array([0, 1, 9]))).toThrow(badPayload);
  });

  it('TENSOR_OP elements are big-endian f32 on the wire (the bulk byte-swap of issue 16), NaN payloads kept', () => {
    const data = Float32Array.from([1.5, -0.1, 3.4e38, 1e-45, -0, Infinity]);
    const nan = new Uint32Array([0x7fc0_1234]);
    const all = Float32Array.from([...data, 0]);
    new Uint32Array(all.buffer)[6] = nan[0]!;
    const wire = encodeTensorOpRequest({ op: TensorOperation.RELU, dtype: 0, params: [], inputs: [{ shape: [7], data: all }] });
    const expected = new DataView(new ArrayBuffer(28));
    for (let i = 0; i < 7; i++) expected.setUint32(i * 4, new Uint32Array(all.buffer)[i]!);
    expect([...wire.subarray(wire.length - 28)]).toEqual([...new Uint8Array(expected.buffer)]);
    const back = decodeTensorOpRequest(wire).inputs[0]!.data;
    expect([...new Uint32Array(back.buffer)]).toEqual([...new Uint32Array(all.buffer)]);
  });

  it('round-trips TENSOR_OP and bounds shapes against the bytes present', () => {
    const req = {
      op: TensorOperation.ADD,
      dtype: 0,
      params: [],
      inputs: [
        { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
        { shape: [2, 3], data: Float32Array.from([6, 5, 4, 3, 2, 1]) },
      ],
    };
    expect(decodeTensorOpRequest(encodeTensorOpRequest(req))).toEqual(req);
    // rank 4 of 65535 each claims 2^64 elements with no data: rejected before allocating.
    const huge = new Uint8Array([0x10, 0, 1, 0, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(() => decodeTensorOpRequest(huge)).toThrow(badPayload);
    expect(() => decodeTensorOpRequest(new Uint8Array([0x99, 0, 1, 0]))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => decodeTensorOpRequest(new Uint8Array([0x10, 0, 2, 0]))).toThrow(badPayload);
    expect(() => decodeTensorOpRequest(new Uint8Array([0x10, 0, 1, 0, 5, 0, 1]))).toThrow(badPayload);
    expect(() => decodeTensorOpRequest(new Uint8Array([0x10, 0, 1, 0, 1, 0, 0]))).toThrow(badPayload);
    expect(() => decodeTensorOpReply(new Uint8Array([0, 1, 0, 1, 0, 0, 0, 0, 9]))).toThrow(badPayload);
    expect(() => encodeTensorOpRequest({ ...req, inputs: [req.inputs[0]!] })).toThrow(ProtocolError);
    expect(() => encodeTensorOpRequest({ ...req, inputs: [{ shape: [2], data: new Float32Array(3) }, req.inputs[1]!] })).toThrow(
      /needs 2 elements/,
    );
  });

  it('ERROR payloads keep the code even with a garbled message, and cut long messages', () => {
    expect(decodeErrorPayload(new Uint8Array([5, 0xff]))).toEqual({ code: 5, message: '\ufffd' });
    expect(() => decodeErrorPayload(new Uint8Array(0))).toThrow(badPayload);
    const long = encodeErrorPayload({ code: 1, message: 'é'.repeat(1000) });
    expect(long.length).toBeLessThanOrEqual(1 + MAX_ERROR_MESSAGE);
    expect(decodeErrorPayload(long).message).toBe('é'.repeat(MAX_ERROR_MESSAGE / 2));
  });
});
