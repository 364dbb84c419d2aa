import { BASE_CONFIG, BASE_LEXICON, BASE_MERGES_BASE64, BASE_WEIGHTS_BASE64, BASE_WEIGHTS_REPORT } from './weights/baseWeights.js';
import { decodeBase64 } from './base64.js';
import { BpeTokenizer } from './BpeTokenizer.js';
import { FemtoWeights } from './FemtoWeights.js';
import { Lexicon } from './Lexicon.js';

let cached: FemtoWeights | null = null;

/** BPE merges stored as little-endian u16 (left, right) pairs. */
export function mergesFromBytes(bytes: Uint8Array): Uint16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint16Array.from({ length: bytes.length >> 1 }, (_, i) => view.getUint16(2 * i, true));
}

/** The committed, trained base weights with their tokenizer and lexicon (decoded once per process). */
export function baseWeights(): FemtoWeights {
  cached ??= FemtoWeights.fromBase64(BASE_WEIGHTS_BASE64, BASE_CONFIG, new BpeTokenizer(mergesFromBytes(decodeBase64(BASE_MERGES_BASE64)))).withLexicon(
    BASE_LEXICON.length > 0 ? Lexicon.parse(BASE_LEXICON) : null,
  );
  return cached;
}

/** How the committed weights were trained and how well they do on held-out text. */
export const baseWeightsReport = BASE_WEIGHTS_REPORT;
