import type { Page } from 'playwright-core';

export interface Region { readonly x: number; readonly y: number; readonly width: number; readonly height: number }
export type Rgb = readonly [number, number, number];

/**
 * What a person sees in a part of the page: a screenshot of `clip`, decoded by the browser's own PNG
 * decoder, and for each region (in CSS pixels relative to the clip) the number of pixels within
 * `tolerance` (per channel) of each colour. Needs a device pixel ratio of 1 (the harness's default).
 */
export async function countColours(
  page: Page,
  clip: Region,
  regions: readonly Region[],
  colours: readonly Rgb[],
  tolerance: number,
): Promise<number[][]> {
  const png = await page.screenshot({ clip, type: 'png' });
  return page.evaluate(
    async ({ base64, regions, colours, tolerance }) => {
      const blob = await (await fetch(`data:image/png;base64,${base64}`)).blob();
      const bitmap = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2D context');
      context.drawImage(bitmap, 0, 0);
      const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      return regions.map((r) => {
        const counts = colours.map(() => 0);
        for (let y = Math.max(0, Math.floor(r.y)); y < Math.min(height, Math.ceil(r.y + r.height)); y++) {
          for (let x = Math.max(0, Math.floor(r.x)); x < Math.min(width, Math.ceil(r.x + r.width)); x++) {
            const at = (y * width + x) * 4;
            colours.forEach((c, i) => {
              if (Math.abs((data[at] ?? 0) - c[0]) <= tolerance && Math.abs((data[at + 1] ?? 0) - c[1]) <= tolerance && Math.abs((data[at + 2] ?? 0) - c[2]) <= tolerance) {
                counts[i] = (counts[i] ?? 0) + 1;
              }
            });
          }
        }
        return counts;
      });
    },
    { base64: png.toString('base64'), regions, colours, tolerance },
  );
}

/** '#66ccff' → [102, 204, 255]. */
export function hexRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
