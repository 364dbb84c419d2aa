import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tape } from '../evgpu/index.js';
import {
  FemtoEngine, FemtoError, FemtoLlmFactory, FemtoParams, FemtoTrainer, FemtoWeights, KAPPA_TARGET, NgramModel,
  PERSONALITY_SCALE, baseWeights, baseWeightsReport, decodeBase64, encodeBase64, ensembleNextTokenProbabilities,
  ensembleRespond, femtoLoss,
} from './index.js';
import { BpeTokenizer } from './BpeTokenizer.js';
import type { LlmNode } from '../llm/LlmNode.js';

const corpus = new Uint8Array(readFileSync(new URL('./corpus/jargon.txt', import.meta.url)));
const heldOut = corpus.subarray(Math.floor(corpus.length * 0.9));

function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof FemtoError) return e.code;
    throw e;
  }
  return 'none';
}

describe('weights', () => {
  it('serialise, base64 and load back bit for bit', () => {
    const w = FemtoWeights.random(5);
    const again = FemtoWeights.fromBase64(encodeBase64(w.serialize()));
    expect(again.serialize()).toEqual(w.serialize());
    expect(w.parameterCount).toBe(12720);
  });

  it('base64 matches the standard alphabet and padding', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253]);
    expect(encodeBase64(bytes)).toBe('AAEC+vv8/Q==');
    expect(Array.from(decodeBase64('AAEC+vv8/Q=='))).toEqual(Array.from(bytes));
  });

  it('refuses weights of the wrong size with BAD_WEIGHTS', () => {
    expect(errorCode(() => FemtoWeights.deserialize(new Uint8Array(12)))).toBe('BAD_WEIGHTS');
  });

  it('the committed base weights load, fit the 4 MB budget and report their training', () => {
    const w = baseWeights();
    expect(w.config.hidden).toBe(16);
    expect(w.parameterCount).toBe(baseWeightsReport.parameters);
    expect(w.serialize().length + w.tokenizer.merges.byteLength + (w.lexicon?.serialize().length ?? 0)).toBeLessThanOrEqual(4 * 2 ** 20);
    expect(w.lexicon?.has('hacker')).toBe(true);
    expect(w.tokenizer.vocabSize).toBe(w.config.vocab);
    // Issue 13's aim: below the Kneser-Ney trigram (3.11 bits/char on this split).
    expect(baseWeightsReport.heldOutBitsPerChar).toBeLessThan(3.11);
  });
});

