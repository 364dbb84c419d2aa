import { describe, expect, it } from 'vitest';
import { voteWeight } from '../../core/cube/Consensus.js';
import { Cube, type CollectiveResult } from '../../core/cube/Cube.js';
import { CORNERS, Vertex, vertexOffset, type VertexId } from '../../core/cube/Vertex.js';
import { ensembleRespond } from '../../core/femto/ensemble.js';
import { FemtoLlmFactory, type FemtoLlm } from '../../core/femto/index.js';
import type { LlmNode } from '../../core/llm/LlmNode.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';

/**
 * Byzantine collective thinking with the REAL FemtoLLM: honest vertices are unmodified FemtoLlm
 * instances; faulty ones wrap one and answer garbage (their κ, as the cube records it, still weighs their vote).
 */
const factory = new FemtoLlmFactory();
const TOKENS = 24;
const PROMPTS = [
  'The hacker ',
  'A bug is ',
  'status of the grid',
  'hello cube',
  'What is a kludge? ',
  'The Jargon File ',
  'core dump',
  'frob the ',
  'In the beginning ',
  'cube 7, report: ',
  'RTFM means ',
  'Unix is ',
];

type Lie = 'z' | 'distinct';

function liar(node: LlmNode, vertex: VertexId, lie: Lie): LlmNode {
  const text = (n: number) => (lie === 'z' ? 'z'.repeat(n) : `garbage from ${vertex} `.repeat(4).slice(0, n));
  return {
    id: node.id,
    get kappa() {
      return node.kappa;
    },
    set kappa(k: number) {
      node.kappa = k;
    },
    respond: (_prompt, maxTokens = 32) => text(maxTokens),
    replicaAnswer: (_prompt, maxTokens) => text(maxTokens),
    nextTokenProbabilities: (c) => node.nextTokenProbabilities(c),
  };
}

/** A cube at `origin` whose vertices are FemtoLLMs at origin + doubled offset; `faulty` lie; κ optionally fixed. */
function femtoCube(origin: number, faulty: readonly VertexId[] = [], lie: Lie = 'z', kappa?: (v: VertexId) => number): Cube {
  return new Cube(0, { x: origin, y: origin, z: origin }, (v) => {
    const [dx, dy, dz] = vertexOffset(v);
    const node: FemtoLlm = factory.create(origin + dx, origin + dy, origin + dz);
    if (kappa) node.kappa = kappa(v);
    return faulty.includes(v) ? liar(node, v, lie) : node;
  });
}

const PAIRS: readonly (readonly VertexId[])[] = [
  [Vertex.NEU, Vertex.CENTRAL],
  [Vertex.NEU, Vertex.NED],
  [Vertex.SWD, Vertex.CENTRAL],
  [Vertex.SEU, Vertex.NWD],
];
const TRIPLES: readonly (readonly VertexId[])[] = [
  [Vertex.NEU, Vertex.CENTRAL, Vertex.SWD],
  [Vertex.NEU, Vertex.NED, Vertex.NWU],
];

