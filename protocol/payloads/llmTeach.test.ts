import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../ProtocolError.js';
import { decodeLlmTeachReply, decodeLlmTeachRequest, encodeLlmTeachReply, encodeLlmTeachRequest, MAX_TEACH_STEPS, MAX_TEACH_TEXT } from './llmTeach.js';

describe('LLM_TEACH payloads', () => {
  it('round-trip a request at the bounds and a reply (bits as f32)', () => {
    const req = { x: 65535, y: 0, z: 9, steps: MAX_TEACH_STEPS, text: 'é'.repeat(MAX_TEACH_TEXT / 2) };
    expect(decodeLlmTeachRequest(encodeLlmTeachRequest(req))).toEqual(req);
    expect(decodeLlmTeachReply(encodeLlmTeachReply({ steps: 100, bitsBefore: 6.1, bitsAfter: 4.9 }))).toEqual({
      steps: 100,
      bitsBefore: Math.fround(6.1),
      bitsAfter: Math.fround(4.9),
    });
  });

  it('refuses to encode or decode more than 4096 bytes of text or 1000 steps', () => {
    expect(() => encodeLlmTeachRequest({ x: 0, y: 0, z: 0, steps: 1, text: 'é'.repeat(MAX_TEACH_TEXT / 2 + 1) })).toThrow(/4098 bytes; at most 4096/);
    expect(() => encodeLlmTeachRequest({ x: 0, y: 0, z: 0, steps: 1001, text: 'ab' })).toThrow(ProtocolError);
    const long = new Uint8Array(8 + MAX_TEACH_TEXT + 1).fill(0x61);
    long.set([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(() => decodeLlmTeachRequest(long)).toThrow(/at most 4096/);
    const steps = encodeLlmTeachRequest({ x: 0, y: 0, z: 0, steps: 1, text: 'ab' });
    steps.set([0x03, 0xe9], 6);
    expect(() => decodeLlmTeachRequest(steps)).toThrow(/steps 1001 outside 0\.\.1000/);
    expect(() => decodeLlmTeachReply(new Uint8Array(9))).toThrow(ProtocolError);
  });
});
