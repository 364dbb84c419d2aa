import { describe, expect, it } from 'vitest';
import { answerStats, answerWords, vocabularyOf } from './wordStats.js';

describe('word measures', () => {
  const vocab = vocabularyOf('The cat sat on the mat. A hacker, the hacker!');

  it('a vocabulary is the lower-case letter runs of a text', () => {
    expect([...vocab].sort()).toEqual(['a', 'cat', 'hacker', 'mat', 'on', 'sat', 'the']);
  });

  it('skip a word cut by the end of the answer and one continuing the prompt’s word', () => {
    expect(answerWords('cat sat on th')).toEqual(['cat', 'sat', 'on']);
    expect(answerWords('ker is here.', 'The hac')).toEqual(['is', 'here']);
    expect(answerWords(' is here.', 'The hac')).toEqual(['is', 'here']);
    expect(answerWords('x9y z', '')).toEqual(['x', 'y']);
  });

  it('count known words and distinct bigrams over all answers', () => {
    const s = answerStats(
      [
        { prompt: 'The ', answer: 'cat sat on the mat. ' },
        { prompt: 'The ', answer: 'cat sat on the blorp. ' },
      ],
      vocab,
    );
    expect(s.words).toBe(10);
    expect(s.validShare).toBeCloseTo(9 / 10, 12);
    // cat sat, sat on, on the twice; the mat, the blorp once each: 5 distinct of 8.
    expect(s.bigrams).toBe(8);
    expect(s.distinctBigramShare).toBeCloseTo(5 / 8, 12);
  });
});
