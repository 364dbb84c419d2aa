import { describe, expect, it } from 'vitest';
import { textToScancodes } from './scancodes.js';

describe('textToScancodes', () => {
  it('presses and releases each key, with shift around capitals and symbols', () => {
    expect(textToScancodes('a1')).toEqual([0x1e, 0x9e, 0x02, 0x82]);
    expect(textToScancodes('A')).toEqual([0x2a, 0x1e, 0x9e, 0xaa]);
    expect(textToScancodes('[;]')).toEqual([0x1a, 0x9a, 0x27, 0xa7, 0x1b, 0x9b]);
    expect(textToScancodes(' \n')).toEqual([0x39, 0xb9, 0x1c, 0x9c]);
  });

  it('types Ctrl-C as ctrl held around c', () => {
    expect(textToScancodes('\x03')).toEqual([0x1d, 0x2e, 0xae, 0x9d]);
  });

  it('refuses characters no key on a US keyboard produces', () => {
    expect(() => textToScancodes('é')).toThrow(RangeError);
  });
});
