import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FemtoLlmFactory, KAPPA_TARGET, baseWeights, ensembleRespond } from './index.js';
import { sampleAnswers } from './answerSample.js';
import { answerStats, answerWords, vocabularyOf } from './wordStats.js';

/**
 * Issue 13's measures on real answers of the committed weights: 64 answers of 128 tokens from
 * different coordinates at κ = 0.6, words checked against the training text's vocabulary.
 */
const corpus = readFileSync(new URL('./corpus/jargon.txt', import.meta.url), 'latin1');
const vocabulary = vocabularyOf(corpus.slice(0, Math.floor(corpus.length * 0.9)));
const factory = new FemtoLlmFactory();

describe('FemtoLLM answers (committed weights)', () => {
  const answers = sampleAnswers(factory, 64, 128);
  const stats = answerStats(answers, vocabulary);

  it('are made of words of the training text: ≥ 90 % at κ = 0.6', () => {
    expect(stats.words).toBeGreaterThan(64 * 30);
    expect(stats.validShare).toBeGreaterThanOrEqual(0.9);
  });

  it('the model alone (word guard off) already writes well over half real words (53 % before issue 13)', () => {
    const bare = answerStats(sampleAnswers(new FemtoLlmFactory(baseWeights().withLexicon(null)), 64, 128), vocabulary);
    expect(bare.validShare).toBeGreaterThan(0.6);
    expect(bare.validShare).toBeLessThan(stats.validShare);
    expect(bare.distinctBigramShare).toBeGreaterThanOrEqual(0.6);
  });

  it('stay varied: distinct word bigrams ≥ 0.6 of all bigrams over the 64 answers', () => {
    expect(stats.distinctBigramShare).toBeGreaterThanOrEqual(0.6);
    expect(new Set(answers.map((a) => a.answer)).size).toBe(64);
  });

  it('come from the instance: the same prompt at other coordinates says other things', () => {
    const texts = [0, 1, 2, 3].map((i) => {
      const n = factory.create(40 + i, 50, 60);
      n.kappa = KAPPA_TARGET;
      return n.respond('The hacker ', 64);
    });
    expect(new Set(texts).size).toBe(4);
  });

  it('continue a prompt that ends in a space with a word, not another space (token healing)', () => {
    for (const a of answers.slice(0, 16)) expect(a.answer[0], JSON.stringify(a.prompt + a.answer)).not.toBe(' ');
    const vertices = Array.from({ length: 8 }, (_, i) => factory.create(i & 1, (i >> 1) & 1, i >> 2));
    const central = ensembleRespond(factory.create(9, 9, 9), vertices, 'The hacker ', 24);
    expect(central[0]).not.toBe(' ');
    expect(answerWords(central).filter((w) => vocabulary.has(w)).length).toBeGreaterThan(0);
  });
});

describe('greedy decoding', () => {
  const prompts = ['The hacker ', 'A bug is ', 'Unix ', '', 'the the the the ', 'In the old days, '];

  it('does not loop: no stretch of 24 characters comes back in 256 tokens', () => {
    for (const [i, prompt] of prompts.entries()) {
      const text = factory.create(i, 2 * i, 3 * i).respondGreedy(prompt, 256);
      expect(text.length).toBeGreaterThan(256);
      for (let at = 0; at + 24 <= text.length; at += 8) {
        const piece = text.slice(at, at + 24);
        expect(text.indexOf(piece, at + 1), `${JSON.stringify(prompt)} → ${JSON.stringify(text)}`).toBe(-1);
      }
      const words = answerWords(text);
      expect(new Set(words).size / words.length).toBeGreaterThan(0.4);
    }
  });

  it('is deterministic and leaves κ alone', () => {
    const n = factory.create(7, 8, 9);
    const k = n.kappa;
    expect(n.respondGreedy('The hacker ', 40)).toBe(factory.create(7, 8, 9).respondGreedy('The hacker ', 40));
    expect(n.kappa).toBe(k);
  });

  it('would loop without the repetition guard (the guard is what prevents it)', () => {
    // The model's single most likely continuation, step by step, without the guard.
    const w = baseWeights();
    const tok = w.tokenizer;
    const n = factory.create(1, 2, 3);
    let context = new TextEncoder().encode('The hacker');
    for (let i = 0; i < 160; i++) {
      const p = n.nextTokenProbabilities(context);
      let best = 0;
      for (let j = 1; j < p.length; j++) if ((p[j] as number) > (p[best] as number)) best = j;
      const piece = tok.bytesOf(best);
      const grown = new Uint8Array(context.length + piece.length);
      grown.set(context);
      grown.set(piece, context.length);
      context = grown;
    }
    const text = new TextDecoder().decode(context);
    const tail = text.slice(-24);
    expect(text.indexOf(tail)).toBeLessThan(text.length - 24);
  });
});