describe('collectiveThink with FemtoLLM (replicaQuorum)', () => {
  const honest = PROMPTS.map((prompt, i) => {
    const origin = 3 * i;
    return { prompt, origin, result: femtoCube(origin).collectiveThink(prompt, TOKENS) };
  });

  it('all-honest cubes agree on the greedy base-model answer, byte for byte', () => {
    for (const { prompt, result } of honest) {
      expect(result.quorum).toBe(true);
      expect(result.agreeing).toHaveLength(9);
      expect(result.text).toBe(factory.create(60_000, 1, 2).replicaAnswer(prompt, TOKENS));
      // TOKENS tokens of the BPE vocabulary: at least as many characters.
      expect((result.text ?? "").length).toBeGreaterThanOrEqual(TOKENS);
    }
  });

  it('two garbage vertices (CENTRAL among them or not) leave the consensus byte-identical', () => {
    let checked = 0;
    for (const [i, { prompt, origin, result }] of honest.entries()) {
      for (const lie of ['z', 'distinct'] as const) {
        const faulty = PAIRS[i % PAIRS.length]!;
        const cube = femtoCube(origin, faulty, lie);
        const two = cube.collectiveThink(prompt, TOKENS);
        // Vote weights lie in [2/3, 1]: two vertices never hold a third, whatever their κ.
        expect(two.answers.filter((a) => faulty.includes(a.vertex)).reduce((w, a) => w + voteWeight(a.kappa), 0) / two.totalWeight).toBeLessThan(1 / 3);
        expect(two.quorum).toBe(true);
        expect(two.text).toBe(result.text);
        expect(two.agreeing).toEqual(honestVertices(faulty));
        checked++;
      }
    }
    expect(checked).toBe(24);
  });

  it('with equal κ, three garbage vertices (colluding or not) give no quorum, never a wrong answer', () => {
    for (const [i, { prompt, origin }] of honest.entries()) {
      for (const lie of ['z', 'distinct'] as const) {
        const three: CollectiveResult = femtoCube(origin, TRIPLES[i % 2]!, lie, () => 0.6).collectiveThink(prompt, TOKENS);
        expect(three).toMatchObject({ quorum: false, text: null });
      }
    }
  });

  it('with their own κ, three garbage vertices never produce a wrong answer', () => {
    for (const { prompt, origin, result } of honest) {
      const three = femtoCube(origin, TRIPLES[0]!, 'z').collectiveThink(prompt, TOKENS);
      expect([null, result.text]).toContain(three.text);
    }
  });

  it('κ weighs the votes: heavy honest vertices outvote three light colluding ones', () => {
    const faulty = TRIPLES[0]!;
    const { prompt, origin, result } = honest[0]!;
    const heavy = femtoCube(origin, faulty, 'z', (v) => (faulty.includes(v) ? 0.05 : 1)).collectiveThink(prompt, TOKENS);
    expect(heavy.quorum).toBe(true);
    expect(heavy.text).toBe(result.text);
    // Three liars holding half the weight: no quorum, not their garbage.
    const half = femtoCube(origin, faulty, 'z', (v) => (faulty.includes(v) ? 1 : 0.5)).collectiveThink(prompt, TOKENS);
    expect(half).toMatchObject({ quorum: false, text: null });
    // Three liars at the heaviest κ against six honest at 0.2 hold 3 / (3 + 6 · 0.733) ≈ 41 % of the
    // weight: they cannot impose their answer (their κ only weighs within [2/3, 1]), nor is there a quorum.
    const heavyLiars = femtoCube(origin, faulty, 'z', (v) => (faulty.includes(v) ? 1 : 0.2)).collectiveThink(prompt, TOKENS);
    expect(heavyLiars).toMatchObject({ quorum: false, text: null });
  });
});

function honestVertices(faulty: readonly VertexId[]): VertexId[] {
  const all: VertexId[] = [...CORNERS, Vertex.CENTRAL];
  return all.filter((v) => !faulty.includes(v));
}

