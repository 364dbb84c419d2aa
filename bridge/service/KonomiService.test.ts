import { afterEach, describe, expect, it } from 'vitest';
import { Tensor } from '../../core/evgpu/Tensor.js';
import { TensorOpCode } from '../../core/evgpu/TensorOp.js';
import { FemtoLlmFactory } from '../../core/femto/FemtoLlm.js';
import type { LlmFactory } from '../../core/llm/LlmNode.js';
import { Konomi } from '../../core/orchestrator/Konomi.js';
import { handleTensorOpPayload, tensorOpFromWire, tensorOpReplyFromWire, tensorOpReplyToWire, tensorOpToWire } from '../dispatch/tensorOpWire.js';
import { KonomiService } from './KonomiService.js';
import { kappaEvent } from './coreViews.js';

const open: KonomiService[] = [];

async function service(options: ConstructorParameters<typeof KonomiService>[1] = {}): Promise<KonomiService> {
  const konomi = await Konomi.open({ llmFactory: new FemtoLlmFactory(), gridDims: { x: 64, y: 64, z: 64 } });
  const s = new KonomiService(konomi, options);
  open.push(s);
  return s;
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function random(shape: number[], seed: number): Tensor {
  let x = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(
    Array.from({ length: n }, () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return x / 2 ** 32 - 0.5;
    }),
    shape,
  );
}

describe('KonomiService: κ dynamics run on CUBE_MSG', () => {
  it('every CUBE_MSG (one vertex or the whole cube) drifts the vertices it asks and announces κ; the cube moves on ticks', async () => {
    const s = await service();
    const cube = await s.konomi.cubes.at(0, 0, 0);
    cube.kappa = 1;
    const centralBefore = cube.node('CENTRAL').kappa;
    const events: string[] = [];
    s.onEvent((e) => events.push(e.event));
    const answer = s.cubeMessage(cube.id, 8, 'status');
    expect(answer.vertex).toBe(8);
    expect(answer.text.length).toBeGreaterThanOrEqual(32); // 32 BPE tokens
    // CENTRAL's ensemble answer is not measured for entropy: nothing kicks the cube.
    expect(cube.kappa).toBe(1);
    expect(cube.node('CENTRAL').kappa).toBeCloseTo(centralBefore + 0.01 * (0.6 - centralBefore), 12);
    const collective = s.cubeMessage(cube.id, 0xff, 'status');
    expect(collective.text).toBe(new FemtoLlmFactory().create(9, 9, 9).replicaAnswer('status', 32));
    expect(cube.kappa).toBe(1);
    await s.tickKappa();
    expect(cube.kappa).toBeCloseTo(1 + 0.05 * (0.6 - 1), 12);
    expect(kappaEvent(s.konomi).data.cubes.find((c) => c.id === cube.id)).toMatchObject({ kappa: cube.kappa, vertexKappa: cube.vertexKappa(), central: cube.kappaOf(8) });
    expect(events).toEqual(['kappa', 'kappa', 'kappa']);
  });

  it('a corner answer and an LLM answer report the κ and the temperature they were sampled at', async () => {
    const s = await service();
    const cube = await s.konomi.cubes.at(0, 0, 0);
    const used = cube.kappaOf(0);
    const answer = s.cubeMessage(cube.id, 0, 'status');
    expect(answer).toMatchObject({ kappaUsed: used, temperature: 0.25 + used });
    expect(answer.kappa).toBeCloseTo(cube.kappaOf(0), 12);
    const node = s.konomi.llm.at(5, 5, 5);
    node.kappa = 0.9;
    expect(s.llmQuery(5, 5, 5, 'hi', 4)).toMatchObject({ kappaUsed: 0.9, temperature: 0.25 + 0.9 });
  });
});

