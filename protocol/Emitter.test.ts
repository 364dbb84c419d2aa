import { describe, expect, it } from 'vitest';
import { Emitter } from './Emitter.js';

describe('Emitter', () => {
  it('calls every listener, survives a throwing one, and reports the error', () => {
    const errors: unknown[] = [];
    const listeners = new Emitter<number>((err) => errors.push(err));
    const seen: number[] = [];
    listeners.add(() => { throw new Error('boom'); });
    listeners.add((v) => seen.push(v));
    listeners.emit(7);
    expect(seen).toEqual([7]);
    expect(errors).toHaveLength(1);
  });

  it('disposes one subscription without touching another of the same function', () => {
    const listeners = new Emitter<number>();
    const seen: number[] = [];
    const f = (v: number): void => { seen.push(v); };
    const first = listeners.add(f);
    listeners.add(f);
    first.dispose();
    listeners.emit(1);
    expect(seen).toEqual([1]);
    expect(listeners.size).toBe(1);
  });
});
