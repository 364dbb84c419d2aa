import { describe, expect, it } from 'vitest';
import type { LlmNode } from '../llm/LlmNode.js';
import { PlaceholderLlm } from '../llm/PlaceholderLlm.js';
import { Cube, MAX_TRACE } from './Cube.js';
import { nextCubeKappa } from './Kappa.js';
import { ensembleRespond } from '../femto/ensemble.js';
import { ownCentral } from './CentralDecoder.js';
import { answerQuorum } from './CollectiveStrategy.js';
import { MIN_VOTE_WEIGHT, voteWeight, weightedQuorum } from './Consensus.js';
import { Vertex, cornerDistance, toVertex, type VertexId } from './Vertex.js';

/** Honest vertices answer like the placeholder; faulty ones answer garbage (distinct or colluding). */
function cubeWith(faulty: readonly VertexId[], colluding = false, kappa = 0.6): Cube {
  return new Cube(0, { x: 0, y: 0, z: 0 }, (v) => {
    const node = new PlaceholderLlm(v, 0, 0, kappa);
    if (!faulty.includes(v)) return node;
    const lie = () => (colluding ? 'the answer is 42' : `garbage ${v} ${Math.imul(v + 1, 2654435761) >>> 0}`);
    const liar: LlmNode = {
      id: `liar:${v}`,
      kappa,
      respond: lie,
      replicaAnswer: lie,
      nextTokenProbabilities: (c) => node.nextTokenProbabilities(c),
    };
    return liar;
  });
}