describe('KonomiService: CUBE_MSG 0xFF with FemtoLLM and two garbage vertices (the review scenario)', () => {
  /** FemtoLLM everywhere, but NEU (origin + 2,2,2) and CENTRAL (origin + 1,1,1) of cubes at (4i, 0, 0) always answer "z…". */
  function lyingFactory(): LlmFactory {
    const real = new FemtoLlmFactory();
    return {
      create(x, y, z) {
        const node = real.create(x, y, z);
        const lies = (x % 4 === 1 && y === 1 && z === 1) || (x % 4 === 2 && y === 2 && z === 2);
        if (!lies) return node;
        const z32 = (n = 32) => 'z'.repeat(n);
        return {
          id: node.id,
          get kappa() {
            return node.kappa;
          },
          set kappa(k: number) {
            node.kappa = k;
          },
          respond: (_p: string, n?: number) => z32(n),
          replicaAnswer: (_p: string, n: number) => z32(n),
          nextTokenProbabilities: (c: Uint8Array) => node.nextTokenProbabilities(c),
        };
      },
    };
  }

  it('20 cubes: the consensus text is the honest one wherever NEU and CENTRAL hold < 1/3 of the κ weight, and never "z…"', async () => {
    const honest = new KonomiService(await Konomi.open({ llmFactory: new FemtoLlmFactory() }));
    const lying = new KonomiService(await Konomi.open({ llmFactory: lyingFactory() }));
    open.push(honest, lying);
    let identical = 0;
    for (let i = 0; i < 20; i++) {
      const a = await honest.konomi.cubes.create(4 * i, 0, 0);
      const b = await lying.konomi.cubes.create(4 * i, 0, 0);
      const prompt = `cube ${i}, status: `;
      const expected = honest.cubeMessage(a.id, 0xff, prompt).text;
      const k = b.vertexKappa();
      const share = ((k[0] as number) + (k[8] as number)) / k.reduce((x, y) => x + y, 0);
      const got = lying.cubeMessage(b.id, 0xff, prompt).text;
      expect(got).not.toContain('zzzz');
      if (share < 1 / 3) {
        expect(got).toBe(expected);
        identical++;
      } else {
        expect([expected, '[no quorum]']).toContain(got);
      }
    }
    expect(identical).toBeGreaterThanOrEqual(15);
  });
});

describe('KonomiService: TENSOR_OP', () => {
  it('a large matmul runs on the worker pool and gives the inline result; small ones stay inline', async () => {
    // Whole-request offload (64 KiB and up, tests/evgpu/workerTensorOp.test.ts) is off here: this is the matmul split.
    const s = await service({ poolMinMultiplyAdds: 64 * 48 * 40, poolSize: 2, poolMinOffloadBytes: Number.POSITIVE_INFINITY });
    const small = tensorOpToWire(TensorOpCode.matmul, [random([3, 5], 1), random([5, 7], 2)]);
    expect(tensorOpReplyToWire(await s.tensorOp(tensorOpFromWire(small)))).toEqual(handleTensorOpPayload(small));
    expect(s.poolStarted).toBe(false);
    const relu = tensorOpToWire(TensorOpCode.relu, [random([300, 300], 3)]);
    expect(tensorOpReplyToWire(await s.tensorOp(tensorOpFromWire(relu)))).toEqual(handleTensorOpPayload(relu));
    expect(s.poolStarted).toBe(false);

    const large = tensorOpToWire(TensorOpCode.matmul, [random([65, 48], 4), random([48, 41], 5)]);
    const pooled = await s.tensorOp(tensorOpFromWire(large));
    expect(s.poolStarted).toBe(true);
    const inline = tensorOpReplyFromWire(handleTensorOpPayload(large));
    expect(pooled.shape).toEqual([65, 41]);
    pooled.dense().forEach((v, i) => expect(v).toBeCloseTo(inline.data[i] as number, 4));
  });

  it('oversize requests are refused before anything runs; close stops the pool', async () => {
    const s = await service({ poolMinMultiplyAdds: 1 });
    const huge = new Uint8Array([0x01 /* matmul */, 0, 2, 0, 2, 0x10, 0x00, 0x10, 0x00]);
    await expect((async () => s.tensorOp(tensorOpFromWire(huge)))()).rejects.toMatchObject({ code: 'TOO_LARGE' });
    expect(s.poolStarted).toBe(false);
    await s.tensorOp(tensorOpFromWire(tensorOpToWire(TensorOpCode.matmul, [random([4, 4], 6), random([4, 4], 7)])));
    expect(s.poolStarted).toBe(true);
    await s.close();
    open.splice(open.indexOf(s), 1);
    expect(s.poolStarted).toBe(false);
  });
});
