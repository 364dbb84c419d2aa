import type { Random } from '../evgpu/Random.js';
import { geluScalar } from '../evgpu/kernels/activations.js';
import { VecMatArena } from '../evgpu/wasm/VecMatArena.js';
import type { BpeTokenizer, Encoding } from './BpeTokenizer.js';
import { ngramBucket } from './FemtoConfig.js';
import type { FemtoWeights } from './FemtoWeights.js';
import { SampleKernel } from './sampleWasm.js';
import { SoftmaxKernel } from './softmaxWasm.js';
import { REJECT, WordGuard } from './WordGuard.js';

/**
 * An instance's own 16×16 matrix, stored as int8 with one scale (256 bytes) inside a slab
 * shared by many instances; the final hidden state h becomes h + h·P before the output head.
 */
export interface Personality {
  readonly data: Int8Array;
  readonly offset: number;
  readonly scale: number;
  /**
   * A taught instance's output bias: one int8 per vocabulary token (times `biasScale`) added to
   * the logits after the head. Absent or null: none (an untaught instance).
   */
  readonly bias?: Int8Array | null;
  readonly biasScale?: number;
}

/** One instance's share of an ensemble (FemtoEngine.mixture). */
export interface MixtureMember {
  readonly personality: Personality | null;
  readonly temperature: number;
  readonly weight: number;
}

/** Bytes the model may emit: tab, newline and printable ASCII (the corpus is ASCII). */
export const EMITTABLE = (() => {
  const m = new Uint8Array(256);
  m[9] = 1;
  m[10] = 1;
  for (let c = 32; c < 127; c++) m[c] = 1;
  return m;
})();

/**
 * Single-sequence inference with a key/value cache and preallocated scratch: the fast path for
 * generation and evaluation (training uses the tape in FemtoGraph, the same maths). Not
 * re-entrant; one engine per thread.
 */
export class FemtoEngine {
  private readonly d: number;
  private readonly ctx: number;
  private readonly vocab: number;
  private readonly mlpWidth: number;
  /** Keys transposed ([hidden × context], so q·Kᵀ is one vecmat) and values ([context × hidden]). */
  private readonly keysT: Float32Array;
  private readonly values: Float32Array;
  private readonly x: Float32Array;
  private readonly h: Float32Array;
  private readonly q: Float32Array;
  private readonly att: Float32Array;
  private readonly y: Float32Array;
  private readonly hid: Float32Array;
  /** Arena views: an entry's normalised embedding and its q|k|v row. */
  private readonly h0: Float32Array;
  /** An entry's embedding sum while fillEntry builds it. */
  private readonly x0: Float32Array;
  /** Arena views: the instance's matrix as floats, and h + h·P. */
  private readonly pers: Float32Array;
  private readonly hp: Float32Array;
  private readonly qkv: Float32Array;
  readonly logits: Float32Array;
  /** Generation only ever emits tokens of EMITTABLE bytes, so its head computes just their columns. */
  private readonly emitIds: Int32Array;
  private readonly tokenizer: BpeTokenizer;
  /** Per emittable column: 1 if its token starts with a space (token healing, see decode). */
  private readonly spaceFirst: Uint8Array;
  private readonly healsSpace: boolean;
  /** Emittable column of each token id, -1 if it is not emittable. */
  private readonly columnOf: Int32Array;
  private readonly headbE: Float32Array;
  /** The loaded personality's output bias over the emittable columns (loadPersonality), and whether it has one. */
  private readonly biasE: Float32Array;
  private hasBias = false;
  private readonly logitsE: Float32Array;
  /**
   * The vector-matrix products of a token step live in one arena: WebAssembly SIMD memory where
   * available (vecmat runs there), a plain buffer otherwise. Offsets of its arrays:
   */
  private readonly arena = new VecMatArena();
  private readonly at: Record<'x' | 'h' | 'y' | 'hid' | 'logitsE' | 'wo' | 'w1' | 'w2' | 'headE' | 'h0' | 'qkv' | 'wqkv' | 'q' | 'att' | 'keysT' | 'values' | 'pers' | 'hp' | 'members' | 'expTable' | 'cum' | 'softmax', number>;
  private readonly emit4: number;
  private readonly probsE: Float32Array;
  /** A mixture over the emittable columns (mixHeads) and which of them a draw may pick (drawMixture). */
  private readonly mixAcc: Float32Array;
  private readonly drawable: Uint8Array;
  /** The tempered softmax in WebAssembly SIMD over the arena (null without it); probsE and mixAcc are its arrays. */
  private readonly softmax: SoftmaxKernel | null;
  /** logitsE without its padding, what the kernel reads. */
  private readonly emittedLogits: Float32Array;
  /** Running sums of a draw's weights (sample, in the arena) and the columns the word guard turned down. */
  private readonly cum: Float64Array;
  /** sample's pass in WebAssembly SIMD over the arena (null without it): the same sums. */
  private readonly sampler: SampleKernel | null;
  private readonly rejected = new Int32Array(24);
  /**
   * The members of the last mixture as floats (prepareMembers): each one's matrix in an arena
   * slot and its output bias over the emittable columns. An ensemble answer draws every token
   * from the same members; converting eight int8 matrices per token was 3 % of a cube op (issue 16).
   */
  private preparedMembers: readonly MixtureMember[] | null = null;
  private readonly memberBias: readonly Float32Array[];
  private readonly memberHasBias = new Uint8Array(MIX_SLOTS);
  private seq = new Int32Array(512);
  /**
   * Everything before attention depends only on (token, position): the embedding sum and its
   * q, k, v rows are memoised per pair (4 MiB when full), filled on first use.
   */
  private readonly entry: Float32Array;
  private readonly entryReady: Uint8Array;
  /**
   * With the hashed pair embedding, rows depend on (token, previous token, position): too many
   * triples for a table, so a direct-mapped cache of ENTRY_SLOTS rows keeps the recent ones, each
   * slot's triple in `entryKey` (-1: empty). A cube op's answers re-read the same prompts and
   * words: 185 k rows per 1000 ops were 103 k distinct triples (issue 16).
   */
  private readonly entryKey: Int32Array;
  /** Whether every (token, prev, pos) key fits in an int32. */
  private readonly tripleKeys: boolean;
  /**
   * The (token, previous token) whose key/value rows each window slot holds (-2: none). Rows are
   * a function of (token, previous, position) alone, so a slot that already holds the pair is
   * not rewritten: re-reading a context that only grew (ensemble and scoring loops re-read it
   * each token) computes just the new tail.
   */
  private readonly slotToken: Int32Array;
  private readonly slotPrev: Int32Array;
  /** Buckets of the hashed pair embedding (0: none) and its table. */
  private readonly ngram: number;
  private readonly wng: Float32Array;
  private readonly w: Record<'wte' | 'wpe' | 'ln1g' | 'ln1b' | 'wq' | 'wk' | 'wv' | 'wo' | 'ln2g' | 'ln2b' | 'w1' | 'b1' | 'w2' | 'b2' | 'lnfg' | 'lnfb' | 'head' | 'headb', Float32Array>;

