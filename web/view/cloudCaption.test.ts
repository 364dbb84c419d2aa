import { describe, expect, it } from 'vitest';
import { cloudCaption, formatCount } from './cloudCaption.js';

describe('the point cloud caption', () => {
  const write = { x: 1, y: 2, z: 3, value: 4.5, index: 7 };

  it('says how many of the bridge\'s total the view shows when it holds only a sample', () => {
    expect(cloudCaption(5_000, 1_000_000, write)).toBe('5,000 of 1,000,000 active blocks · last write (1, 2, 3) = 4.5, ledger #7');
  });

  it('shows the plain count when the sample is everything, and a note when there is nothing', () => {
    expect(cloudCaption(1, 1, write)).toBe('1 active block · last write (1, 2, 3) = 4.5, ledger #7');
    expect(cloudCaption(1_234, 1_234, write)).toBe('1,234 active blocks · last write (1, 2, 3) = 4.5, ledger #7');
    expect(cloudCaption(0, 0, undefined)).toBe('no active blocks yet');
  });

  it('names no cell as the latest before this page has seen a write (GET /blocks has no order)', () => {
    expect(cloudCaption(3, 3, undefined)).toBe('3 active blocks · no writes since this page opened');
  });

  it('calls a value that changed between two samples a change seen, without a ledger entry', () => {
    expect(cloudCaption(3, 3, { x: 4, y: 5, z: 6, value: -1 })).toBe('3 active blocks · last change seen (4, 5, 6) = -1');
  });

  it('groups thousands', () => {
    expect([0, 999, 1_000, 12_345_678].map(formatCount)).toEqual(['0', '999', '1,000', '12,345,678']);
  });
});
