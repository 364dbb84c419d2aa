import { describe, expect, it } from 'vitest';
import { Random } from '../evgpu/Random.js';
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

/** ensemble.ts's draw over the exact mixture: restricted and renormalised as there. */
function exactDraw(p: Float32Array, r: number, allowed: ((j: number) => boolean) | null): number {
  let total = 1;
  if (allowed) {
    total = 0;
    for (let j = 0; j < p.length; j++) if ((p[j] as number) > 0 && allowed(j)) total += p[j] as number;
  }
  let u = r * total;
  let last = -1;
  for (let j = 0; j < p.length; j++) {
    const pj = p[j] as number;
    if (pj <= 0 || (allowed && !allowed(j))) continue;
    last = j;
    u -= pj;
    if (u < 0) return j;
  }
  return last < 0 ? 32 : last;
}

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
            const want = exactDraw(p, r, allowed);
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
        const want = exactDraw(p, r, null);
        expect(engine.drawMixture(context, members, fixed(r), null, false)).toBe(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  }, 60_000);
});