  /** Keeps generated words in the base's lexicon (null without one, or with `wordGuard: false`). */
  private readonly guard: WordGuard | null;
  private guardState = 0;
  private readonly wordRows = new Map<number, Uint8Array>();
  /** The word guard's verdict on every token id for the row being built (wordColumns). */
  private readonly wordScratch: Uint8Array;
  /** The last text tokenized: ensemble and scoring contexts grow from it a token at a time. */
  private encoded: Encoding | null = null;

  /**
   * `simd: false` forces the plain-JS vector-matrix path (tests check both give the same);
   * `wordGuard: false` decodes without the word guard even if the weights carry a lexicon.
   */
  constructor(
    readonly weights: FemtoWeights,
    options: { readonly simd?: boolean; readonly wordGuard?: boolean } = {},
  ) {
    this.guard =
      weights.lexicon && options.wordGuard !== false
        ? new WordGuard(weights.lexicon, Array.from({ length: weights.tokenizer.vocabSize }, (_, id) => weights.tokenizer.bytesOf(id)))
        : null;
    const c = weights.config;
    this.d = c.hidden;
    this.ctx = c.context;
    this.vocab = c.vocab;
    this.mlpWidth = c.mlp;
    if (c.hidden % 4 !== 0 || c.mlp % 4 !== 0) throw new RangeError('hidden and mlp widths must be multiples of 4');
    this.tokenizer = weights.tokenizer;
    this.emitIds = Int32Array.from({ length: c.vocab }, (_, i) => i).filter((i) => this.tokenizer.bytesOf(i).every((b) => EMITTABLE[b] === 1));
    const emitCount = this.emitIds.length;
    this.spaceFirst = Uint8Array.from(this.emitIds, (id) => (this.tokenizer.bytesOf(id)[0] === 32 ? 1 : 0));
    this.healsSpace = this.tokenizer.merges.length > 0;
    this.emit4 = Math.ceil(emitCount / 4);
    const a = this.arena;
    this.at = {
      x: a.alloc(c.hidden), h: a.alloc(c.hidden), y: a.alloc(c.hidden), hid: a.alloc(c.mlp), logitsE: a.alloc(this.emit4 * 4),
      wo: a.alloc(c.hidden * c.hidden), w1: a.alloc(c.hidden * c.mlp), w2: a.alloc(c.mlp * c.hidden), headE: a.alloc(c.hidden * this.emit4 * 4),
      h0: a.alloc(c.hidden), qkv: a.alloc(3 * c.hidden), wqkv: a.alloc(c.hidden * 3 * c.hidden),
      pers: a.alloc(c.hidden * c.hidden), hp: a.alloc(c.hidden), members: a.alloc(MIX_SLOTS * c.hidden * c.hidden),
      q: a.alloc(c.hidden), att: a.alloc(c.context), keysT: a.alloc(c.hidden * c.context), values: a.alloc(c.context * c.hidden),
      // sample's exp table with a 0 after it, and its running sums as float64 (two floats each)
      expTable: a.alloc(EXP_TABLE.length + 1), cum: a.alloc(2 * this.emit4 * 4),
      softmax: a.alloc(SoftmaxKernel.floats(emitCount)),
    };
    if (c.context % 4 !== 0) throw new RangeError('context must be a multiple of 4');
    a.seal(options.simd ?? true);
    this.x = a.view(this.at.x, c.hidden);
    this.h0 = a.view(this.at.h0, c.hidden);
    this.x0 = new Float32Array(c.hidden);
    this.qkv = a.view(this.at.qkv, 3 * c.hidden);
    this.h = a.view(this.at.h, c.hidden);
    this.q = a.view(this.at.q, c.hidden);
    this.pers = a.view(this.at.pers, c.hidden * c.hidden);
    this.hp = a.view(this.at.hp, c.hidden);
    this.att = a.view(this.at.att, c.context);
    this.keysT = a.view(this.at.keysT, c.hidden * c.context);
    this.values = a.view(this.at.values, c.context * c.hidden);
    this.y = a.view(this.at.y, c.hidden);
    this.hid = a.view(this.at.hid, c.mlp);
    this.ngram = c.ngram ?? 0;
    this.wng = this.ngram > 0 ? weights.get('wng') : new Float32Array(0);
    this.entry = new Float32Array((this.ngram > 0 ? ENTRY_SLOTS : c.vocab * c.context) * 4 * c.hidden);
    this.entryReady = new Uint8Array(this.ngram > 0 ? 0 : c.vocab * c.context);
    this.entryKey = new Int32Array(this.ngram > 0 ? ENTRY_SLOTS : 0).fill(-1);
    this.tripleKeys = (c.vocab + 1) * (c.vocab + 1) * c.context < 2 ** 31;
    this.slotToken = new Int32Array(c.context).fill(-2);
    this.slotPrev = new Int32Array(c.context);
    this.logits = new Float32Array(c.vocab);
    const e = this.emitIds.length;
    this.columnOf = new Int32Array(c.vocab).fill(-1);
    this.emitIds.forEach((id, j) => (this.columnOf[id] = j));
    this.logitsE = a.view(this.at.logitsE, this.emit4 * 4);
    this.emittedLogits = this.logitsE.subarray(0, e);
    // In the arena's memory, so its passes read attention's scores and the head's logits in place.
    const memory = a.wasmMemory;
    this.softmax = (options.simd ?? true) && memory !== null ? SoftmaxKernel.create(e, { memory, at: 4 * this.at.softmax }) : null;
    this.probsE = this.softmax?.probs ?? new Float32Array(e);
    this.mixAcc = this.softmax?.acc ?? new Float32Array(e);
    this.drawable = new Uint8Array(e);
    const cumFloats = a.view(this.at.cum, 2 * this.emit4 * 4);
    this.cum = new Float64Array(cumFloats.buffer, cumFloats.byteOffset, this.emit4 * 4);
    a.view(this.at.expTable, EXP_TABLE.length + 1).set(EXP_TABLE);
    this.sampler = (options.simd ?? true) ? SampleKernel.create(a.wasmMemory, EXP_TABLE.length) : null;
    this.headbE = new Float32Array(this.emit4 * 4);
    this.biasE = new Float32Array(e);
    this.wordScratch = new Uint8Array(c.vocab);
    this.memberBias = Array.from({ length: MIX_SLOTS }, () => new Float32Array(e));
    const g = (n: Parameters<FemtoWeights['get']>[0]) => weights.get(n);
    this.w = {
      wte: g('wte'), wpe: g('wpe'), ln1g: g('ln1g'), ln1b: g('ln1b'), wq: g('wq'), wk: g('wk'), wv: g('wv'), wo: g('wo'),
      ln2g: g('ln2g'), ln2b: g('ln2b'), w1: g('w1'), b1: g('b1'), w2: g('w2'), b2: g('b2'), lnfg: g('lnfg'), lnfb: g('lnfb'),
      head: g('head'), headb: g('headb'),
    };
    this.syncArena();
  }

