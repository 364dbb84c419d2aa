import type { LedgerVerification } from '../../core/ledger/Ledger.js';
import { sha256Bytes } from '../../core/ledger/Sha256.js';

/** The head of one writer's hash chain, as the `chains` table records it. */
export interface ChainHead {
  readonly chain: string;
  readonly length: number;
  /** Hash of the chain's last entry; 32 zero bytes while empty. */
  readonly head: Uint8Array;
}

/** Every writer's chain in a shared store (PgStore): what GET /ledger/root and /ledger/verify-all read. */
export interface SharedChains {
  chainHeads(): Promise<ChainHead[]>;
  verifyChain(chain: string): Promise<LedgerVerification>;
}

/**
 * One hash over every chain head: SHA-256 of, for each chain in ascending name order (byte
 * order of the UTF-8 name), u16 name length, the name, u64 length, the 32-byte head. It
 * commits to the whole history of all writers; a client who knows it can check any chain's head.
 */
export function chainsRoot(heads: readonly ChainHead[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts = heads
    .map((h) => ({ name: encoder.encode(h.chain), h }))
    .sort((a, b) => compareBytes(a.name, b.name));
  let size = 0;
  for (const p of parts) size += 2 + p.name.length + 8 + 32;
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  let at = 0;
  for (const { name, h } of parts) {
    view.setUint16(at, name.length);
    buf.set(name, at + 2);
    at += 2 + name.length;
    view.setBigUint64(at, BigInt(h.length));
    buf.set(h.head, at + 8);
    at += 40;
  }
  return sha256Bytes(buf);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
