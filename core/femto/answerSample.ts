import type { FemtoLlmFactory } from './FemtoLlm.js';
import { KAPPA_TARGET } from './FemtoLlm.js';

/** Prompts of the issue-13 answer sample: the kind of thing people type at the modem. */
export const SAMPLE_PROMPTS: readonly string[] = [
  'The hacker ',
  'A kludge is ',
  'In the old days, ',
  'The Jargon File ',
  'A bug is ',
  'Unix is ',
  'hello cube ',
  'When the system crashed, ',
];

export interface SampledAnswer {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly prompt: string;
  readonly answer: string;
}

/**
 * `count` answers of `tokens` tokens from as many different coordinates, each at κ = 0.6
 * (set before answering), prompts taken in turn from SAMPLE_PROMPTS.
 */
export function sampleAnswers(factory: FemtoLlmFactory, count = 64, tokens = 128, kappa = KAPPA_TARGET): SampledAnswer[] {
  const out: SampledAnswer[] = [];
  for (let i = 0; i < count; i++) {
    const [x, y, z] = [(i * 7919) & 0xffff, (i * 104729 + 17) & 0xffff, (i * 31 + 1000) & 0xffff];
    const node = factory.create(x, y, z);
    node.kappa = kappa;
    const prompt = SAMPLE_PROMPTS[i % SAMPLE_PROMPTS.length] as string;
    out.push({ x, y, z, prompt, answer: node.respond(prompt, tokens) });
  }
  return out;
}