  /**
   * Call after changing the weights in place (training): drops the memoised per-pair rows and
   * re-copies the matrices the arena holds.
   */
  weightsChanged(): void {
    this.entryReady.fill(0);
    this.entryKey.fill(-1);
    this.slotToken.fill(-2);
    this.changes++;
    this.syncArena();
  }

  /** Copies wo, w1, w2 and the emittable columns of the head (zero-padded to a multiple of 4) into the arena. */
  private syncArena(): void {
    const { arena: a, at, d, mlpWidth, vocab, w } = this;
    const width = this.emit4 * 4;
    const headE = a.view(at.headE, d * width);
    this.emitIds.forEach((id, j) => {
      this.headbE[j] = w.headb[id] as number;
      for (let i = 0; i < d; i++) headE[i * width + j] = w.head[i * vocab + id] as number;
    });
    a.view(at.wo, d * d).set(w.wo);
    // q, k and v of an entry in one product: row i of wqkv is row i of wq, wk, wv side by side.
    const wqkv = a.view(at.wqkv, d * 3 * d);
    for (let i = 0; i < d; i++) {
      wqkv.set(w.wq.subarray(i * d, (i + 1) * d), i * 3 * d);
      wqkv.set(w.wk.subarray(i * d, (i + 1) * d), i * 3 * d + d);
      wqkv.set(w.wv.subarray(i * d, (i + 1) * d), i * 3 * d + 2 * d);
    }
    a.view(at.w1, d * mlpWidth).set(w.w1);
    a.view(at.w2, mlpWidth * d).set(w.w2);
  }

  /** Counts weightsChanged() calls (weightsVersion). */
  private changes = 0;

  /** Moves on each weightsChanged(): results remembered under an older version are stale. */
  get weightsVersion(): number {
    return this.changes;
  }

  get usesSimd(): boolean {
    return this.arena.usesSimd;
  }

  get contextSize(): number {
    return this.ctx;
  }

  /**
   * Generates `maxTokens` tokens after `prompt` at `temperature`, drawing from `rng`, and returns
   * their bytes. Long sequences slide: when the window fills, the newest half is re-read at
   * positions 0.. .
   */
  generate(prompt: Uint8Array, maxTokens: number, temperature: number, rng: Random, personality: Personality | null): Uint8Array {
    return this.decode(prompt, maxTokens, personality, false, () => this.sample(temperature, rng));
  }

  /**
   * Greedy decoding (the most likely token each step) with a repetition guard: a token that
   * would repeat a token trigram already in the prompt or the answer is skipped for the next
   * most likely one. Without the guard a model this small falls into loops ("the and the and").
   */
  greedy(prompt: Uint8Array, maxTokens: number, personality: Personality | null): Uint8Array {
    return this.decode(prompt, maxTokens, personality, true, () => this.argmax());
  }

  private decode(prompt: Uint8Array, maxTokens: number, personality: Personality | null, guard: boolean, pick: () => number): Uint8Array {
    // Token healing: a word's leading space belongs to the word's token (" ethic"), so a prompt
    // ending in a space is read without it and the first token must start with one; that
    // space, already in the prompt, is not repeated in the answer.
    const heal = this.healsSpace && prompt.length > 0 && prompt[prompt.length - 1] === 32;
    const ids = this.tokenize(heal ? prompt.subarray(0, prompt.length - 1) : prompt);
    const from = Math.max(0, ids.length - (this.ctx >> 1));
    const start = ids.subarray(from);
    const total = start.length + maxTokens;
    if (this.seq.length < total) this.seq = new Int32Array(total * 2);
    const seq = this.seq;
    seq.set(start);
    let len = start.length;
    let pos = this.prefill(seq, 0, len, true, from > 0 ? (ids[from - 1] as number) : -1);
    const out = new Int32Array(maxTokens);
    if (this.guard) this.guardState = this.guard.start(prompt);
    if (personality) this.loadPersonality(personality);
    for (let t = 0; t < maxTokens; t++) {
      this.head(personality, true, true);
      if (t === 0 && heal) this.maskUnless(this.spaceFirst);
      if (guard) this.banRepeats(seq, len);
      const tok = pick();
      out[t] = tok;
      seq[len++] = tok;
      if (t === maxTokens - 1) break;
      if (pos === this.ctx) pos = this.prefill(seq, len - (this.ctx >> 1), len - 1, false, seq[len - (this.ctx >> 1) - 1] as number);
      this.step(tok, len > 1 ? (seq[len - 2] as number) : -1, pos++);
    }
    const bytes = this.tokenizer.decode(out);
    return heal && maxTokens > 0 ? bytes.subarray(1) : bytes;
  }

  /** Token ids of `bytes`; an empty text reads as one newline (a fresh paragraph). */
  private tokenize(bytes: Uint8Array): Int32Array {
    if (bytes.length === 0) return Int32Array.of(10);
    this.encoded = this.tokenizer.encodeExtending(bytes, this.encoded);
    return this.encoded.ids;
  }

  /** Reads the last `context size` tokens of `context` (all but the last only to the k/v cache). */
  private readWindow(context: Uint8Array): void {
    const ids = this.tokenize(context);
    const from = Math.max(0, ids.length - this.ctx);
    this.prefill(ids, from, ids.length, true, from > 0 ? (ids[from - 1] as number) : -1);
  }

