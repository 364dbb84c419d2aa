/**
 * Sizing XP10's 80×25 text screen to its pane. v86 draws text mode as rows of text, so the screen is
 * exactly as wide as 80 characters of its font: the page picks the font size at which those 80
 * characters fill the pane's width, and the box is then exactly the text grid (no strip beside it, no
 * band below it), whatever monospace font the browser has.
 */

export const VGA_COLUMNS = 80;
export const VGA_ROWS = 25;
/** Readable bounds: below 6px nothing can be read, above 24px the screen would crowd out the rest. */
export const MIN_VGA_FONT_PX = 6;
export const MAX_VGA_FONT_PX = 24;

/**
 * The font size at which the text grid is `available` px wide, from its width `measured` at the current
 * size `current` (a monospace line's width is proportional to the font size). Undefined when nothing
 * can be measured (the screen is not laid out).
 */
export function fitVgaFont(current: number, measured: number, available: number): number | undefined {
  if (!(current > 0) || !(measured > 0) || !(available > 0)) return undefined;
  return Math.min(MAX_VGA_FONT_PX, Math.max(MIN_VGA_FONT_PX, (current * available) / measured));
}
