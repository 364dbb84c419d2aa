import { ProtocolError } from '../ProtocolError.js';
import { readCoordinates, writeCoordinates, type Coordinates } from './coordinates.js';
import { PayloadReader } from './PayloadReader.js';
import { PayloadWriter } from './PayloadWriter.js';

export const HASH_SIZE = 32;

export type BlockGetRequest = Coordinates;

export interface BlockGetReply {
  active: boolean;
  value: number;
  /** SHA-256 Merkle leaf hash of the cell; all zero when inactive. */
  hash: Uint8Array;
}

export function encodeBlockGetRequest(request: BlockGetRequest): Uint8Array {
  return writeCoordinates(new PayloadWriter(6), request).done();
}

export function decodeBlockGetRequest(payload: Uint8Array): BlockGetRequest {
  const r = new PayloadReader(payload, 'BLOCK_GET request');
  const c = readCoordinates(r);
  r.end();
  return c;
}

export function encodeBlockGetReply(reply: BlockGetReply): Uint8Array {
  checkHash(reply.hash);
  return new PayloadWriter(1 + 8 + HASH_SIZE).u8(reply.active ? 1 : 0, 'active').f64(reply.value).raw(reply.hash).done();
}

export function decodeBlockGetReply(payload: Uint8Array): BlockGetReply {
  const r = new PayloadReader(payload, 'BLOCK_GET reply');
  const active = r.u8();
  if (active > 1) r.fail(`active flag ${active} is not 0 or 1`);
  const value = r.f64();
  const hash = r.bytesOf(HASH_SIZE);
  r.end();
  return { active: active === 1, value, hash };
}

export function checkHash(hash: Uint8Array): void {
  if (hash.length !== HASH_SIZE) throw new ProtocolError('INVALID_ARGUMENT', `hash is ${hash.length} bytes, not ${HASH_SIZE}`);
}