  /** Tempered next-token distribution after `context` (its last `context size` tokens): one entry per vocabulary token. */
  distribution(context: Uint8Array, temperature: number, personality: Personality | null, out = new Float32Array(this.vocab)): Float32Array {
    this.readWindow(context);
    this.head(personality, true);
    this.tempered(temperature);
    out.fill(0);
    for (let j = 0; j < this.emitIds.length; j++) out[this.emitIds[j] as number] = this.probsE[j] as number;
    return out;
  }

  /**
   * Σ wᵢ·pᵢ over several instances' tempered distributions after the same `context`: the block
   * runs once, only the head (personality) and the temperature differ per instance. Accumulates
   * in the same order and precision as summing `distribution` results, so it gives the same floats.
   */
  mixture(context: Uint8Array, members: readonly MixtureMember[], out = new Float32Array(this.vocab)): Float32Array {
    this.readWindow(context);
    const acc = this.mixHeads(members);
    out.fill(0);
    const { emitIds } = this;
    for (let j = 0; j < emitIds.length; j++) out[emitIds[j] as number] = acc[j] as number;
    return out;
  }

  /**
   * One token of ensemble decoding: what drawing from `mixture(context, members)` gives, bit for
   * bit (the walk in token order, restricted and renormalised as ensemble.ts's `draw` does), read
   * from the emittable columns without a vocabulary-sized array. `wordState`: the word guard's
   * state, null for no guard; `needSpace`: only tokens that start with a space (token healing).
   */
  drawMixture(context: Uint8Array, members: readonly MixtureMember[], rng: Random, wordState: number | null, needSpace: boolean): number {
    this.readWindow(context);
    const r = rng.next();
    if (this.softmax !== null) {
      const quick = this.quickDraw(this.softmax, members, r, wordState, needSpace);
      if (quick >= 0) return this.emitIds[quick] as number;
    }
    const acc = this.mixHeads(members);
    const total = this.markDrawable(acc, wordState, needSpace);
    const { emitIds, drawable } = this;
    let u = r * total;
    let last = -1;
    for (let j = 0; j < emitIds.length; j++) {
      if (drawable[j] === 0) continue;
      last = j;
      u -= acc[j] as number;
      if (u < 0) return emitIds[j] as number;
    }
    return last < 0 ? 32 : (emitIds[last] as number);
  }

  /**
   * Marks in `drawable` the columns a draw from `mix` may pick (weight above 0, and the word
   * guard's and healing's say) and returns the total the walk scales u by: their sum, or 1
   * without a restriction, as the unrestricted draw does.
   */
  private markDrawable(mix: Float32Array, wordState: number | null, needSpace: boolean): number {
    const { drawable } = this;
    const n = this.emitIds.length;
    const allowed = this.allowedColumns(wordState, needSpace);
    if (allowed === null) {
      for (let j = 0; j < n; j++) drawable[j] = (mix[j] as number) > 0 ? 1 : 0;
      return 1;
    }
    let total = 0;
    for (let j = 0; j < n; j++) {
      const a = mix[j] as number;
      const ok = a > 0 && allowed[j] === 1;
      drawable[j] = ok ? 1 : 0;
      if (ok) total += a;
    }
    return total;
  }

  /**
   * The columns the word guard (after `wordState`; null: no guard) and token healing
   * (`needSpace`: only tokens that start with a space) leave a draw, 1/0; null when both allow
   * every column. One row per (state, needSpace), kept by wordColumns.
   */
  private allowedColumns(wordState: number | null, needSpace: boolean): Uint8Array | null {
    if (wordState === null) return needSpace ? this.spaceFirst : null;
    return this.wordColumns(wordState, needSpace);
  }

