import { checkHash, HASH_SIZE } from './blockGet.js';
import { readCoordinates, writeCoordinates, type Coordinates } from './coordinates.js';
import { PayloadReader } from './PayloadReader.js';
import { PayloadWriter } from './PayloadWriter.js';

export interface BlockSetRequest extends Coordinates {
  value: number;
}

export interface BlockSetReply {
  /** Ledger index of the new entry (u64). */
  index: bigint;
  /** SHA-256 hash of the new ledger entry. */
  hash: Uint8Array;
}

export function encodeBlockSetRequest(request: BlockSetRequest): Uint8Array {
  return writeCoordinates(new PayloadWriter(14), request).f64(request.value).done();
}

export function decodeBlockSetRequest(payload: Uint8Array): BlockSetRequest {
  const r = new PayloadReader(payload, 'BLOCK_SET request');
  const c = readCoordinates(r);
  const value = r.f64();
  r.end();
  return { ...c, value };
}

export function encodeBlockSetReply(reply: BlockSetReply): Uint8Array {
  checkHash(reply.hash);
  return new PayloadWriter(8 + HASH_SIZE).u64(reply.index, 'index').raw(reply.hash).done();
}

export function decodeBlockSetReply(payload: Uint8Array): BlockSetReply {
  const r = new PayloadReader(payload, 'BLOCK_SET reply');
  const index = r.u64();
  const hash = r.bytesOf(HASH_SIZE);
  r.end();
  return { index, hash };
}
