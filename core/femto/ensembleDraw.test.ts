import { describe, expect, it } from 'vitest';
import { Random } from '../evgpu/Random.js';
import { drawAt } from './ensemble.js';
import { FemtoLlm, FemtoLlmFactory } from './FemtoLlm.js';
import { REJECT, WordGuard } from './WordGuard.js';

// FemtoEngine.drawMixture decides most draws from quick float32 softmaxes; every pick must be
// the exact walk's over `mixture`, above all where u·total falls next to a running sum.

const factory = new FemtoLlmFactory();
const weights = factory.weights;
const tokenizer = weights.tokenizer;
const lexicon = weights.lexicon;
const guard = lexicon ? new WordGuard(lexicon) : null;
const encoder = new TextEncoder();


/** A generator that answers `r` once. */
function fixed(r: number): Random {
  return { next: () => r } as unknown as Random;
}

describe('the ensemble draw', () => {
  it('picks what the exact walk picks, at random and right beside every boundary', () => {
    const rng = new Random(16);
    const nodes = Array.from({ length: 8 }, (_, i) => factory.create(40 + (i & 1), 7 + ((i >> 1) & 1), 9 + (i >> 2)));
    nodes.forEach((n, i) => (n.kappa = [0, 0.05, 0.3, 0.6, 0.9, 1, 0.45, 0.2][i] as number));
    const kappaSum = nodes.reduce((s, n) => s + n.kappa, 0);
    const ensemble = FemtoLlm.ensemble(
      nodes,
      nodes.map((n) => n.kappa / kappaSum),
    );
    if (!ensemble) throw new Error('no shared ensemble');
    const { engine, members } = ensemble;
    const contexts = ['The hacker ethic says ', 'op 12', 'what is cube 7', 'In the beginning was the comm', 'kludge', '', '{}', 'foo bar baz quux'];
    let checked = 0;
    let besideBoundary = 0;
    for (const text of contexts) {
      const context = encoder.encode(text);
      const p = engine.mixture(context, members);
      const states: (number | null)[] = [null];
      if (guard) states.push(0, guard.start(context));
      for (const state of states) {
        for (const needSpace of [false, true]) {
          const allowed =
            state !== null || needSpace
              ? (j: number) => (!needSpace || tokenizer.bytesOf(j)[0] === 32) && (state === null || (guard as WordGuard).advance(state, tokenizer.bytesOf(j)) !== REJECT)
              : null;
          const rs: number[] = [];
          for (let i = 0; i < 40; i++) rs.push(rng.next());
          // u·total at and next to each running sum of the exact walk.
          let total = 1;
          if (allowed) {
            total = 0;
            for (let j = 0; j < p.length; j++) if ((p[j] as number) > 0 && allowed(j)) total += p[j] as number;
          }
          let sum = 0;
          let boundaries = 0;
          for (let j = 0; j < p.length && boundaries < 60; j++) {
            const pj = p[j] as number;
            if (pj <= 0 || (allowed && !allowed(j))) continue;
            sum += pj;
            if (pj < 1e-4 * total && rng.next() < 0.9) continue;
            boundaries++;
            for (const eps of [0, 1e-12, -1e-12, 1e-7, -1e-7, 1e-5, -1e-5, 1e-4, -1e-4, 4e-4, -4e-4]) {
              const r = (sum / total) * (1 + eps);
              if (r >= 0 && r < 1) rs.push(r);
            }
          }
          for (const r of rs) {
            const want = drawAt(p, r, allowed);
            const got = engine.drawMixture(context, members, fixed(r), state, needSpace);
            if (got !== want) throw new Error(`context ${JSON.stringify(text)}, state ${state}, needSpace ${needSpace}, r ${r}: ${got} ≠ ${want}`);
            checked++;
          }
          besideBoundary += boundaries;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(besideBoundary).toBeGreaterThan(1000);
  }, 60_000);
});

describe('the ensemble draw with weights the quick bound does not cover', () => {
  it('takes the exact walk when a weight is negative', () => {
    const nodes = Array.from({ length: 3 }, (_, i) => factory.create(50 + i, 3, 4));
    const ensemble = FemtoLlm.ensemble(nodes, [0.7, 0.2, 0.1]);
    if (!ensemble) throw new Error('no shared ensemble');
    const { engine } = ensemble;
    const context = encoder.encode('The hacker ethic says ');
    const rng = new Random(7);
    let checked = 0;
    // A negative weight cancels: entries near 0 have no relative bound, so the quick walk's
    // running sums could sit on the other side of u·total from the exact ones.
    for (const weights of [[0.9, -0.3, 0.4], [1000, -999.5, 0.5], [300, 0.2, -299.2]]) {
      const members = ensemble.members.map((m, i) => ({ ...m, weight: weights[i] as number }));
      const p = engine.mixture(context, members);
      const rs: number[] = [];
      for (let i = 0; i < 200; i++) rs.push(rng.next());
      let sum = 0;
      for (let j = 0; j < p.length; j++) {
        const pj = p[j] as number;
        if (!(pj > 0)) continue;
        sum += pj;
        for (const eps of [0, 1e-9, -1e-9, 1e-6, -1e-6, 1e-4, -1e-4]) if (sum * (1 + eps) < 1) rs.push(sum * (1 + eps));
      }
      for (const r of rs) {
        const want = drawAt(p, r, null);
        expect(engine.drawMixture(context, members, fixed(r), null, false)).toBe(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  }, 60_000);
});

describe('the ensemble with taught members', () => {
  /** κ-free weights summing to 1, and the node-by-node sum of the members' distributions. */
  const weightsOf = (n: number) => Array.from({ length: n }, (_, i) => (i + 1) / ((n * (n + 1)) / 2));
  function nodeByNode(nodes: readonly ReturnType<typeof factory.create>[], w: readonly number[], context: Uint8Array): Float32Array {
    const out = new Float32Array(tokenizer.vocabSize);
    nodes.forEach((n, i) => n.nextTokenProbabilities(context).forEach((p, j) => (out[j] = (out[j] as number) + (w[i] as number) * p)));
    return out;
  }

  it('mixes and draws as node by node: lessons (matrix and bias), more members than slots, a lesson between answers', () => {
    const nodes = Array.from({ length: 9 }, (_, i) => factory.create(60 + i, 61, 62));
    const lessonText = encoder.encode('static uint16_t crc16_update(uint16_t crc, uint8_t byte) { return crc ^ byte; }\n'.repeat(4));
    const taught = (i: number, seed: number) => {
      const t = (nodes[i] as ReturnType<typeof factory.create>).teach(lessonText, seed);
      for (let s = 0; s < 4; s++) t.step();
      t.finish();
    };
    taught(2, 5);
    const context = encoder.encode('static int ');
    const check = (members: typeof nodes) => {
      const w = weightsOf(members.length);
      const ensemble = FemtoLlm.ensemble(members, w);
      if (!ensemble) throw new Error('no shared ensemble');
      const want = nodeByNode(members, w, context);
      // Twice with the same members array: the second answer reads the prepared members.
      for (let round = 0; round < 2; round++) {
        expect(Array.from(ensemble.engine.mixture(context, ensemble.members))).toEqual(Array.from(want));
        for (const r of [0.01, 0.2, 0.45, 0.7, 0.93]) expect(ensemble.engine.drawMixture(context, ensemble.members, fixed(r), null, false)).toBe(drawAt(want, r, null));
      }
    };
    check(nodes.slice(0, 8));
    check(nodes);
    // A lesson after an answer: the next answer's members (a fresh array) carry it.
    const before = Array.from(nodeByNode(nodes.slice(0, 8), weightsOf(8), context));
    taught(5, 9);
    expect(Array.from(nodeByNode(nodes.slice(0, 8), weightsOf(8), context))).not.toEqual(before);
    check(nodes.slice(0, 8));
  }, 60_000);
});