  /**
   * The ensemble draw decided from the kernel's quick float32 softmaxes when they settle it, else
   * −1. Each quick entry of the mixture is within QUICK_ERROR (relative) plus QUICK_MASS
   * (absolute) of the exact one, and so are the walk's running sums and total; so when u·total
   * lies farther than twice that from the running sums either side of the quick pick, the exact
   * walk picks the same column. Otherwise (about one draw in twenty in the cube bench, mostly
   * picks among many small columns) the exact path runs. The bound needs weights of 0 or more.
   * Exact softmaxes were most of an ensemble token's time (issue 16).
   */
  private quickDraw(kernel: SoftmaxKernel, members: readonly MixtureMember[], r: number, wordState: number | null, needSpace: boolean): number {
    const mix = kernel.quickMix;
    mix.fill(0);
    for (const m of members) if (!(m.weight >= 0 && m.weight < Infinity)) return -1;
    const prepared = this.beginMemberHeads(members);
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as MixtureMember;
      this.memberLogits(i, m, prepared);
      this.padLogits();
      const sum = kernel.quickExpsAt(4 * this.at.logitsE, 1 / Math.max(m.temperature, 1e-3));
      // The largest column's e is 1, so a sum below ½ (or NaN) is not a case the bound covers.
      if (!(sum >= 0.5)) return -1;
      kernel.quickAccumulate(m.weight / sum);
    }
    // The walk reads the allowed row directly (no drawable marks): what markDrawable and the
    // exact walk would pick over, in the same column order.
    const n = this.emitIds.length;
    const allowed = this.allowedColumns(wordState, needSpace);
    let total = 1;
    if (allowed !== null) {
      total = 0;
      for (let j = 0; j < n; j++) {
        if (allowed[j] === 0) continue;
        const a = mix[j] as number;
        if (a > 0) total += a;
      }
    }
    if (!(total >= QUICK_SMALLEST_TOTAL)) return -1;
    const u = r * total;
    const margin = 2 * (QUICK_ERROR * total + QUICK_MASS);
    let below = 0;
    for (let j = 0; j < n; j++) {
      if (allowed !== null && allowed[j] === 0) continue;
      const a = mix[j] as number;
      if (!(a > 0)) continue;
      const above = below + a;
      if (above > u) return above - u > margin && u - below > margin ? j : -1;
      below = above;
    }
    return -1;
  }

  /**
   * Which emittable columns the word guard allows after `state` (1/0). A draw asks about every
   * column, and states recur (between words, and the same word beginnings), so each state's row
   * is computed once; at most WORD_ROWS are kept.
   */
  private wordColumns(state: number, needSpace: boolean): Uint8Array {
    const key = 2 * state + (needSpace ? 1 : 0);
    let row = this.wordRows.get(key);
    if (row !== undefined) return row;
    const guard = this.guard;
    if (guard === null) throw new RangeError('a word state without a word guard');
    if (this.wordRows.size >= WORD_ROWS) this.wordRows.clear();
    const { emitIds: ids, spaceFirst, wordScratch } = this;
    guard.allowsAll(state, wordScratch);
    row = new Uint8Array(ids.length);
    for (let j = 0; j < ids.length; j++) row[j] = (!needSpace || spaceFirst[j] === 1) && wordScratch[ids[j] as number] === 1 ? 1 : 0;
    this.wordRows.set(key, row);
    return row;
  }

  /** Σ wᵢ·pᵢ over the emittable columns after the window just read, into `mixAcc` (float32, members in order, as `mixture` sums). */
  private mixHeads(members: readonly MixtureMember[]): Float32Array {
    const { mixAcc, probsE } = this;
    const n = mixAcc.length;
    mixAcc.fill(0);
    const prepared = this.beginMemberHeads(members);
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as MixtureMember;
      this.memberLogits(i, m, prepared);
      const inv = 1 / this.exps(m.temperature);
      const w = m.weight;
      if (this.softmax !== null) this.softmax.accumulate(inv, w);
      else for (let j = 0; j < n; j++) mixAcc[j] = (mixAcc[j] as number) + w * Math.fround((probsE[j] as number) * inv);
    }
    return mixAcc;
  }

  /**
   * p(token | context) at `temperature`: entry `token` of `distribution(...)`, the same float,
   * without filling a vocabulary-sized array.
   */
  probabilityOf(context: Uint8Array, temperature: number, personality: Personality | null, token: number): number {
    this.readWindow(context);
    this.head(personality, true);
    const inv = 1 / this.exps(temperature);
    const j = token >= 0 && token < this.vocab ? (this.columnOf[token] as number) : -1;
    return j < 0 ? 0 : Math.fround((this.probsE[j] as number) * inv);
  }

  /**
   * Average bits per byte (character) of `text` under the base model: the text is tokenized,
   * read in windows of the context size (each token after the first of a window is predicted
   * from the tokens before it there), and the bits of the predicted tokens are divided by the
   * bytes they cover, so tokenizers of any vocabulary compare. With `personality`: under that
   * instance (its matrix and output bias, temperature 1).
   */
  bitsPerByte(text: Uint8Array, personality: Personality | null = null): number {
    const ids = this.tokenizer.encode(text);
    let bits = 0;
    let bytes = 0;
    for (let w = 0; w + 1 < ids.length; w += this.ctx) {
      const end = Math.min(ids.length, w + this.ctx);
      for (let i = w; i < end - 1; i++) {
        this.step(ids[i] as number, i > 0 ? (ids[i - 1] as number) : -1, i - w);
        this.head(personality, false);
        const next = ids[i + 1] as number;
        bits -= this.logSoftmaxAt(next) / Math.LN2;
        bytes += this.tokenizer.bytesOf(next).length;
      }
    }
    return bytes === 0 ? 0 : bits / bytes;
  }

  /**
   * What an instance's own parameters see of `text`: for every token that `bitsPerByte` predicts
   * (same windows), the base's final normalised hidden state before it (row-major [n × hidden])
   * and the token. The base is frozen while an instance is taught, so these are computed once
   * and teaching runs on them alone (FemtoTeacher).
   */
  finalStates(text: Uint8Array): { readonly hidden: Float32Array; readonly targets: Int32Array } {
    const ids = this.tokenizer.encode(text);
    const n = Math.max(0, ids.length - Math.ceil(ids.length / this.ctx));
    const hidden = new Float32Array(n * this.d);
    const targets = new Int32Array(n);
    let r = 0;
    for (let w = 0; w + 1 < ids.length; w += this.ctx) {
      const end = Math.min(ids.length, w + this.ctx);
      for (let i = w; i < end - 1; i++) {
        this.step(ids[i] as number, i > 0 ? (ids[i - 1] as number) : -1, i - w);
        layerNorm(this.x, this.w.lnfg, this.w.lnfb, this.h, this.d);
        hidden.set(this.h, r * this.d);
        targets[r++] = ids[i + 1] as number;
      }
    }
    return { hidden: hidden.subarray(0, r * this.d), targets: targets.subarray(0, r) };
  }

  /**
   * Reads seq[from..to-1] at positions 0.. and returns the next free position. With one layer,
   * attention's keys and values depend only on (byte, position), so earlier tokens just load
   * their cached k/v rows; only the last (when `computeLast`) runs the whole block, since only
   * its output reaches a head. Exact, and what makes long prompts cheap.
   */
  private prefill(seq: Int32Array, from: number, to: number, computeLast: boolean, prev0: number): number {
    let pos = 0;
    const last = computeLast ? to - 1 : to;
    for (let i = from; i < last; i++) this.load(seq[i] as number, i > from ? (seq[i - 1] as number) : prev0, pos++);
    if (computeLast && to > from) this.step(seq[to - 1] as number, to - 1 > from ? (seq[to - 2] as number) : prev0, pos++);
    return pos;
  }

  /**
   * Offset in `entry` of the embedding sum and q/k/v rows of `token` after `prev` at `pos`:
   * memoised per (token, position) pair, or, with the hashed pair embedding (which depends on
   * `prev` too), kept in the slot of the (token, prev, pos) triple while no other triple takes it.
   */
  private entryAt(token: number, prev: number, pos: number): number {
    if (this.ngram > 0) {
      const key = ((token * (this.vocab + 1) + prev + 1) * this.ctx + pos) | 0;
      const slot = Math.imul(key, 0x9e3779b1) >>> (32 - ENTRY_BITS);
      const eo = slot * 4 * this.d;
      // A key past int32 (a vocabulary of thousands) would wrap: then rows are never reused.
      if (!this.tripleKeys || this.entryKey[slot] !== key) {
        this.fillEntry(token, prev, pos, eo);
        this.entryKey[slot] = this.tripleKeys ? key : -1;
      }
      return eo;
    }
    const pair = token * this.ctx + pos;
    const eo = pair * 4 * this.d;
    if (this.entryReady[pair] === 0) {
      this.fillEntry(token, prev, pos, eo);
      this.entryReady[pair] = 1;
    }
    return eo;
  }

  /** Stores the key and value rows of `token` (after `prev`) at `pos` without running the block. */
  private load(token: number, prev: number, pos: number): void {
    if (this.slotToken[pos] === token && this.slotPrev[pos] === prev) return;
    this.slotToken[pos] = token;
    this.slotPrev[pos] = prev;
    const d = this.d;
    const eo = this.entryAt(token, prev, pos);
    const { entry, keysT, values, ctx } = this;
    for (let i = 0; i < d; i++) {
      keysT[i * ctx + pos] = entry[eo + 2 * d + i] as number;
      values[pos * d + i] = entry[eo + 3 * d + i] as number;
    }
  }

  /** One token (after `prev`) through the block at `pos`; leaves the residual stream in `x`. */
  private step(token: number, prev: number, pos: number): void {
    const { d, x, h, q, att, y, w } = this;
    const eo = this.entryAt(token, prev, pos);
    const { entry, keysT, values, ctx, arena, at } = this;
    this.slotToken[pos] = token;
    this.slotPrev[pos] = prev;
    // Element by element, not set(subarray): a view per token was garbage per token.
    for (let i = 0; i < d; i++) {
      x[i] = entry[eo + i] as number;
      q[i] = entry[eo + d + i] as number;
      keysT[i * ctx + pos] = entry[eo + 2 * d + i] as number;
      values[pos * d + i] = entry[eo + 3 * d + i] as number;
    }
    // q was stored pre-scaled by 1/√d (fillEntry). Scores for every slot of the window in one
    // product (slots after pos hold stale keys and are ignored).
    att.fill(0);
    arena.vecmat(at.q, at.keysT, at.att, d, ctx >> 2);
    // The softmax kernel's exps at 1/temperature 1 is this loop bit for bit (fdlibm's exp, the
    // sum in slot order) on the scores where they are; NaN (a NaN or infinite maximum) hands back.
    let sum = NaN;
    const kernel = this.softmax;
    if (kernel !== null) {
      // An odd count reads one slot more, a stale score: −∞ weighs 0 and leaves the sum alone.
      if ((pos & 1) === 0) att[pos + 1] = -Infinity;
      sum = kernel.expsAt(4 * at.att, 4 * at.att, (pos + 2) >> 1, 1);
    }
    if (sum !== sum) {
      let max = -Infinity;
      for (let t = 0; t <= pos; t++) if ((att[t] as number) > max) max = att[t] as number;
      sum = 0;
      for (let t = 0; t <= pos; t++) {
        const e = Math.exp((att[t] as number) - max);
        att[t] = e;
        sum += e;
      }
    }
    const invSum = 1 / sum;
    for (let t = 0; t <= pos; t++) att[t] = (att[t] as number) * invSum;
    y.fill(0);
    arena.vecmat(at.att, at.values, at.y, pos + 1, d >> 2);
    this.arena.vecmat(this.at.y, this.at.wo, this.at.x, d, d >> 2);
    layerNorm(x, w.ln2g, w.ln2b, h, d);
    const hid = this.hid;
    hid.set(w.b1);
    this.arena.vecmat(this.at.h, this.at.w1, this.at.hid, d, this.mlpWidth >> 2);
    for (let j = 0; j < this.mlpWidth; j++) hid[j] = geluFast(hid[j] as number);
    for (let i = 0; i < d; i++) x[i] = (x[i] as number) + (w.b2[i] as number);
    this.arena.vecmat(this.at.hid, this.at.w2, this.at.x, this.mlpWidth, d >> 2);
  }

  private fillEntry(token: number, prev: number, pos: number, eo: number): void {
    const { d, w, entry } = this;
    const x0 = this.x0;
    for (let i = 0; i < d; i++) x0[i] = (w.wte[token * d + i] as number) + (w.wpe[pos * d + i] as number);
    if (this.ngram > 0) {
      const bo = ngramBucket(prev, token, this.ngram) * d;
      for (let i = 0; i < d; i++) x0[i] = (x0[i] as number) + (this.wng[bo + i] as number);
    }
    const { arena, at } = this;
    layerNorm(x0, w.ln1g, w.ln1b, this.h0, d);
    const qkv = this.qkv;
    qkv.fill(0);
    arena.vecmat(at.h0, at.wqkv, at.qkv, d, (3 * d) >> 2);
    const inv = 1 / Math.sqrt(d);
    for (let i = 0; i < d; i++) {
      entry[eo + i] = x0[i] as number;
      entry[eo + d + i] = (qkv[i] as number) * inv;
    }
    for (let i = 0; i < 2 * d; i++) entry[eo + 2 * d + i] = qkv[d + i] as number;
  }

  /**
   * Final norm, the instance's matrix, and the output head: into `logitsE` (emittable bytes
   * only) for sampling, or into the full `logits` for evaluation.
   */
  private head(personality: Personality | null, emittableOnly: boolean, loaded = false): void {
    const { d, h, w, arena, at } = this;
    layerNorm(this.x, w.lnfg, w.lnfb, h, d);
    let input = at.h;
    if (personality) {
      // h + h·P on the SIMD kernel, P as floats in the arena (loaded once per request by decode).
      if (!loaded) this.loadPersonality(personality);
      this.hp.set(h);
      arena.vecmat(at.h, at.pers, at.hp, d, d >> 2);
      input = at.hp;
      if (!emittableOnly) h.set(this.hp);
    }
    if (emittableOnly) {
      this.logitsE.set(this.headbE);
      arena.vecmat(input, at.headE, at.logitsE, d, this.emit4);
      if (personality !== null && this.hasBias) this.addBias(this.logitsE, this.biasE, this.biasE.length, 1);
    } else {
      this.logits.set(w.headb);
      matVecAdd(h, w.head, this.logits, d, this.vocab);
      const bias = personality?.bias;
      if (bias) this.addBias(this.logits, bias, this.vocab, personality?.biasScale ?? 0);
    }
  }

  /** out[j] += bias[j] · scale: a taught instance's output bias (kept out of `head`, the hot path). */
  private addBias(out: Float32Array, bias: Float32Array | Int8Array, n: number, scale: number): void {
    for (let j = 0; j < n; j++) out[j] = (out[j] as number) + (bias[j] as number) * scale;
  }

  /** The instance's int8 matrix as floats into the arena (read afresh: it may have been changed in place). */
  private loadPersonality(p: Personality): void {
    const { data, offset, scale } = p;
    const pers = this.pers;
    for (let i = 0; i < pers.length; i++) pers[i] = (data[offset + i] as number) * scale;
    const bias = p.bias;
    this.hasBias = bias !== undefined && bias !== null;
    if (bias) {
      const s = p.biasScale ?? 0;
      const { biasE, emitIds } = this;
      for (let j = 0; j < biasE.length; j++) biasE[j] = (bias[emitIds[j] as number] as number) * s;
    }
  }

  /** Before the members' heads of one token: their slots converted and, if so, the final norm once for all of them. */
  private beginMemberHeads(members: readonly MixtureMember[]): boolean {
    const prepared = this.prepareMembers(members);
    if (prepared) layerNorm(this.x, this.w.lnfg, this.w.lnfb, this.h, this.d);
    return prepared;
  }

  /** Member i's logits for the token: from its converted slot, or through `head` when there were too many members. */
  private memberLogits(i: number, m: MixtureMember, prepared: boolean): void {
    if (prepared) this.memberHead(i, m.personality !== null);
    else this.head(m.personality, true);
  }

  /**
   * Converts the members' matrices and biases into their slots (prepareMembers' floats) unless
   * `members` is the array converted last; false when there are more members than slots. The
   * same array means the same members: FemtoLlm.ensemble builds a fresh one for each answer,
   * and its members are valid only while the nodes' lessons stay as they are.
   */
  private prepareMembers(members: readonly MixtureMember[]): boolean {
    if (members === this.preparedMembers) return true;
    if (members.length > MIX_SLOTS) return false;
    const { d, arena, at, emitIds } = this;
    const e = emitIds.length;
    for (let i = 0; i < members.length; i++) {
      const p = (members[i] as MixtureMember).personality;
      this.memberHasBias[i] = 0;
      if (p === null) continue;
      const pers = arena.view(at.members + i * d * d, d * d);
      const { data, offset, scale } = p;
      for (let k = 0; k < pers.length; k++) pers[k] = (data[offset + k] as number) * scale;
      const bias = p.bias;
      if (bias) {
        const s = p.biasScale ?? 0;
        const row = this.memberBias[i] as Float32Array;
        for (let j = 0; j < e; j++) row[j] = (bias[emitIds[j] as number] as number) * s;
        this.memberHasBias[i] = 1;
      }
    }
    this.preparedMembers = members;
    return true;
  }

  /**
   * `head(personality, true)` for prepared member `i`, with `h` already the final norm of `x`
   * (the same for every member): the same products in the same order, so the same logits.
   */
  private memberHead(i: number, hasPersonality: boolean): void {
    const { d, arena, at } = this;
    let input = at.h;
    if (hasPersonality) {
      this.hp.set(this.h);
      arena.vecmat(at.h, at.members + i * d * d, at.hp, d, d >> 2);
      input = at.hp;
    }
    this.logitsE.set(this.headbE);
    arena.vecmat(input, at.headE, at.logitsE, d, this.emit4);
    if (hasPersonality && this.memberHasBias[i] === 1) this.addBias(this.logitsE, this.memberBias[i] as Float32Array, this.biasE.length, 1);
  }

  /** Softmax of `logitsE / temperature` into `probsE`. */
  private tempered(temperature: number): void {
    const { probsE } = this;
    const inv = 1 / this.exps(temperature);
    for (let j = 0; j < probsE.length; j++) probsE[j] = (probsE[j] as number) * inv;
  }

  /** e^((logitsE − max) / temperature) into `probsE` (float32); returns their sum, taken before rounding. */
  private exps(temperature: number): number {
    const { logitsE, probsE } = this;
    const n = probsE.length;
    const invT = 1 / Math.max(temperature, 1e-3);
    const kernel = this.softmax;
    // The kernel covers arguments ≤ 0 that are not NaN: a finite positive 1/temperature.
    if (kernel !== null && invT > 0 && invT < Infinity) {
      this.padLogits();
      const sum = kernel.expsAt(4 * this.at.logitsE, this.probsE.byteOffset, this.emit4 * 2, invT);
      if (sum === sum) return sum;
    }
    let max = -Infinity;
    for (let j = 0; j < n; j++) if ((logitsE[j] as number) > max) max = logitsE[j] as number;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(((logitsE[j] as number) - max) * invT);
      probsE[j] = e;
      sum += e;
    }
    return sum;
  }

  /**
   * −∞ in the logits past the emittable columns: the kernels read whole groups of four (pairs for
   * the exact softmax), and a padding column must weigh nothing (the head leaves it at 0).
   */
  private padLogits(): void {
    const l = this.logitsE;
    for (let j = this.emitIds.length; j < l.length; j++) l[j] = -Infinity;
  }

  /** Excludes the emittable columns whose `allowed` entry is 0 from the next pick. */
  private maskUnless(allowed: Uint8Array): void {
    const l = this.logitsE;
    for (let j = 0; j < allowed.length; j++) if (allowed[j] === 0) l[j] = -Infinity;
  }

  /** Excludes every token c for which (seq[len-2], seq[len-1], c) already occurs in seq. */
  private banRepeats(seq: Int32Array, len: number): void {
    if (len < 2) return;
    const a = seq[len - 2] as number;
    const b = seq[len - 1] as number;
    for (let i = 0; i + 2 < len; i++) {
      if (seq[i] === a && seq[i + 1] === b) {
        const col = this.columnOf[seq[i + 2] as number] as number;
        if (col >= 0) this.logitsE[col] = -Infinity;
      }
    }
  }

  /** The most likely column the word guard accepts (see `accept`). */
  private argmax(): number {
    const l = this.logitsE;
    for (;;) {
      let best = 0;
      for (let j = 1; j < this.emitIds.length; j++) if ((l[j] as number) > (l[best] as number)) best = j;
      if (this.accept(best) || l[best] === -Infinity) return this.emitIds[best] as number;
      l[best] = -Infinity;
    }
  }

  /** Whether the word guard lets column `j` follow (moving its state if so); true without a guard. */
  private accept(j: number): boolean {
    if (!this.guard) return true;
    const id = this.emitIds[j] as number;
    if (!this.guard.allows(this.guardState, id)) return false;
    const next = this.guard.advance(this.guardState, this.tokenizer.bytesOf(id));
    if (next === REJECT) return false;
    this.guardState = next;
    return true;
  }

  /**
   * Draws a column of `logitsE / temperature` without normalising: one pass for the maximum,
   * one for the running sum of e^(z − max) from a table at the nearest 1/1024 (relative error
   * < 5e-4, far below what sampling can tell; a column more than SAMPLE_CUTOFF below the maximum,
   * less than 1e-7 of its weight, counts as 0), then a binary search for u·Σ. Sampling is most of a request's time, and a BPE vocabulary has hundreds of
   * columns.
   */
  private sample(temperature: number, rng: Random): number {
    const { logitsE, cum } = this;
    const n = this.emitIds.length;
    const invT = 1 / Math.max(temperature, 1e-3);
    const scale = invT * EXP_STEPS;
    const limit = SAMPLE_CUTOFF * EXP_STEPS;
    let sum = 0;
    if (this.sampler !== null) {
      this.padLogits();
      const at = this.at;
      sum = this.sampler.cumulate(4 * at.logitsE, 4 * at.expTable, 4 * at.cum, this.emit4, scale, limit);
    } else {
      let max = -Infinity;
      for (let j = 0; j < n; j++) if ((logitsE[j] as number) > max) max = logitsE[j] as number;
      for (let j = 0; j < n; j++) {
        const f = (max - (logitsE[j] as number)) * scale;
        if (f < limit) sum += EXP_TABLE[(f + 0.5) | 0] as number;
        cum[j] = sum;
      }
    }
    // A token the word guard rejects is set aside and the draw repeated (rejection sampling:
    // the result follows the distribution restricted to accepted tokens). After a few
    // rejections the accepted columns are summed once instead.
    const rejected = this.rejected;
    let nRejected = 0;
    for (let tries = 0; tries < 64; tries++) {
      const pick = this.findCumulative(rng.next() * sum, n);
      let seen = false;
      for (let r = 0; r < nRejected; r++) if (rejected[r] === pick) seen = true;
      if (seen) continue;
      if (this.accept(pick)) return this.emitIds[pick] as number;
      if (nRejected === rejected.length) break;
      rejected[nRejected++] = pick;
    }
    const guard = this.guard as WordGuard;
    let total = 0;
    let prev = 0;
    for (let j = 0; j < n; j++) {
      const e = (cum[j] as number) - prev;
      prev = cum[j] as number;
      if (e > 0 && guard.allows(this.guardState, this.emitIds[j] as number)) total += e;
      cum[j] = total;
    }
    if (total <= 0) return this.argmax();
    const pick = this.findCumulative(rng.next() * total, n);
    this.accept(pick);
    return this.emitIds[pick] as number;
  }

  /** The first column whose running sum exceeds u (the last one if rounding leaves none). */
  private findCumulative(u: number, n: number): number {
    const cum = this.cum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private logSoftmaxAt(target: number): number {
    const { logits, vocab } = this;
    let max = -Infinity;
    for (let j = 0; j < vocab; j++) if ((logits[j] as number) > max) max = logits[j] as number;
    let sum = 0;
    for (let j = 0; j < vocab; j++) sum += Math.exp((logits[j] as number) - max);
    return (logits[target] as number) - max - Math.log(sum);
  }
}

