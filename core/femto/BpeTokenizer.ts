import { FemtoError } from './FemtoError.js';

/**
 * Byte-pair encoding trained by the project on its own corpus. Tokens 0..255 are the bytes
 * themselves, so every byte string encodes and decodes back to itself; token 256 + r is the
 * r-th merge, the concatenation of two earlier tokens.
 *
 * Merges never cross chunk boundaries. A chunk is an optional space followed by a run of
 * letters, an optional space followed by a run of digits, a run of one repeated whitespace
 * byte, or any other single byte; runs are cut every MAX_CHUNK bytes so encoding work per
 * chunk is bounded whatever the input. Words therefore come out as whole tokens (" hacker")
 * or as pieces of words, never glued to punctuation.
 */
export const MAX_CHUNK = 24;

const LETTER = 1;
const DIGIT = 2;
const SPACE = 32;
const CLASS = (() => {
  const c = new Uint8Array(256);
  for (let b = 65; b <= 90; b++) c[b] = LETTER;
  for (let b = 97; b <= 122; b++) c[b] = LETTER;
  for (let b = 48; b <= 57; b++) c[b] = DIGIT;
  return c;
})();

/** Calls `emit(start, end)` for each chunk of `bytes`, in order, covering every byte. */
export function forEachChunk(bytes: Uint8Array, emit: (start: number, end: number) => void): void {
  for (let i = 0; i < bytes.length; ) {
    const end = chunkEnd(bytes, i);
    emit(i, end);
    i = end;
  }
}

/** The end of the chunk of `bytes` that starts at `start` (< bytes.length). */
export function chunkEnd(bytes: Uint8Array, start: number): number {
  const n = bytes.length;
  let i = start;
  const b = bytes[i] as number;
  let cls = CLASS[b] as number;
  if (b === SPACE && i + 1 < n && (CLASS[bytes[i + 1] as number] as number) !== 0) {
    i++;
    cls = CLASS[bytes[i] as number] as number;
  }
  if (cls !== 0) {
    while (i < n && CLASS[bytes[i] as number] === cls && i - start < MAX_CHUNK) i++;
  } else if (b === SPACE || b === 10 || b === 9) {
    i++;
    // A run of one whitespace byte; a space that starts a word stays with the word.
    while (i < n && bytes[i] === b && i - start < MAX_CHUNK && !(b === SPACE && i + 1 < n && CLASS[bytes[i + 1] as number] !== 0)) i++;
  } else {
    i++;
  }
  return i;
}

/**
 * A text's tokens in a form a longer text that begins with it can extend (encodeExtending). No
 * chunk but the last depends on what follows it (forEachChunk looks ahead only inside a chunk
 * and one byte past its end), so only the last chunk is read again.
 */
export interface Encoding {
  readonly bytes: Uint8Array;
  readonly ids: Int32Array;
  /** The last chunk's first byte and first token. */
  readonly lastChunkByte: number;
  readonly lastChunkToken: number;
}

function pairKey(a: number, b: number): number {
  return a * 65536 + b;
}

const CACHE_LIMIT = 16384;
/** Chunks up to this many bytes are cached under a number (encodeChunk). */
const SHORT_CHUNK = 6;

export class BpeTokenizer {
  /** Bytes of every token, indexed by id. */
  private readonly pieces: Uint8Array[];
  /** Merge rank of each pair of token ids that merges. */
  private readonly ranks = new Map<number, number>();
  private readonly cache = new Map<string, Int32Array>();
  private readonly shortCache = new Map<number, Int32Array>();
  /** encodeExtending's tokens of the chunks it reads, before they are copied out. */
  private scratch = new Int32Array(64);

