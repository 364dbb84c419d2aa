/**
 * Byte n-gram baselines FemtoLLM's bits per character are reported against, fitted on the
 * training text and evaluated on held-out text:
 *
 * - unigram and bigram with add-k smoothing (the first baselines);
 * - interpolated Kneser-Ney of orders 1..MAX_KN_ORDER with one absolute discount (0.75) at
 *   every order: the highest order uses raw counts, the lower ones continuation counts (in how
 *   many distinct one-byte-longer contexts an n-gram was seen), and the bottom interpolates with
 *   the uniform distribution over 256 bytes, so every byte has a probability and each
 *   distribution sums to 1.
 */
export const MAX_KN_ORDER = 5;
export const KN_DISCOUNT = 0.75;

/** Count tables of one n-gram length, keyed by the bytes packed little-endian (oldest first). */
interface OrderTable {
  /** Raw count of each n-gram. */
  readonly count: Map<number, number>;
  /** Number of distinct bytes preceding each n-gram in the text. */
  readonly cont: Map<number, number>;
  /** Per context (the n-gram minus its last byte): Σ count, distinct next bytes by count. */
  readonly ctxCount: Map<number, number>;
  readonly ctxTypes: Map<number, number>;
  /** The same over continuation counts. */
  readonly ctxCont: Map<number, number>;
  readonly ctxContTypes: Map<number, number>;
}

const POW256 = [1, 256, 65536, 16777216, 4294967296, 1099511627776];

function bump(m: Map<number, number>, key: number, by = 1): number {
  const v = (m.get(key) ?? 0) + by;
  m.set(key, v);
  return v;
}

export class NgramModel {
  private readonly unigram = new Float64Array(256);
  private readonly bigram = new Float64Array(256 * 256);
  private total = 0;
  /** tables[n] holds n-grams of n bytes (1..MAX_KN_ORDER); built on first KN use. */
  private tables: OrderTable[] | null = null;

  constructor(
    private readonly train: Uint8Array,
    private readonly k = 0.01,
  ) {
    for (let i = 0; i < train.length; i++) {
      const b = train[i] as number;
      this.unigram[b] = (this.unigram[b] as number) + 1;
      if (i > 0) {
        const at = (train[i - 1] as number) * 256 + b;
        this.bigram[at] = (this.bigram[at] as number) + 1;
      }
    }
    this.total = train.length;
  }

  unigramBits(text: Uint8Array): number {
    let bits = 0;
    const denom = this.total + 256 * this.k;
    for (let i = 1; i < text.length; i++) bits -= Math.log2(((this.unigram[text[i] as number] as number) + this.k) / denom);
    return bits / Math.max(1, text.length - 1);
  }

  bigramBits(text: Uint8Array): number {
    let bits = 0;
    for (let i = 1; i < text.length; i++) {
      const prev = text[i - 1] as number;
      const count = this.bigram[prev * 256 + (text[i] as number)] as number;
      const row = (this.unigram[prev] as number) + 256 * this.k;
      bits -= Math.log2((count + this.k) / row);
    }
    return bits / Math.max(1, text.length - 1);
  }

  private knTables(): OrderTable[] {
    if (this.tables) return this.tables;
    const text = this.train;
    const tables: OrderTable[] = [];
    for (let n = 0; n <= MAX_KN_ORDER; n++) {
      tables.push({ count: new Map(), cont: new Map(), ctxCount: new Map(), ctxTypes: new Map(), ctxCont: new Map(), ctxContTypes: new Map() });
    }
    for (let n = 1; n <= MAX_KN_ORDER; n++) {
      const t = tables[n] as OrderTable;
      for (let i = n - 1; i < text.length; i++) {
        let key = 0;
        for (let j = i - n + 1; j <= i; j++) key = key * 256 + (text[j] as number);
        // Raw counts; the first sighting of an n-gram adds a type to its context.
        if (bump(t.count, key) === 1) bump(t.ctxTypes, Math.floor(key / 256));
        bump(t.ctxCount, Math.floor(key / 256));
      }
    }
    // Continuation counts of n-grams: distinct one-byte-left extensions, i.e. the (n+1)-gram types
    // ending in them. The longest order's continuation counts are never used.
    for (let n = 1; n < MAX_KN_ORDER; n++) {
      const t = tables[n] as OrderTable;
      const longer = tables[n + 1] as OrderTable;
      const mod = POW256[n] as number;
      for (const key of longer.count.keys()) {
        const suffix = key % mod;
        if (bump(t.cont, suffix) === 1) bump(t.ctxContTypes, Math.floor(suffix / 256));
        bump(t.ctxCont, Math.floor(suffix / 256));
      }
    }
    this.tables = tables;
    return tables;
  }

  /**
   * Interpolated Kneser-Ney probability of `next` after `history` (its last order-1 bytes are
   * used) for an `order`-gram model.
   */
  knProbability(order: number, history: Uint8Array, next: number): number {
    if (!Number.isInteger(order) || order < 1 || order > MAX_KN_ORDER) throw new RangeError(`order ${order} outside 1..${MAX_KN_ORDER}`);
    const tables = this.knTables();
    const h = Math.min(order - 1, history.length);
    // Context keys for every suffix of the history, shortest first.
    let p = 1 / 256;
    for (let n = 1; n <= h + 1; n++) {
      let ctx = 0;
      for (let j = history.length - (n - 1); j < history.length; j++) ctx = ctx * 256 + (history[j] as number);
      const t = tables[n] as OrderTable;
      const top = n === h + 1 && n === order;
      const denom = (top ? t.ctxCount : t.ctxCont).get(ctx) ?? 0;
      if (denom === 0) continue; // unseen context: keep the lower-order estimate
      const key = ctx * 256 + next;
      const c = (top ? t.count : t.cont).get(key) ?? 0;
      const types = (top ? t.ctxTypes : t.ctxContTypes).get(ctx) ?? 0;
      p = (Math.max(c - KN_DISCOUNT, 0) + KN_DISCOUNT * types * p) / denom;
    }
    return p;
  }

  /** Held-out bits per byte of an interpolated Kneser-Ney `order`-gram model (every byte after the first). */
  knBits(order: number, text: Uint8Array): number {
    let bits = 0;
    for (let i = 1; i < text.length; i++) {
      bits -= Math.log2(this.knProbability(order, text.subarray(Math.max(0, i - order + 1), i), text[i] as number));
    }
    return bits / Math.max(1, text.length - 1);
  }
}