describe('Konomi with FemtoLLM', () => {
  it('llmAt, processVertex and collectiveThink run; κ moves toward 0.6', async () => {
    const konomi = await Konomi.open({ llmFactory: new FemtoLlmFactory(), gridDims: { x: 64, y: 64, z: 64 } });
    const node = konomi.llm.at(1, 2, 3);
    node.kappa = 1;
    expect(node.respond('hello', 8).length).toBeGreaterThanOrEqual(8);
    expect(node.kappa).toBeCloseTo(0.996, 6);
    const cube = await konomi.cubes.at(4, 4, 4);
    cube.kappa = 1;
    const vertex = konomi.cubes.processVertex(cube.id, 'NEU', 'status', 4);
    expect(vertex.trace).toHaveLength(4);
    // Requests do not step the field (ticks do); a high-entropy answer may kick it down a little.
    expect(cube.kappa).toBeLessThanOrEqual(1);
    expect(cube.kappa).toBeGreaterThanOrEqual(1 + 0.05 / 9 * -1 - 1e-12);
    const result = konomi.cubes.collectiveThink(cube.id, 'status', 4);
    expect(result).toMatchObject({ quorum: true, text: factory.create(0, 0, 0).replicaAnswer('status', 4) });
    const before = cube.kappa;
    konomi.cubes.updateKappa();
    expect(cube.kappa).toBeCloseTo(before + 0.05 * (0.6 - before), 12);
  });

  it("CENTRAL's own answer is the ensemble of the eight corners (processVertex on CENTRAL)", async () => {
    const konomi = await Konomi.open({ llmFactory: new FemtoLlmFactory(), gridDims: { x: 64, y: 64, z: 64 } });
    const cube = await konomi.cubes.at(8, 8, 8);
    const fresh = new FemtoLlmFactory();
    const at = (v: VertexId) => {
      const [dx, dy, dz] = vertexOffset(v);
      return fresh.create(8 + dx, 8 + dy, 8 + dz);
    };
    const expected = ensembleRespond(at(Vertex.CENTRAL), CORNERS.map(at), 'The grid ', 16);
    const result = konomi.cubes.processVertex(cube.id, 'CENTRAL', 'The grid ', 16);
    expect(result.text).toBe(expected);
    expect(result.text).not.toBe(at(Vertex.CENTRAL).respond('The grid ', 16));
    expect(result.trace.map((t) => t.to.vertex)).toEqual([...CORNERS]);
  });
});

describe('collectiveChoose with FemtoLLM: votes that can disagree', () => {
  const CHOICES = ['yes', 'no'];
  /** A faulty vertex that pushes `push` with the best possible score and claims κ 1000. */
  function pusher(node: FemtoLlm, push: string): LlmNode {
    return {
      id: node.id,
      get kappa() {
        return 1000;
      },
      set kappa(_ignored: number) {},
      respond: (p, n) => node.respond(p, n),
      replicaAnswer: (p, n) => node.replicaAnswer(p, n),
      nextTokenProbabilities: (c) => node.nextTokenProbabilities(c),
      logProbability: (_p, c) => (c.trim() === push ? 0 : -1e9),
    };
  }
  function choiceCube(origin: number, faulty: readonly VertexId[] = [], push = 'no'): Cube {
    return new Cube(0, { x: origin, y: 0, z: 0 }, (v) => {
      const [dx, dy, dz] = vertexOffset(v);
      const node = factory.create(origin + dx, dy, dz);
      return faulty.includes(v) ? pusher(node, push) : node;
    });
  }
  const rounds = PROMPTS.flatMap((prompt, i) => [0, 4, 8].map((origin) => ({ prompt, origin: origin + 12 * i, result: choiceCube(origin + 12 * i).collectiveChoose(prompt, CHOICES) })));

  it('untaught instances vote by their own parameters, and do not always agree', () => {
    for (const { result } of rounds) {
      for (const b of result.ballots) {
        expect(b.scores.every((s) => s !== null && s < 0)).toBe(true);
        // Each vertex votes for the choice its own model scores higher.
        expect(b.choice).toBe((b.scores[0] as number) >= (b.scores[1] as number) ? 0 : 1);
      }
    }
    const split = rounds.filter((r) => r.result.dissenting.length > 0);
    expect(split.length).toBeGreaterThan(0);
    expect(split.length).toBeLessThan(rounds.length);
  });

  it('two pushers claiming κ 1000 never change a unanimous choice; three never impose theirs', () => {
    const unanimous = rounds.filter((r) => r.result.agreeing.length === 9);
    expect(unanimous.length).toBeGreaterThan(10);
    for (const [i, { prompt, origin, result }] of unanimous.entries()) {
      const other = CHOICES.find((c) => c !== result.choice)!;
      const two = choiceCube(origin, PAIRS[i % PAIRS.length]!, other).collectiveChoose(prompt, CHOICES);
      expect(two).toMatchObject({ choice: result.choice, quorum: true });
      const three = choiceCube(origin, TRIPLES[i % 2]!, other).collectiveChoose(prompt, CHOICES);
      expect(three.choice).toBe(result.choice);
    }
  });
});
