import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cubeAnswers } from './cubeGolden.js';

// Answers recorded from the code before the cube speed-up (issue 16): every faster path must
// give the same collective answers, traces and κ, bit for bit.
const golden = JSON.parse(readFileSync(new URL('./fixtures/cubeGolden.json', import.meta.url), 'utf8')) as unknown;

describe('cube answers against the recorded golden', () => {
  it('are unchanged for the placeholder and FemtoLLM, bit for bit', async () => {
    const now = await cubeAnswers();
    expect(now.placeholder.length).toBeGreaterThan(0);
    expect(now).toEqual(golden);
  }, 60_000);
});
