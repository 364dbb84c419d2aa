import { describe, expect, it } from 'vitest';
import { cloudCaption, formatCount } from './cloudCaption.js';

describe('the point cloud caption', () => {
  const latest = { x: 1, y: 2, z: 3, value: 4.5 };

  it('says how many of the bridge\'s total the view shows when it holds only a sample', () => {
    expect(cloudCaption(5_000, 1_000_000, latest)).toBe('5,000 of 1,000,000 active blocks · latest (1, 2, 3) = 4.5');
  });

  it('shows the plain count when the sample is everything, and a note when there is nothing', () => {
    expect(cloudCaption(1, 1, latest)).toBe('1 active block · latest (1, 2, 3) = 4.5');
    expect(cloudCaption(1_234, 1_234, latest)).toBe('1,234 active blocks · latest (1, 2, 3) = 4.5');
    expect(cloudCaption(0, 0, undefined)).toBe('no active blocks yet');
  });

  it('groups thousands', () => {
    expect([0, 999, 1_000, 12_345_678].map(formatCount)).toEqual(['0', '999', '1,000', '12,345,678']);
  });
});
