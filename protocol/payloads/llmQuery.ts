import { ProtocolError } from '../ProtocolError.js';
import { encodeUtf8 } from '../utf8.js';
import { readCoordinates, writeCoordinates, type Coordinates } from './coordinates.js';
import { PayloadReader } from './PayloadReader.js';
import { PayloadWriter } from './PayloadWriter.js';

export const MAX_LLM_TOKENS = 256;

export interface LlmQueryRequest extends Coordinates {
  /** 1..256 */
  maxTokens: number;
  prompt: string;
}

export interface LlmQueryReply {
  /** κ of the node after the request. */
  kappa: number;
  tokens: number;
  text: string;
}

export function encodeLlmQueryRequest(request: LlmQueryRequest): Uint8Array {
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1 || request.maxTokens > MAX_LLM_TOKENS) {
    throw new ProtocolError('INVALID_ARGUMENT', `maxTokens ${request.maxTokens} outside 1..${MAX_LLM_TOKENS}`);
  }
  const prompt = encodeUtf8(request.prompt);
  return writeCoordinates(new PayloadWriter(8 + prompt.length), request).u16(request.maxTokens, 'maxTokens').raw(prompt).done();
}

export function decodeLlmQueryRequest(payload: Uint8Array): LlmQueryRequest {
  const r = new PayloadReader(payload, 'LLM_QUERY request');
  const c = readCoordinates(r);
  const maxTokens = r.u16();
  if (maxTokens < 1 || maxTokens > MAX_LLM_TOKENS) r.fail(`max tokens ${maxTokens} outside 1..${MAX_LLM_TOKENS}`);
  return { ...c, maxTokens, prompt: r.restText() };
}

export function encodeLlmQueryReply(reply: LlmQueryReply): Uint8Array {
  const text = encodeUtf8(reply.text);
  return new PayloadWriter(10 + text.length).f64(reply.kappa).u16(reply.tokens, 'tokens').raw(text).done();
}

export function decodeLlmQueryReply(payload: Uint8Array): LlmQueryReply {
  const r = new PayloadReader(payload, 'LLM_QUERY reply');
  return { kappa: r.f64(), tokens: r.u16(), text: r.restText() };
}