/**
 * Bounds of the quick ensemble draw (quickDraw). A quick mixture entry is within 6e−5 of the exact
 * one, relative (the kernel's e within 2e−5 and its sum within 3e−5, both checked by
 * softmaxWasm.test.ts; the float32 roundings of either path within 2e−6), plus under 2e−34 in all
 * from columns below the quick floor and float32 subnormals: QUICK_ERROR and QUICK_MASS keep a
 * wide margin over both (ensembleDraw.test.ts still passes with 100× less). Totals below
 * QUICK_SMALLEST_TOTAL always take the exact path.
 */
const QUICK_ERROR = 2e-4;
const QUICK_MASS = 1e-30;
const QUICK_SMALLEST_TOTAL = 1e-20;

/** Slots of the (token, prev, pos) row cache (entryAt): 2^14 rows of 4·hidden floats, 4 MiB at width 16. */
const ENTRY_BITS = 14;
const ENTRY_SLOTS = 1 << ENTRY_BITS;

/** Members of a mixture whose matrices prepareMembers keeps as floats (a cube has eight corners). */
const MIX_SLOTS = 8;

/** Word-guard rows kept by wordColumns (one byte per emittable column each). */
const WORD_ROWS = 4096;

/** Sampling ignores columns whose tempered logit is this far below the maximum (weight < 1e-7). */
const SAMPLE_CUTOFF = 16;
const EXP_STEPS = 1024;
/** e^(−i/EXP_STEPS) for i = 0..SAMPLE_CUTOFF·EXP_STEPS, read at the nearest step (relative error < 5e-4). */
const EXP_TABLE = Float32Array.from({ length: SAMPLE_CUTOFF * EXP_STEPS + 1 }, (_, i) => Math.exp(-i / EXP_STEPS));

