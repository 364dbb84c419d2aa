import { describe, expect, it } from 'vitest';
import { XP10_MACHINES_MAX, isXp10HelloName, xp10HelloName, xp10Listing } from './phonebook.js';

describe('XP10 names', () => {
  it('names machine 1 XP10 and machine i XP10-i in HELLO, as the guest does', () => {
    expect(xp10HelloName(1)).toBe('XP10');
    expect(xp10HelloName(4)).toBe('XP10-4');
  });

  it('recognises exactly the HELLO names of machines 1..9', () => {
    for (let i = 1; i <= XP10_MACHINES_MAX; i++) expect(isXp10HelloName(xp10HelloName(i))).toBe(true);
    for (const other of ['XP10-0', 'XP10-10', 'xp10', 'XP10-1', 'XP10 ', 'konomi-bridge', '']) expect(isXp10HelloName(other)).toBe(false);
  });

  it('lists machine 1 under the old number and names, machine i under i', () => {
    expect(xp10Listing(1)).toEqual({ number: '1', names: ['xp10', '5551000'] });
    expect(xp10Listing(7)).toEqual({ number: '7', names: ['xp10-7'] });
  });
});
