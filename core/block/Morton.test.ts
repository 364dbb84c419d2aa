import { describe, expect, it } from 'vitest';
import { mortonBigMin, mortonEncode, mortonX, mortonY, mortonZ } from './Morton.js';

describe('Morton', () => {
  it('round-trips corner and random coordinates', () => {
    const samples = [[0, 0, 0], [1023, 1023, 1023], [1, 2, 3], [999, 0, 512], [5, 1000, 77]] as const;
    for (const [x, y, z] of samples) {
      const code = mortonEncode(x, y, z);
      expect(code).toBeLessThan(2 ** 30);
      expect([mortonX(code), mortonY(code), mortonZ(code)]).toEqual([x, y, z]);
    }
  });

  it('interleaves x in the lowest bit', () => {
    expect(mortonEncode(1, 0, 0)).toBe(1);
    expect(mortonEncode(0, 1, 0)).toBe(2);
    expect(mortonEncode(0, 0, 1)).toBe(4);
    expect(mortonEncode(2, 0, 0)).toBe(8);
  });

  it('BIGMIN is the next in-box code (brute force on an 8³ grid)', () => {
    const boxes = [[1, 2, 0, 5, 6, 3], [0, 0, 0, 7, 7, 7], [3, 3, 3, 4, 4, 4], [2, 0, 5, 2, 7, 6]] as const;
    for (const [x0, y0, z0, x1, y1, z1] of boxes) {
      const inBox = (c: number) => {
        const x = mortonX(c), y = mortonY(c), z = mortonZ(c);
        return x >= x0 && x <= x1 && y >= y0 && y <= y1 && z >= z0 && z <= z1;
      };
      const zmin = mortonEncode(x0, y0, z0);
      const zmax = mortonEncode(x1, y1, z1);
      for (let c = zmin; c <= zmax; c++) {
        if (inBox(c)) continue;
        let expected = c + 1;
        while (!inBox(expected)) expected++;
        expect(mortonBigMin(c, zmin, zmax)).toBe(expected);
      }
    }
  });
});