const GELU_RANGE = 6;
const GELU_STEPS = 256;
const GELU_TABLE = Float64Array.from({ length: 2 * GELU_RANGE * GELU_STEPS + 2 }, (_, i) => geluScalar(i / GELU_STEPS - GELU_RANGE));

/** GELU by linear interpolation in a table (error < 2e-6): a third of the cost of tanh. */
function geluFast(x: number): number {
  if (x <= -GELU_RANGE) return 0;
  if (x >= GELU_RANGE) return x;
  const f = (x + GELU_RANGE) * GELU_STEPS;
  const i = f | 0;
  const lo = GELU_TABLE[i] as number;
  return lo + (f - i) * ((GELU_TABLE[i + 1] as number) - lo);
}

function layerNorm(x: Float32Array, g: Float32Array, b: Float32Array, out: Float32Array, d: number): void {
  let mean = 0;
  for (let i = 0; i < d; i++) mean += x[i] as number;
  mean /= d;
  let v = 0;
  for (let i = 0; i < d; i++) v += ((x[i] as number) - mean) ** 2;
  const inv = 1 / Math.sqrt(v / d + 1e-5);
  for (let i = 0; i < d; i++) out[i] = ((x[i] as number) - mean) * inv * (g[i] as number) + (b[i] as number);
}

/** out += v · W for row-major W [m, n]. */
function matVecAdd(v: Float32Array, w: Float32Array, out: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const vi = v[i] as number;
    const ro = i * n;
    for (let j = 0; j < n; j++) out[j] = (out[j] as number) + vi * (w[ro + j] as number);
  }
}