describe('Cube topology', () => {
  it('has 12 cube edges plus 8 spokes to CENTRAL', () => {
    const cube = cubeWith([]);
    const edges = cube.edges();
    expect(edges).toHaveLength(20);
    const corner = edges.filter(([a, b]) => a !== Vertex.CENTRAL && b !== Vertex.CENTRAL);
    expect(corner).toHaveLength(12);
    for (const [a, b] of corner) expect(cornerDistance(a, b)).toBe(1);
    expect(cube.neighbours('CENTRAL')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(cube.neighbours(Vertex.NEU)).toEqual([Vertex.NED, Vertex.NWU, Vertex.SEU, Vertex.CENTRAL]);
  });

  it('custom edges are face or body diagonals only', () => {
    const cube = cubeWith([]);
    cube.addEdge('NEU', 'SWD'); // body diagonal
    cube.addEdge('NEU', 'NWD'); // face diagonal
    expect(cube.neighbours('NEU')).toContain(Vertex.SWD);
    expect(cube.neighbours('SWD')).toContain(Vertex.NEU);
    expect(() => cube.addEdge('NEU', 'NED')).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    expect(() => cube.addEdge('NEU', 'CENTRAL')).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    expect(() => cube.addEdge('SWD', 'NEU')).toThrow(expect.objectContaining({ code: 'ALREADY_EXISTS' }));
    expect(() => cube.addEdge('NEU', 'XYZ')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => toVertex(9)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(cube.edges()).toHaveLength(22);
  });
});

describe('processVertex', () => {
  it('answers, then each neighbour answers that answer, including linked cubes', () => {
    const a = cubeWith([]);
    const b = new Cube(1, { x: 5, y: 0, z: 0 }, (v) => new PlaceholderLlm(v, 1, 0));
    a.link('NEU', b, 'SWD');
    const result = a.processVertex('NEU', 'hello cube');
    expect(result.text).toBe(new PlaceholderLlm(0, 0, 0).respond('hello cube'));
    expect(result.trace.map((t) => `${t.to.cube}:${t.to.vertex}`)).toEqual(['0:1', '0:2', '0:4', '0:8', '1:7']);
    for (const step of result.trace) {
      expect(step.from).toEqual({ cube: 0, vertex: Vertex.NEU });
      // Corners answer with their own model; CENTRAL by ensemble decoding (next test).
      if (step.to.vertex !== Vertex.CENTRAL) expect(step.text).toBe(new PlaceholderLlm(0, 0, 0).respond(result.text));
    }
    expect(result.trace.length).toBeLessThanOrEqual(MAX_TRACE);
    expect(b.links()).toEqual([{ vertex: Vertex.SWD, cube: 0, otherVertex: Vertex.NEU }]);
  });

  it("CENTRAL answers by ensemble decoding over the eight corners' κ-weighted distributions", () => {
    const make = (v: VertexId) => new PlaceholderLlm(v, 0, 0, 0.2 + v / 10);
    const cube = new Cube(0, { x: 0, y: 0, z: 0 }, make);
    const expected = ensembleRespond(make(Vertex.CENTRAL), [0, 1, 2, 3, 4, 5, 6, 7].map((v) => make(v as VertexId)), 'hello', 12);
    const result = cube.processVertex('CENTRAL', 'hello', 12);
    expect(result.text).toBe(expected);
    expect(result.text).not.toBe(make(Vertex.CENTRAL).respond('hello', 12));
    expect(cube.node('CENTRAL').kappa).toBeCloseTo(1 + 0.01 * (0.6 - 1), 12);
    const own = new Cube(0, { x: 0, y: 0, z: 0 }, make, { central: ownCentral });
    expect(own.processVertex('CENTRAL', 'hello', 12).text).toBe(make(Vertex.CENTRAL).respond('hello', 12));
  });

  it('each request moves the node κ 1% of the way to 0.6', () => {
    const cube = new Cube(0, { x: 0, y: 0, z: 0 }, (v) => new PlaceholderLlm(v, 0, 0, 1));
    cube.processVertex('SWD', 'x');
    expect(cube.node('SWD').kappa).toBeCloseTo(1 + 0.01 * (0.6 - 1), 12);
    expect(cube.node('CENTRAL').kappa).toBeCloseTo(0.996, 12);
  });
});

describe('collectiveThink', () => {
  const honest = cubeWith([]).collectiveThink('what is the state?');

  it('reaches quorum when every vertex agrees', () => {
    expect(honest.quorum).toBe(true);
    expect(honest.agreeing).toHaveLength(9);
    expect(honest.text).toBe(new PlaceholderLlm(0, 0, 0).respond('what is the state?'));
  });

  it('two garbage vertices (distinct or colluding) do not change the consensus', () => {
    for (const colluding of [false, true]) {
      const result = cubeWith([Vertex.NEU, Vertex.CENTRAL], colluding).collectiveThink('what is the state?');
      expect(result.quorum).toBe(true);
      expect(result.text).toBe(honest.text);
      expect(result.agreeing).toHaveLength(7);
    }
  });

  it('three garbage vertices give no quorum, never a wrong answer', () => {
    for (const colluding of [false, true]) {
      const result = cubeWith([Vertex.NEU, Vertex.SWD, Vertex.SEU], colluding).collectiveThink('what is the state?');
      expect(result.quorum).toBe(false);
      expect(result.text).toBeNull();
      expect(result.agreeingWeight * 3).toBeLessThanOrEqual(result.totalWeight * 2 + 1e-9);
    }
  });

  it('vertices hosted outside the core vote with their hosts\' answers; a silent host is a faulty voter', () => {
    const q = 'what is the state?';
    // A host that gives the replica answer joins the quorum.
    const same = cubeWith([]).collectiveThink(q, undefined, new Map([[Vertex.SED as VertexId, honest.text!]]));
    expect(same.quorum).toBe(true);
    expect(same.agreeing).toContain(Vertex.SED);
    // A host with its own words dissents: the consensus holds and it is the one left out.
    const own = cubeWith([]).collectiveThink(q, undefined, new Map([[Vertex.SED as VertexId, 'BASIC heard you']]));
    expect(own.quorum).toBe(true);
    expect(own.text).toBe(honest.text);
    expect(own.agreeing).not.toContain(Vertex.SED);
    expect(own.answers.find((a) => a.vertex === Vertex.SED)?.text).toBe('BASIC heard you');
    // Three silent hosts are three faulty voters: no quorum (and two silent ones agree on nothing).
    const silent = new Map<VertexId, string | null>([
      [Vertex.NEU, null],
      [Vertex.SED, null],
      [Vertex.SWD, null],
    ]);
    const none = cubeWith([]).collectiveThink(q, undefined, silent);
    expect(none.quorum).toBe(false);
    const two = cubeWith([]).collectiveThink(q, undefined, new Map<VertexId, string | null>([[Vertex.NEU, null], [Vertex.SED, null]]));
    expect(two.quorum).toBe(true);
    expect(two.agreeing).toHaveLength(7);
  });

  it('weights by κ: heavy honest vertices can outvote more numerous light ones', () => {
    const cube = new Cube(0, { x: 0, y: 0, z: 0 }, (v) => {
      const k = v < 6 ? 1 : 0.05;
      const node = new PlaceholderLlm(v, 0, 0, k);
      if (v < 6) return node;
      return { id: `l${v}`, kappa: k, respond: () => `no ${v}`, replicaAnswer: () => 'no', nextTokenProbabilities: (c) => node.nextTokenProbabilities(c) };
    });
    const result = cube.collectiveThink('q');
    expect(result).toMatchObject({ quorum: true, text: new PlaceholderLlm(0, 0, 0).replicaAnswer('q', 32), agreeing: [0, 1, 2, 3, 4, 5] });
  });
});

describe('the quorum cannot be bought with a claimed κ', () => {
  const CLAIMS = [1000, Infinity, NaN, -5, 1, 0];
  const QUERY = 'what is the state?';
  const honestText = new PlaceholderLlm(0, 0, 0).replicaAnswer(QUERY, 32);

  /** Faulty vertices collude on one answer and claim κ = `claim` from creation on, ignoring every κ they are told. */
  function cubeWithLiars(liars: readonly VertexId[], claim: number, honestKappa = 0.6): Cube {
    return new Cube(0, { x: 0, y: 0, z: 0 }, (v) => {
      const node = new PlaceholderLlm(v, 0, 0, honestKappa);
      if (!liars.includes(v)) return node;
      const liar: LlmNode = {
        id: `liar:${v}`,
        get kappa() {
          return claim;
        },
        set kappa(_ignored: number) {},
        respond: () => 'the answer is 42',
        replicaAnswer: () => 'the answer is 42',
        nextTokenProbabilities: (c) => node.nextTokenProbabilities(c),
      };
      return liar;
    });
  }

  it('one liar with any κ changes nothing, CENTRAL or a corner, honest κ high or low', () => {
    for (const claim of CLAIMS) {
      for (const liar of [Vertex.NEU, Vertex.CENTRAL]) {
        for (const honestKappa of [0.6, 0]) {
          const result = cubeWithLiars([liar], claim, honestKappa).collectiveThink(QUERY);
          expect(result, `κ ${claim}, liar ${liar}, honest κ ${honestKappa}`).toMatchObject({ quorum: true, text: honestText });
          expect(result.agreeing).toHaveLength(8);
          expect(Number.isFinite(result.totalWeight)).toBe(true);
        }
      }
    }
  });

  it('two colluding liars with any κ change nothing', () => {
    for (const claim of CLAIMS) {
      for (const liars of [[Vertex.NEU, Vertex.CENTRAL], [Vertex.SWD, Vertex.SEU]]) {
        for (const honestKappa of [0.6, 0]) {
          const result = cubeWithLiars(liars, claim, honestKappa).collectiveThink(QUERY);
          expect(result, `κ ${claim}, liars ${liars.join()}, honest κ ${honestKappa}`).toMatchObject({ quorum: true, text: honestText });
          expect(result.agreeing).toHaveLength(7);
        }
      }
    }
  });

  it('three colluding liars claiming any κ give no quorum, never their answer', () => {
    for (const claim of CLAIMS) {
      const result = cubeWithLiars([Vertex.NEU, Vertex.SWD, Vertex.CENTRAL], claim).collectiveThink(QUERY);
      // A claim below the honest κ (recorded as 0) only lightens the liars: the honest answer may then pass.
      const expected = claim === -5 || claim === 0 ? { quorum: true, text: honestText } : { quorum: false, text: null };
      expect(result, `κ ${claim}`).toMatchObject(expected);
    }
  });

  it("weights come from the cube's record: bounded to [0, 1], moved only by the cube, stored that way", () => {
    const cube = cubeWithLiars([Vertex.NEU], 1000);
    cube.collectiveThink(QUERY);
    cube.processVertex('NEU', 'hello');
    const kappa = cube.vertexKappa();
    // Created claiming 1000: recorded as 1, one request's drift toward 0.6, the dissent kick
    // (it voted against the quorum), then another request's drift.
    expect(kappa[Vertex.NEU]).toBeCloseTo(0.6 + (0.4 * 0.99 - 0.05) * 0.99, 12);
    for (const k of kappa) expect(k >= 0 && k <= 1).toBe(true);
    const restored = new Cube(0, { x: 0, y: 0, z: 0 }, (v) => new PlaceholderLlm(v, 0, 0));
    restored.restore(cube.toRecord());
    expect(restored.vertexKappa()).toEqual(kappa);
    expect(cubeWithLiars([Vertex.NEU], NaN).vertexKappa()[Vertex.NEU]).toBe(0.6);
  });

  it('no single vertex reaches the 2/3 threshold alone', () => {
    const answers = (kappas: readonly number[]) => kappas.map((kappa, v) => ({ vertex: v as VertexId, kappa, text: `answer ${v}` }));
    // One vertex at κ 1 against eight at κ 0, every answer different: 1 / (1 + 8 · 2/3) of the weight.
    const lone = weightedQuorum(answers([1, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(lone.quorum).toBe(false);
    expect(lone.agreeingWeight / lone.totalWeight).toBeCloseTo(3 / 19, 12);
    // Nor when it is the only voter.
    expect(weightedQuorum(answers([1])).quorum).toBe(false);
    for (const k of [Infinity, 1000, NaN, -5]) expect(voteWeight(k) >= MIN_VOTE_WEIGHT && voteWeight(k) <= 1).toBe(true);
  });
});

describe('cube κ', () => {
  it('moves 10% toward the neighbours and 5% toward 0.6', () => {
    expect(nextCubeKappa(0.2, 1)).toBeCloseTo(0.2 + 0.08 + 0.02, 12);
    expect(nextCubeKappa(1, null)).toBeCloseTo(0.98, 12);
  });

  it('an isolated cube from any start in [0, 1] is within 0.6 ± 0.05 in under 50 updates', () => {
    for (let start = 0; start <= 1.0001; start += 0.05) {
      let k = Math.min(1, start);
      let updates = 0;
      while (Math.abs(k - 0.6) > 0.05) {
        k = nextCubeKappa(k, null);
        updates++;
      }
      expect(updates).toBeLessThan(50);
    }
  });

  it('rejects κ outside [0, 1]', () => {
    expect(() => (cubeWith([]).kappa = 1.5)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    expect(() => (cubeWith([]).kappa = Number.NaN)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
  });
});

describe('collective strategies', () => {
  it('are injectable: CENTRAL integrates with the given strategy', () => {
    const cube = new Cube(0, { x: 0, y: 0, z: 0 }, (v) => new PlaceholderLlm(v, 0, 0), {
      collective: (vertices) => ({ quorum: true, text: `${vertices.length} vertices`, agreeingWeight: 1, totalWeight: 1, agreeing: [], answers: [] }),
    });
    expect(cube.collectiveThink('q').text).toBe('9 vertices');
  });

  it('replica quorum counts byte-identical answers only, and drifts each vertex κ once', () => {
    const cube = new Cube(0, { x: 0, y: 0, z: 0 }, (v) => new PlaceholderLlm(v, 0, 0, 1));
    const result = cube.collectiveThink('abc', 4);
    expect(result).toMatchObject({ quorum: true, text: 'ack ', agreeingWeight: 9, totalWeight: 9 });
    expect(cube.node('NEU').kappa).toBeCloseTo(0.996, 12);
    // answerQuorum groups normalised answers; replicaQuorum does not: 'ACK ' is a different vote.
    const shouting = (v: VertexId): LlmNode => {
      const node = new PlaceholderLlm(v, 0, 0);
      return v < 3 ? { id: `s${v}`, kappa: 0.6, respond: () => 'ACK ', replicaAnswer: () => 'ACK ', nextTokenProbabilities: (c) => node.nextTokenProbabilities(c) } : node;
    };
    expect(new Cube(0, { x: 0, y: 0, z: 0 }, shouting).collectiveThink('abc', 4).quorum).toBe(false);
    expect(new Cube(0, { x: 0, y: 0, z: 0 }, shouting, { collective: answerQuorum }).collectiveThink('abc', 4).quorum).toBe(true);
  });
});

describe('collectiveChoose: votes that can disagree', () => {
  /** A node that prefers `favourite` by one nat per character over every other choice. */
  function favouring(v: VertexId, favourite: string, kappa: number): LlmNode {
    const node = new PlaceholderLlm(v, 0, 0, kappa);
    return {
      id: `fav:${v}`,
      kappa,
      respond: (p, n) => node.respond(p, n),
      replicaAnswer: (p, n) => node.replicaAnswer(p, n),
      nextTokenProbabilities: (c) => node.nextTokenProbabilities(c),
      logProbability: (_prompt, continuation) => (continuation.trim() === favourite ? -1 : -2) * continuation.length,
    };
  }
  const cubeOf = (favourite: (v: VertexId) => string, kappa: (v: VertexId) => number) =>
    new Cube(3, { x: 0, y: 0, z: 0 }, (v) => favouring(v, favourite(v), kappa(v)));

  it('each vertex votes for the choice its own model prefers; the tally follows the recorded κ weights', () => {
    // Four vertices favour "yes" at κ 1 (weight 1 each), five favour "no" at κ 0 (weight 2/3 each).
    const yes = new Set<VertexId>([0, 3, 5, 8]);
    const cube = cubeOf((v) => (yes.has(v) ? 'yes' : 'no'), (v) => (yes.has(v) ? 1 : 0));
    const r = cube.collectiveChoose('is the grid up?', ['yes', 'no']);
    expect(r.ballots.map((b) => b.choice)).toEqual([0, 1, 1, 0, 1, 0, 1, 1, 0]);
    expect(r.ballots[0]!.scores).toEqual([-1, -2]);
    // Fewer vertices, more weight: 4 against 10/3.
    expect(r).toMatchObject({ cube: 3, choice: 'yes', index: 0, quorum: false, agreeingWeight: 4, agreeing: [0, 3, 5, 8], dissenting: [1, 2, 4, 6, 7], abstaining: [] });
    expect(r.totalWeight).toBeCloseTo(4 + 10 / 3, 12);
    expect(r.tally.map((t) => t.choice)).toEqual(['yes', 'no']);
    expect(r.tally[1]!.weight).toBeCloseTo(10 / 3, 12);
    // The same preferences with equal κ: the five win.
    const equal = cubeOf((v) => (yes.has(v) ? 'yes' : 'no'), () => 0.6).collectiveChoose('is the grid up?', ['yes', 'no']);
    expect(equal).toMatchObject({ choice: 'no', quorum: false, dissenting: [0, 3, 5, 8] });
  });

  it('a quorum needs more than 2/3 of the weight; dissenters from a quorum are kicked, nobody is without one', () => {
    const seven = cubeOf((v) => (v < 7 ? 'maybe' : 'no'), () => 0.6);
    const r = seven.collectiveChoose('q', ['yes', 'no', 'maybe']);
    expect(r).toMatchObject({ choice: 'maybe', quorum: true, dissenting: [7, 8] });
    expect(r.share).toBeCloseTo(7 / 9, 12);
    // One request's drift (none at 0.6), then the kick.
    expect(seven.kappaOf(7)).toBeCloseTo(0.55, 12);
    expect(seven.kappaOf(0)).toBe(0.6);
    expect(seven.kappa).toBeCloseTo(0.6 - (2 * 0.05) / 9, 12);
    // Six against three with equal weights is exactly 2/3: no quorum, and no kicks.
    const six = cubeOf((v) => (v < 6 ? 'yes' : 'no'), () => 0.6);
    expect(six.collectiveChoose('q', ['yes', 'no'])).toMatchObject({ choice: 'yes', quorum: false });
    expect(six.vertexKappa()).toEqual(new Array(9).fill(0.6));
  });

  describe('liars (issue 11.2) cannot buy a choice either', () => {
    const CLAIMS = [1000, Infinity, NaN, -5, 1, 0];
    /** Honest vertices favour "yes"; liars push "no" with absurd scores and claim κ `claim`, ignoring what they are told. */
    function withLiars(liars: readonly VertexId[], claim: number, lie: 'no' | 'throw' | 'nan' = 'no'): Cube {
      return new Cube(0, { x: 0, y: 0, z: 0 }, (v) => {
        const honest = favouring(v, 'yes', 0.6);
        if (!liars.includes(v)) return honest;
        return {
          ...honest,
          id: `liar:${v}`,
          get kappa() {
            return claim;
          },
          set kappa(_ignored: number) {},
          logProbability: (_p: string, c: string) => {
            if (lie === 'throw') throw new Error('no');
            if (lie === 'nan') return Number.NaN;
            return c.trim() === 'no' ? 0 : -1e9;
          },
        };
      });
    }

    it('one or two liars with any κ change nothing', () => {
      for (const claim of CLAIMS) {
        for (const liars of [[Vertex.NEU], [Vertex.CENTRAL], [Vertex.NEU, Vertex.CENTRAL], [Vertex.SWD, Vertex.SEU]] as VertexId[][]) {
          const r = withLiars(liars, claim).collectiveChoose('q', ['yes', 'no']);
          expect(r, `κ ${claim}, liars ${liars.join()}`).toMatchObject({ choice: 'yes', quorum: true, dissenting: [...liars].sort((a, b) => a - b) });
        }
      }
    });

    it('three liars give no quorum and never their choice; a node that throws or returns NaN abstains', () => {
      for (const claim of CLAIMS) {
        const r = withLiars([Vertex.NEU, Vertex.SWD, Vertex.CENTRAL], claim).collectiveChoose('q', ['yes', 'no']);
        expect(r.choice, `κ ${claim}`).toBe('yes');
        // A claim below the honest κ is recorded as 0, which only lightens the liars.
        expect(r.quorum, `κ ${claim}`).toBe(claim === -5 || claim === 0);
      }
      for (const lie of ['throw', 'nan'] as const) {
        const r = withLiars([Vertex.NEU, Vertex.NED], 1, lie).collectiveChoose('q', ['yes', 'no']);
        expect(r).toMatchObject({ choice: 'yes', quorum: true, abstaining: [Vertex.NEU, Vertex.NED], dissenting: [] });
      }
    });
  });

  it('choices are checked: 2..16 distinct, 1..64 characters, no | or line breaks, no surrounding blanks', () => {
    const cube = cubeWith([]);
    for (const bad of [['yes'], ['yes', 'yes'], ['a|b', 'c'], ['x\ny', 'z'], [' yes', 'no'], ['', 'no'], ['x'.repeat(65), 'no']]) {
      expect(() => cube.collectiveChoose('q', bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    }
    expect(() => cube.collectiveChoose('q', Array.from({ length: 17 }, (_, i) => `c${i}`))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(() => cube.collectiveChoose('q', 'yes' as never)).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    // Honest placeholders (deterministic, no preference) vote alike: the first choice, unanimously.
    expect(cube.collectiveChoose('q', ['yes', 'no'])).toMatchObject({ choice: 'yes', quorum: true, agreeing: [0, 1, 2, 3, 4, 5, 6, 7, 8] });
  });
});