describe('inference engine', () => {
  it('computes the same loss as the autodiff graph (the training maths)', () => {
    const w = FemtoWeights.random(9);
    const text = corpus.subarray(5000, 5041);
    const ids = Int32Array.from(text.subarray(0, 40));
    const targets = Int32Array.from(text.subarray(1, 41));
    const loss = femtoLoss(new Tape(), new FemtoParams(w), ids, targets, 1, 40).value.data[0] as number;
    expect(new FemtoEngine(w).bitsPerByte(text) * Math.LN2).toBeCloseTo(loss, 4);
  });

  it('with a BPE vocabulary and the hashed pair embedding, too (loss and next-token distribution)', () => {
    const tokenizer = BpeTokenizer.train(corpus.subarray(0, 30000), 100);
    const w = FemtoWeights.random(4, { vocab: tokenizer.vocabSize, hidden: 16, context: 32, mlp: 32, ngram: 64 }, tokenizer);
    const text = corpus.subarray(7000, 7045);
    const ids = tokenizer.encode(text);
    const t = ids.length;
    expect(t).toBeLessThanOrEqual(32);
    const inputs = ids.subarray(0, t - 1);
    const loss = femtoLoss(new Tape(), new FemtoParams(w), inputs, ids.subarray(1), 1, t - 1).value.data[0] as number;
    const engine = new FemtoEngine(w);
    let bits = 0;
    for (let i = 1; i < t; i++) bits += tokenizer.bytesOf(ids[i] as number).length;
    // bitsPerByte divides the same total by the bytes predicted.
    expect((engine.bitsPerByte(text) * bits * Math.LN2) / (t - 1)).toBeCloseTo(loss, 4);
    // Without the pair embedding the loss differs: it is used.
    const bare = FemtoWeights.fromParams(new Map([...w.params].filter(([n]) => n !== 'wng')), { ...w.config, ngram: 0 }, tokenizer);
    expect(femtoLoss(new Tape(), new FemtoParams(bare), inputs, ids.subarray(1), 1, t - 1).value.data[0]).not.toBeCloseTo(loss, 3);
    // Generation reads the same maths through the k/v shortcut.
    const p = engine.distribution(text.subarray(0, 40), 1, null);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('its shortcut prefill (cached k/v for all but the last token) gives the graph’s next-token distribution', () => {
    const w = baseWeights();
    const ctx = corpus.subarray(9000, 9090);
    const ids = w.tokenizer.encode(ctx);
    const t = ids.length;
    const lossWithLast = (target: number) => {
      const targets = Int32Array.from({ length: t }, (_, i) => (i < t - 1 ? (ctx[i + 1] as number) : target));
      return femtoLoss(new Tape(), new FemtoParams(w), ids, targets, 1, t).value.data[0] as number;
    };
    const p = new FemtoEngine(w).distribution(ctx, 1, null);
    const ref = 101; // 'e'
    for (const j of [32, 97, 115, 116, 10, 300, w.config.vocab - 1]) {
      const fromGraph = t * (lossWithLast(ref) - lossWithLast(j));
      expect(Math.log((p[j] as number) / (p[ref] as number))).toBeCloseTo(fromGraph, 3);
    }
  });

  it('the trained model beats the Kneser-Ney trigram on the whole held-out split (bits per character)', () => {
    const ngram = new NgramModel(corpus.subarray(0, Math.floor(corpus.length * 0.9)));
    const femto = new FemtoEngine(baseWeights()).bitsPerByte(heldOut);
    expect(femto).toBeCloseTo(baseWeightsReport.heldOutBitsPerChar, 2);
    expect(femto).toBeLessThan(ngram.knBits(3, heldOut));
  }, 60_000);
});

describe('FemtoLLM instances', () => {
  const factory = new FemtoLlmFactory();

  it('derive their 16x16 matrix and κ from the coordinate alone', () => {
    const a = factory.create(1, 2, 3);
    const b = new FemtoLlmFactory().create(1, 2, 3);
    const c = factory.create(3, 2, 1);
    expect(a.id).toBe('llm:1,2,3');
    expect(a.matrix()).toEqual(b.matrix());
    expect(a.kappa).toBe(b.kappa);
    expect(a.matrix()).not.toEqual(c.matrix());
    expect(a.matrix().length).toBe(256);
    expect(Math.max(...a.matrix().map(Math.abs))).toBeLessThanOrEqual(PERSONALITY_SCALE);
  });

  it('generate the same text for the same request on the same state', () => {
    const a = factory.create(10, 20, 30);
    const b = factory.create(10, 20, 30);
    const first = a.respond('The hacker ethic', 32);
    expect(b.respond('The hacker ethic', 32)).toBe(first);
    // 32 tokens, each one or more characters.
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(first).toMatch(/^[\t\n\x20-\x7e]*$/);
    // κ moved, so the state differs and so (almost surely) does the text.
    expect(a.respond('The hacker ethic', 32)).not.toBe(first);
  });

  it('produce word-like text at κ = 0.6 (spaces and letters in English proportions)', () => {
    const n = factory.create(7, 7, 7);
    n.kappa = KAPPA_TARGET;
    const text = n.respond('A hacker is ', 400);
    const spaces = (text.match(/ /g) ?? []).length / text.length;
    const letters = (text.match(/[a-z]/gi) ?? []).length / text.length;
    expect(spaces).toBeGreaterThan(0.08);
    expect(spaces).toBeLessThan(0.35);
    expect(letters).toBeGreaterThan(0.5);
  });

  it('κ drifts 1% of the way toward 0.6 per request', () => {
    const n = factory.create(4, 5, 6);
    n.kappa = 1;
    n.respond('x', 1);
    expect(n.kappa).toBeCloseTo(1 + 0.01 * (KAPPA_TARGET - 1), 12);
    for (let i = 0; i < 300; i++) n.respond('x', 0);
    expect(Math.abs(n.kappa - KAPPA_TARGET)).toBeLessThan(0.03);
  });

  it('lower κ samples more conservatively (lower-entropy distributions)', () => {
    const n = factory.create(0, 0, 0);
    const ctx = new TextEncoder().encode('the comp');
    const entropy = (p: Float32Array) => -Array.from(p).reduce((s, x) => (x > 0 ? s + x * Math.log(x) : s), 0);
    n.kappa = 0.05;
    const cool = entropy(n.nextTokenProbabilities(ctx));
    n.kappa = 0.95;
    const warm = entropy(n.nextTokenProbabilities(ctx));
    expect(cool).toBeLessThan(warm);
  });

  it('give a normalised next-token distribution over the vocabulary', () => {
    const p = factory.create(1, 1, 1).nextTokenProbabilities(new TextEncoder().encode('hello wor'));
    expect(p).toHaveLength(baseWeights().config.vocab);
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
    expect(p[0]).toBe(0);
  });

  it('keep generating past the context window and on empty prompts', () => {
    const n = factory.create(2, 2, 2);
    expect(n.respond('', 300).length).toBeGreaterThanOrEqual(300);
    expect(n.respond('x'.repeat(1000), 70).length).toBeGreaterThanOrEqual(70);
    expect(n.respond('caf\u00e9 \u2603', 5).length).toBeGreaterThanOrEqual(5);
  });

  it('refuse out-of-range coordinates and token counts', () => {
    expect(errorCode(() => factory.create(-1, 0, 0))).toBe('OUT_OF_RANGE');
    expect(errorCode(() => factory.create(0, 65536, 0))).toBe('OUT_OF_RANGE');
    expect(errorCode(() => factory.create(0, 0, 1.5))).toBe('OUT_OF_RANGE');
    expect(errorCode(() => factory.create(0, 0, 0).respond('x', -1))).toBe('OUT_OF_RANGE');
    expect(errorCode(() => factory.create(0, 0, 0).respond('x', 100000))).toBe('OUT_OF_RANGE');
  });
});

describe('scoring (logProbability)', () => {
  it('sums ln p of each BPE token of the continuation after the bytes before it', () => {
    const factory = new FemtoLlmFactory();
    const node = factory.create(3, 4, 5);
    // At κ 0.75 the node's temperature is 1, the temperature logProbability scores at.
    node.kappa = 0.75;
    const tokenizer = baseWeights().tokenizer;
    for (const [prompt, continuation] of [['The hacker ethic ', 'says information wants to be free.'], ['op 7', ' kludge'], ['', 'xyzzy plugh'], ['a ', '']]) {
      const enc = new TextEncoder();
      let context = enc.encode(prompt as string);
      let want = 0;
      for (const id of tokenizer.encode(enc.encode(continuation as string))) {
        want += Math.log(Math.max(node.nextTokenProbabilities(context)[id] as number, 1e-13));
        const bytes = tokenizer.bytesOf(id);
        const next = new Uint8Array(context.length + bytes.length);
        next.set(context);
        next.set(bytes, context.length);
        context = next;
      }
      expect(node.logProbability(prompt as string, continuation as string)).toBe(want);
    }
  });
});

describe('ensemble decoding', () => {
  const factory = new FemtoLlmFactory();
  const vertices = () => Array.from({ length: 8 }, (_, i) => factory.create(100 + (i & 1), 100 + ((i >> 1) & 1), 100 + (i >> 2)));

  it('averages the vertices’ distributions weighted by κ', () => {
    const vs = vertices();
    const ctx = new TextEncoder().encode('kludge');
    const avg = ensembleNextTokenProbabilities(vs, ctx);
    const total = vs.reduce((s, v) => s + v.kappa, 0);
    const expected = new Float32Array(baseWeights().config.vocab);
    for (const v of vs) v.nextTokenProbabilities(ctx).forEach((p, j) => (expected[j] = (expected[j] as number) + (p * v.kappa) / total));
    avg.forEach((p, j) => expect(p).toBeCloseTo(expected[j] as number, 6));
  });

  it('the shared-block mixture of FemtoLLMs gives exactly the node-by-node sum', () => {
    const vs = vertices();
    const ctx = new TextEncoder().encode('The hacker ethic says ');
    const wrapped: LlmNode[] = vs.map((v) => ({
      id: v.id,
      kappa: v.kappa,
      respond: (p, n) => v.respond(p, n),
      replicaAnswer: (p, n) => v.replicaAnswer(p, n),
      nextTokenProbabilities: (c) => v.nextTokenProbabilities(c),
    }));
    expect(Array.from(ensembleNextTokenProbabilities(vs, ctx))).toEqual(Array.from(ensembleNextTokenProbabilities(wrapped, ctx)));
  });

  it('ignores a vertex whose κ is 0', () => {
    const fixed = (p: Float32Array, kappa: number): LlmNode => ({ id: 'x', kappa, respond: () => '', replicaAnswer: () => '', nextTokenProbabilities: () => p });
    const a = new Float32Array(256);
    a[65] = 1;
    const b = new Float32Array(256);
    b[66] = 1;
    const avg = ensembleNextTokenProbabilities([fixed(a, 0.5), fixed(b, 0)], new Uint8Array(0));
    expect(avg[65]).toBe(1);
    expect(avg[66]).toBe(0);
  });

  it('CENTRAL answers deterministically and drifts its κ', () => {
    const central = factory.create(500, 500, 500);
    const k0 = central.kappa;
    const text = ensembleRespond(central, vertices(), 'The Jargon File', 16);
    expect(text.length).toBeGreaterThanOrEqual(16);
    expect(text).toMatch(/^[\t\n\x20-\x7e]+$/);
    expect(central.kappa).toBeCloseTo(k0 + 0.01 * (KAPPA_TARGET - k0), 12);
    central.kappa = k0;
    expect(ensembleRespond(central, vertices(), 'The Jargon File', 16)).toBe(text);
  });

  it('needs at least one vertex', () => {
    expect(errorCode(() => ensembleNextTokenProbabilities([], new Uint8Array(1)))).toBe('OUT_OF_RANGE');
  });
});

describe('training', () => {
  it('a few Adam steps on a tiny slice lower the loss, reproducibly', () => {
    const slice = corpus.subarray(0, 4000);
    const run = () => {
      const trainer = new FemtoTrainer(FemtoWeights.random(1), slice, { steps: 40, batch: 4, seqLen: 16, lr: 0.02, seed: 3 });
      const losses = Array.from({ length: 40 }, () => trainer.step());
      return losses;
    };
    const losses = run();
    const head = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const tail = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(tail).toBeLessThan(head - 0.5);
    expect(run()).toEqual(losses);
  });

  it('two short runs of the BPE model from one seed give identical weights, bit for bit', () => {
    const slice = corpus.subarray(0, 30000);
    const run = () => {
      const tokenizer = BpeTokenizer.train(slice, 200);
      const w = FemtoWeights.random(11, { vocab: tokenizer.vocabSize, hidden: 16, context: 32, mlp: 32 }, tokenizer);
      const trainer = new FemtoTrainer(w, slice, { steps: 12, batch: 4, seqLen: 32, lr: 0.01, seed: 5 });
      for (let i = 0; i < 12; i++) trainer.step();
      return w.serialize();
    };
    const a = run();
    const b = run();
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(FemtoWeights.random(11, { vocab: 456, hidden: 16, context: 32, mlp: 32 }, BpeTokenizer.train(slice, 200)).serialize()))).not.toBe(0);
  });
});

