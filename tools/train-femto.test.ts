import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng } from './train-femto.js';
import { renderLossChart } from '../core/femto/index.js';

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

describe('loss curve PNG', () => {
  it('is a valid truecolour PNG whose pixels are the rendered chart', () => {
    const chart = renderLossChart(
      [
        { points: [[0, 8], [50, 4], [100, 3]], color: [30, 90, 200] },
        { points: [[0, 8], [100, 3.2]], color: [220, 60, 30] },
      ],
      64,
      40,
    );
    const png = encodePng(chart);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks: Record<string, Buffer> = {};
    for (let at = 8; at < png.length; ) {
      const len = png.readUInt32BE(at);
      const type = png.toString('ascii', at + 4, at + 8);
      const data = png.subarray(at + 8, at + 8 + len);
      expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
      chunks[type] = data;
      at += 12 + len;
    }
    expect(Object.keys(chunks)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(chunks.IHDR!.readUInt32BE(0)).toBe(64);
    expect(chunks.IHDR!.readUInt32BE(4)).toBe(40);
    expect(Array.from(chunks.IHDR!.subarray(8))).toEqual([8, 2, 0, 0, 0]);
    const raw = inflateSync(chunks.IDAT!);
    expect(raw.length).toBe(40 * (1 + 64 * 3));
    for (let y = 0; y < 40; y++) {
      expect(raw[y * 193]).toBe(0);
      expect(Buffer.compare(raw.subarray(y * 193 + 1, (y + 1) * 193), Buffer.from(chart.rgb.subarray(y * 192, (y + 1) * 192)))).toBe(0);
    }
    // Both series were drawn.
    const has = (r: number, g: number, b: number) => chart.rgb.some((_, i) => i % 3 === 0 && chart.rgb[i] === r && chart.rgb[i + 1] === g && chart.rgb[i + 2] === b);
    expect(has(30, 90, 200)).toBe(true);
    expect(has(220, 60, 30)).toBe(true);
  });
});
