import { ProtocolError } from '../ProtocolError.js';
import { encodeUtf8 } from '../utf8.js';
import { readCoordinates, writeCoordinates, type Coordinates } from './coordinates.js';
import { PayloadReader } from './PayloadReader.js';
import { PayloadWriter } from './PayloadWriter.js';

import { MAX_TEACH_STEPS, MAX_TEACH_TEXT } from '../vocabulary/teach.js';

// The limits belong to the vocabulary (protocol/vocabulary/teach.ts); re-exported for the wire's users.
export { DEFAULT_TEACH_STEPS, MAX_TEACH_STEPS, MAX_TEACH_TEXT } from '../vocabulary/teach.js';

export interface LlmTeachRequest extends Coordinates {
  /** 1..MAX_TEACH_STEPS, or 0 for DEFAULT_TEACH_STEPS. */
  steps: number;
  /** What the instance at (x, y, z) learns: 2..4096 bytes of UTF-8. */
  text: string;
}

export interface LlmTeachReply {
  /** Optimiser steps run (fewer than asked if the time budget ran out). */
  steps: number;
  /** Bits per character of the text under the instance before and after teaching (f32). */
  bitsBefore: number;
  bitsAfter: number;
}

function checkSteps(steps: number, fail: (reason: string) => never): void {
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_TEACH_STEPS) fail(`steps ${steps} outside 0..${MAX_TEACH_STEPS}`);
}

export function encodeLlmTeachRequest(request: LlmTeachRequest): Uint8Array {
  const fail = (reason: string): never => {
    throw new ProtocolError('INVALID_ARGUMENT', reason);
  };
  checkSteps(request.steps, fail);
  const text = encodeUtf8(request.text);
  if (text.length > MAX_TEACH_TEXT) fail(`text of ${text.length} bytes; at most ${MAX_TEACH_TEXT}`);
  return writeCoordinates(new PayloadWriter(8 + text.length), request).u16(request.steps, 'steps').raw(text).done();
}

export function decodeLlmTeachRequest(payload: Uint8Array): LlmTeachRequest {
  const r = new PayloadReader(payload, 'LLM_TEACH request');
  const c = readCoordinates(r);
  const steps = r.u16();
  checkSteps(steps, (reason) => r.fail(reason));
  if (r.remaining > MAX_TEACH_TEXT) r.fail(`text of ${r.remaining} bytes; at most ${MAX_TEACH_TEXT}`);
  return { ...c, steps, text: r.restText() };
}

export function encodeLlmTeachReply(reply: LlmTeachReply): Uint8Array {
  return new PayloadWriter(10).u16(reply.steps, 'steps').f32(reply.bitsBefore).f32(reply.bitsAfter).done();
}

export function decodeLlmTeachReply(payload: Uint8Array): LlmTeachReply {
  const r = new PayloadReader(payload, 'LLM_TEACH reply');
  const reply = { steps: r.u16(), bitsBefore: r.f32(), bitsAfter: r.f32() };
  r.end();
  return reply;
}
