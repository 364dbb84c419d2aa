import { describe, expect, it } from 'vitest';
import { FemtoLlmFactory } from '../../core/femto/index.js';
import { tokenVote } from '../../core/cube/CollectiveStrategy.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';

/** The orchestrator with the real FemtoLLM behind the LlmNode seam instead of the placeholder. */
describe('Konomi with FemtoLLM', () => {
  it('llmAt, processVertex and collectiveThink run and move κ toward 0.6', async () => {
    const konomi = await Konomi.open({ llmFactory: new FemtoLlmFactory(), gridDims: { x: 64, y: 64, z: 64 } });
    const node = konomi.llmAt(1, 2, 3);
    node.kappa = 1;
    const text = node.respond('hello', 8);
    expect(typeof text).toBe('string');
    expect(node.kappa).toBeCloseTo(0.996, 6);
    const cube = konomi.cubeAt(4, 4, 4);
    const vertex = konomi.processVertex(cube.id, 'CENTRAL', 'status', 4);
    expect(vertex.trace).toHaveLength(8);
    const result = konomi.collectiveThink(cube.id, 'status', 4);
    expect(result.answers).toHaveLength(9);
    expect(result.quorum ? typeof result.text : result.text).toBe(result.quorum ? 'string' : null);
  });

  it('token vote reaches a quorum among the nine FemtoLLM vertices', async () => {
    const konomi = await Konomi.open({ llmFactory: new FemtoLlmFactory(), collective: tokenVote, gridDims: { x: 64, y: 64, z: 64 } });
    const cube = konomi.cubeAt(0, 0, 0);
    const result = konomi.collectiveThink(cube.id, 'The grid ', 8);
    expect(result.quorum).toBe(true);
    expect(result.text!.length).toBeGreaterThan(0);
    // Each token had > 2/3 of the weight; who agreed on every one of them may be fewer.
    expect(result.agreeingWeight * 3).toBeGreaterThan(result.totalWeight * 2);
  });
});
