import { describe, expect, it } from 'vitest';
import { fitVgaFont, MAX_VGA_FONT_PX, MIN_VGA_FONT_PX } from './vgaFit.js';

describe('fitting the 80×25 screen to its pane', () => {
  it('scales the font so the measured line fills the available width exactly', () => {
    // DejaVu Sans Mono: 80 columns at 14px are 674.3px wide; a 690px pane wants 14.33px.
    const measured = 80 * 0.60205 * 14;
    const font = fitVgaFont(14, measured, 690);
    expect(font).toBeCloseTo(14.326, 3);
    expect(80 * 0.60205 * (font ?? 0)).toBeCloseTo(690, 6);
    // Fitting again at the new size changes nothing (no resize loop).
    expect(fitVgaFont(font ?? 0, 690, 690)).toBeCloseTo(font ?? 0, 9);
  });

  it('keeps the font readable on very narrow and very wide panes', () => {
    expect(fitVgaFont(14, 674, 100)).toBe(MIN_VGA_FONT_PX);
    expect(fitVgaFont(14, 674, 5_000)).toBe(MAX_VGA_FONT_PX);
  });

  it('does nothing while the screen is not laid out', () => {
    expect(fitVgaFont(14, 0, 690)).toBeUndefined();
    expect(fitVgaFont(14, 674, 0)).toBeUndefined();
  });
});