describe('engine paths', () => {
  it('the SIMD and plain-JS vector paths agree on distributions and held-out bits', () => {
    const simd = new FemtoEngine(baseWeights());
    const js = new FemtoEngine(baseWeights(), { simd: false });
    expect(simd.usesSimd).toBe(true);
    expect(js.usesSimd).toBe(false);
    const ctx = corpus.subarray(20000, 20050);
    const a = simd.distribution(ctx, 0.8, null);
    const b = js.distribution(ctx, 0.8, null);
    a.forEach((p, j) => expect(p).toBeCloseTo(b[j] as number, 5));
    expect(simd.bitsPerByte(heldOut.subarray(0, 2000))).toBeCloseTo(js.bitsPerByte(heldOut.subarray(0, 2000)), 4);
  });
});

describe('engine cache', () => {
  it('follows in-place weight updates after weightsChanged()', () => {
    const w = FemtoWeights.random(2);
    const engine = new FemtoEngine(w);
    const text = corpus.subarray(100, 140);
    const before = engine.bitsPerByte(text);
    // One matrix of each kind: cached per pair (wq), held in the SIMD arena (w1), the head.
    w.get('wq').fill(0.5);
    w.get('w1').fill(-0.3);
    w.get('head').fill(0.01);
    w.get('head')[7] = 2;
    engine.weightsChanged();
    expect(engine.bitsPerByte(text)).toBeCloseTo(new FemtoEngine(w).bitsPerByte(text), 6);
    expect(engine.bitsPerByte(text)).not.toBeCloseTo(before, 3);
    const fresh = new FemtoEngine(w).distribution(text, 1, null);
    engine.distribution(text, 1, null).forEach((p, j) => expect(p).toBeCloseTo(fresh[j] as number, 6));
  });

  it('gives the same bits from cached (token, previous, position) rows as a fresh engine, and drops them after weightsChanged()', () => {
    const base = baseWeights();
    expect(base.config.ngram ?? 0).toBeGreaterThan(0);
    const w = FemtoWeights.deserialize(base.serialize(), base.config, base.tokenizer);
    const engine = new FemtoEngine(w);
    // Contexts that share words at different positions, read in an order that revisits them.
    const contexts = Array.from({ length: 24 }, (_, i) => corpus.subarray(2000 + 37 * (i % 8), 2000 + 37 * (i % 8) + 60 + 11 * (i % 5)));
    for (const ctx of contexts) expect(Array.from(engine.distribution(ctx, 0.8, null))).toEqual(Array.from(new FemtoEngine(w).distribution(ctx, 0.8, null)));
    const wng = w.get('wng');
    for (let i = 0; i < wng.length; i += 3) wng[i] = (wng[i] as number) + 0.25;
    engine.weightsChanged();
    for (const ctx of contexts.slice(0, 8)) expect(Array.from(engine.distribution(ctx, 0.8, null))).toEqual(Array.from(new FemtoEngine(w).distribution(ctx, 0.8, null)));
  });
});