  /** `merges` holds (left, right) token ids per merge, in merge order; byte-level when empty. */
  constructor(readonly merges: Uint16Array = new Uint16Array(0)) {
    if (merges.length % 2 !== 0) throw new FemtoError('BAD_WEIGHTS', 'merge table has an odd length');
    this.pieces = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
    for (let r = 0; r < merges.length / 2; r++) {
      const a = merges[2 * r] as number;
      const b = merges[2 * r + 1] as number;
      const id = 256 + r;
      if (a >= id || b >= id) throw new FemtoError('BAD_WEIGHTS', `merge ${r} refers to a later token`);
      const pa = this.pieces[a] as Uint8Array;
      const pb = this.pieces[b] as Uint8Array;
      const joined = new Uint8Array(pa.length + pb.length);
      joined.set(pa);
      joined.set(pb, pa.length);
      this.pieces.push(joined);
      if (!this.ranks.has(pairKey(a, b))) this.ranks.set(pairKey(a, b), r);
    }
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  /** The bytes token `id` stands for. */
  bytesOf(id: number): Uint8Array {
    const p = this.pieces[id];
    if (!p) throw new FemtoError('OUT_OF_RANGE', `token ${id} outside vocabulary of ${this.pieces.length}`);
    return p;
  }

  encode(bytes: Uint8Array): Int32Array {
    if (this.merges.length === 0) return Int32Array.from(bytes);
    const out: number[] = [];
    forEachChunk(bytes, (s, e) => {
      for (const t of this.encodeChunk(bytes, s, e)) out.push(t);
    });
    return Int32Array.from(out);
  }

  /**
   * encode(bytes), with the tokens of `before` up to its last chunk kept when `bytes` begins
   * with its bytes: a context that grows by a token at a time is not encoded from the start
   * each time.
   */
  encodeExtending(bytes: Uint8Array, before: Encoding | null): Encoding {
    let from = 0;
    let kept = 0;
    if (before !== null && startsWith(bytes, before.bytes)) {
      from = before.lastChunkByte;
      kept = before.lastChunkToken;
    }
    // The new chunks' tokens go to scratch first, so the result is one array of the right size:
    // a typed array (or a view) per call was most of this method's time.
    let scratch = this.scratch;
    if (scratch.length < bytes.length - from) scratch = this.scratch = new Int32Array(2 * (bytes.length - from));
    let m = 0;
    let lastChunkByte = from;
    let lastChunkToken = kept;
    for (let s = from; s < bytes.length; ) {
      const e = chunkEnd(bytes, s);
      lastChunkByte = s;
      lastChunkToken = kept + m;
      const chunk = this.encodeChunk(bytes, s, e);
      for (let k = 0; k < chunk.length; k++) scratch[m++] = chunk[k] as number;
      s = e;
    }
    const ids = new Int32Array(kept + m);
    if (before !== null) for (let k = 0; k < kept; k++) ids[k] = before.ids[k] as number;
    for (let k = 0; k < m; k++) ids[kept + k] = scratch[k] as number;
    return { bytes: bytes.slice(), ids, lastChunkByte, lastChunkToken };
  }

  decode(ids: ArrayLike<number>): Uint8Array {
    let n = 0;
    for (let i = 0; i < ids.length; i++) n += this.bytesOf(ids[i] as number).length;
    const out = new Uint8Array(n);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const p = this.pieces[ids[i] as number] as Uint8Array;
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Applies the merges to one chunk, lowest rank first (as they were learned). */
  private encodeChunk(bytes: Uint8Array, s: number, e: number): Int32Array {
    // Chunks of up to six bytes (most words) are keyed by a number (length, then the bytes:
    // under 2^53), longer ones by a string; building a string key was most of a cache hit.
    let key: number | string;
    let hit: Int32Array | undefined;
    if (e - s <= SHORT_CHUNK) {
      let k = e - s;
      for (let i = s; i < e; i++) k = k * 256 + (bytes[i] as number);
      key = k;
      hit = this.shortCache.get(k);
    } else {
      let k = '';
      for (let i = s; i < e; i++) k += String.fromCharCode(bytes[i] as number);
      key = k;
      hit = this.cache.get(k);
    }
    if (hit) return hit;
    const sym: number[] = [];
    for (let i = s; i < e; i++) sym.push(bytes[i] as number);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < sym.length; i++) {
        const r = this.ranks.get(pairKey(sym[i] as number, sym[i + 1] as number));
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const a = sym[best] as number;
      const b = sym[best + 1] as number;
      for (let i = 0; i + 1 < sym.length; i++) {
        if (sym[i] === a && sym[i + 1] === b) sym.splice(i, 2, 256 + bestRank);
      }
    }
    const ids = Int32Array.from(sym);
    if (typeof key === 'number') {
      if (this.shortCache.size >= CACHE_LIMIT) this.shortCache.clear();
      this.shortCache.set(key, ids);
    } else {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, ids);
    }
    return ids;
  }

  /**
   * Learns `mergeCount` merges from `text`: repeatedly joins the most frequent adjacent pair of
   * tokens inside chunks (ties: the smallest pair of ids), so the result depends on the text alone.
   */
  static train(text: Uint8Array, mergeCount: number): BpeTokenizer {
    const types = new Map<string, number>();
    forEachChunk(text, (s, e) => {
      let key = '';
      for (let i = s; i < e; i++) key += String.fromCharCode(text[i] as number);
      types.set(key, (types.get(key) ?? 0) + 1);
    });
    const words: number[][] = [];
    const freq: number[] = [];
    for (const [k, f] of types) {
      if (k.length < 2) continue;
      words.push(Array.from(k, (c) => c.charCodeAt(0)));
      freq.push(f);
    }
    const pairs = new Map<number, number>();
    const add = (w: number[], f: number) => {
      for (let i = 0; i + 1 < w.length; i++) {
        const k = pairKey(w[i] as number, w[i + 1] as number);
        pairs.set(k, (pairs.get(k) ?? 0) + f);
      }
    };
    words.forEach((w, i) => add(w, freq[i] as number));
    const merges = new Uint16Array(2 * mergeCount);
    let made = 0;
    for (; made < mergeCount; made++) {
      let bestKey = -1;
      let bestCount = 0;
      for (const [k, c] of pairs) {
        if (c > bestCount || (c === bestCount && k < bestKey)) {
          bestCount = c;
          bestKey = k;
        }
      }
      if (bestCount < 2) break;
      const a = Math.floor(bestKey / 65536);
      const b = bestKey % 65536;
      const id = 256 + made;
      merges[2 * made] = a;
      merges[2 * made + 1] = b;
      for (let wi = 0; wi < words.length; wi++) {
        const w = words[wi] as number[];
        let has = false;
        for (let i = 0; i + 1 < w.length; i++) {
          if (w[i] === a && w[i + 1] === b) {
            has = true;
            break;
          }
        }
        if (!has) continue;
        const f = freq[wi] as number;
        add(w, -f);
        const next: number[] = [];
        for (let i = 0; i < w.length; i++) {
          if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
            next.push(id);
            i++;
          } else next.push(w[i] as number);
        }
        words[wi] = next;
        add(next, f);
      }
      for (const [k, c] of pairs) if (c <= 0) pairs.delete(k);
    }
    return new BpeTokenizer(merges.subarray(0, 2 * made));
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
