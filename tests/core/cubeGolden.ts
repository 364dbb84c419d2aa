import { Konomi } from '../../core/orchestrator/Konomi.js';
import type { VertexId } from '../../core/cube/Vertex.js';
import { FemtoLlmFactory } from '../../core/femto/FemtoLlm.js';

/**
 * The answers of a fixed mix of cube operations (the bench's: ¾ processVertex with its trace,
 * ¼ collectiveThink, over several cubes, so κ moves between requests), with the placeholder and
 * with FemtoLLM. Recorded once before the cube speed-up (tests/core/fixtures/cubeGolden.json,
 * `npx tsx tests/core/cubeGolden.ts > tests/core/fixtures/cubeGolden.json`); the test compares.
 */
export async function cubeAnswers(): Promise<{ placeholder: unknown[]; femto: unknown[] }> {
  const run = async (k: Konomi, ops: number, maxTokens?: number): Promise<unknown[]> => {
    for (let i = 0; i < 4; i++) await k.cubes.at(i * 3, 0, 0);
    const out: unknown[] = [];
    for (let i = 0; i < ops; i++) {
      const id = i % 4;
      const text = i % 5 === 0 ? `op ${i} ` : `what is cube ${i}`;
      if (i % 4 === 0) out.push(k.cubes.collectiveThink(id, text, maxTokens));
      else out.push(k.cubes.processVertex(id, (i % 9) as VertexId, text, maxTokens));
    }
    return JSON.parse(JSON.stringify(out)) as unknown[];
  };
  const placeholder = await run(await Konomi.open(), 60);
  const femto = await run(await Konomi.open({ llmFactory: new FemtoLlmFactory() }), 24, 12);
  return { placeholder, femto };
}

if (process.argv[1]?.endsWith('cubeGolden.ts')) {
  process.stdout.write(`${JSON.stringify(await cubeAnswers())}\n`);
}
