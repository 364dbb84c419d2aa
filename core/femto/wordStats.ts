/**
 * The measures of issue 13 for generated text, read from outside the model: what share of the
 * generated words exist in the training text, and how varied the answers are.
 *
 * A word is a maximal run of ASCII letters, compared in lower case. A run that reaches the end
 * of an answer is not counted (the token limit may have cut it), nor one that starts an answer
 * directly after a letter of the prompt (it continues the prompt's word).
 */
const LETTER = /[A-Za-z]+/g;

/** Every word of `text` (lower case), as a set: the vocabulary answers are checked against. */
export function vocabularyOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(LETTER)) out.add(m[0].toLowerCase());
  return out;
}

/** The complete words of one answer, in order (see the file comment for what is left out). */
export function answerWords(answer: string, prompt = ''): string[] {
  const words: string[] = [];
  const continuesPrompt = /[A-Za-z]$/.test(prompt);
  for (const m of answer.matchAll(LETTER)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    if (end === answer.length) continue;
    if (start === 0 && continuesPrompt) continue;
    words.push(m[0].toLowerCase());
  }
  return words;
}

export interface AnswerStats {
  readonly words: number;
  /** Share of the answers' words found in the vocabulary. */
  readonly validShare: number;
  readonly bigrams: number;
  /** Distinct word bigrams over all word bigrams (each answer's bigrams, pooled). */
  readonly distinctBigramShare: number;
}

export function answerStats(answers: ReadonlyArray<{ readonly prompt: string; readonly answer: string }>, vocabulary: ReadonlySet<string>): AnswerStats {
  let words = 0;
  let valid = 0;
  let bigrams = 0;
  const distinct = new Set<string>();
  for (const { prompt, answer } of answers) {
    const ws = answerWords(answer, prompt);
    words += ws.length;
    for (const w of ws) if (vocabulary.has(w)) valid++;
    for (let i = 1; i < ws.length; i++) {
      bigrams++;
      distinct.add(`${ws[i - 1]} ${ws[i]}`);
    }
  }
  return {
    words,
    validShare: words === 0 ? 0 : valid / words,
    bigrams,
    distinctBigramShare: bigrams === 0 ? 0 : distinct.size / bigrams,
  };
}
