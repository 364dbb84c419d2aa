import { describe, expect, it } from 'vitest';
import { FemtoLlmFactory } from './FemtoLlm.js';
import { LESSON_BYTES, decodeLesson, encodeLesson } from './FemtoLesson.js';
import { encodeText } from './text.js';

// Not in the base corpus (the Jargon File): a C function in this repository's style.
const TEXT = encodeText(
  [
    'static uint16_t crc16_update(uint16_t crc, uint8_t byte)',
    '{',
    '    crc ^= (uint16_t)byte << 8;',
    '    for (int bit = 0; bit < 8; bit++)',
    '        crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);',
    '    return crc;',
    '}',
    '',
  ].join('\n').repeat(3),
);

function teach(factory: FemtoLlmFactory, steps: number, seed = 7) {
  const llm = factory.create(10, 20, 30);
  const t = llm.teach(TEXT, seed);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push(t.step());
  return { llm, info: t.finish(), losses };
}

describe('teaching an instance (FemtoTeacher)', () => {
  const factory = new FemtoLlmFactory();

  it('lowers the loss on the taught text, and the instance applies what it learned', () => {
    const { llm, info, losses } = teach(factory, 40);
    expect(info.steps).toBe(40);
    expect(info.bitsAfter).toBeLessThan(info.bitsBefore - 1);
    expect(losses.at(-1)).toBeLessThan(losses[0]! - 1);
    // The instance itself now reads the text better (bitsAfter is measured on it, rounded to f32).
    expect(llm.bitsPerChar(TEXT)).toBeCloseTo(info.bitsAfter, 4);
    expect(llm.lessonInfo).toEqual(info);
    expect(llm.respond('static ', 16)).toMatch(/^[\t\n\x20-\x7e]*$/);
  });

  it('leaves the shared base unchanged bit for bit, and other instances as they were', () => {
    const w = factory.weights;
    const before = w.serialize();
    const other = factory.create(1, 1, 1);
    const otherBits = other.bitsPerChar(TEXT);
    teach(factory, 20);
    const after = w.serialize();
    let differing = after.length === before.length ? 0 : -1;
    for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) differing++;
    expect(differing).toBe(0);
    expect(other.bitsPerChar(TEXT)).toBe(otherBits);
  });

  it('keeps an instance within 1 KiB: the stored lesson is 792 bytes and round-trips', () => {
    const { llm } = teach(factory, 10);
    const stored = llm.lesson();
    expect(stored).not.toBeNull();
    expect(stored!.length).toBe(LESSON_BYTES);
    expect(LESSON_BYTES).toBeLessThanOrEqual(1024);
    expect(encodeLesson(decodeLesson(stored!))).toEqual(stored);
    // A fresh instance of the same coordinate with the stored lesson answers the same.
    const copy = factory.create(10, 20, 30);
    copy.restoreLesson(stored!);
    copy.kappa = llm.kappa;
    expect(copy.respond('for (', 24)).toBe(llm.respond('for (', 24));
  });

  it('is reproducible from the seed: the same text, start and seed give the same lesson bit for bit', () => {
    const a = teach(factory, 15, 99).llm.lesson();
    const b = teach(new FemtoLlmFactory(), 15, 99).llm.lesson();
    const c = teach(factory, 15, 100).llm.lesson();
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('refuses a text that is too long or too short, and a lesson of another version', () => {
    const llm = factory.create(0, 0, 0);
    expect(() => llm.teach(new Uint8Array(4097).fill(65), 1)).toThrow(/at most 4096/);
    expect(() => llm.teach(Uint8Array.of(65), 1)).toThrow(/at least 2/);
    const stored = teach(factory, 1).llm.lesson()!;
    stored[0] = 2;
    expect(() => decodeLesson(stored)).toThrow(/lesson version 2/);
    expect(() => decodeLesson(stored.subarray(1))).toThrow(/792 bytes/);
  });
});
