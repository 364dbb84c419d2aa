/**
 * Where the 3D view's axis labels go. Drawn at the projected axis ends, two labels meet whenever two
 * axes point the same way on screen (a flat box seen edge-on gave "y 296x 800"); so each label sits
 * just beyond its axis end, and a label that would touch one already placed moves to the nearest free
 * spot. Pure, so it can be tested at every orientation without a canvas.
 */

export interface AxisAnchor {
  readonly text: string;
  /** The axis end on screen. */
  readonly x: number;
  readonly y: number;
  /** The axis origin on screen (the box's min corner): the label continues the axis outward. */
  readonly fromX: number;
  readonly fromY: number;
}

/** A placed label: top-left corner and size, in CSS pixels. */
export interface LabelBox {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Space kept between a label and its axis end, and between two labels. */
const OFFSET = 5;
const SPACING = 2;
const MAX_STEPS = 16;

export function overlaps(a: LabelBox, b: LabelBox, spacing = 0): boolean {
  return a.x < b.x + b.width + spacing && b.x < a.x + a.width + spacing && a.y < b.y + b.height + spacing && b.y < a.y + a.height + spacing;
}

/**
 * Places each label beyond its axis end, inside the canvas, overlapping none placed before it
 * (nearest free spot by vertical, then horizontal, steps of one label).
 */
export function placeAxisLabels(
  anchors: readonly AxisAnchor[],
  measure: (text: string) => number,
  canvasWidth: number,
  canvasHeight: number,
  lineHeight = 12,
): LabelBox[] {
  const placed: LabelBox[] = [];
  for (const anchor of anchors) {
    const width = Math.ceil(measure(anchor.text));
    const height = lineHeight;
    let dx = anchor.x - anchor.fromX;
    let dy = anchor.y - anchor.fromY;
    const length = Math.hypot(dx, dy);
    if (length < 1e-6) {
      dx = Math.SQRT1_2;
      dy = -Math.SQRT1_2;
    } else {
      dx /= length;
      dy /= length;
    }
    // Centre of the label: beyond the axis end by the offset plus half the label's extent that way.
    const reach = OFFSET + (Math.abs(dx) * width + Math.abs(dy) * height) / 2;
    const cx = anchor.x + dx * reach;
    const cy = anchor.y + dy * reach;
    const at = (ox: number, oy: number): LabelBox => ({
      text: anchor.text,
      x: clamp(cx - width / 2 + ox, 0, canvasWidth - width),
      y: clamp(cy - height / 2 + oy, 0, canvasHeight - height),
      width,
      height,
    });
    let chosen = at(0, 0);
    search: for (let step = 1; step <= MAX_STEPS && placed.some((p) => overlaps(p, chosen, SPACING)); step++) {
      const dv = step * (height + SPACING);
      const dh = step * (width / 2 + SPACING);
      for (const candidate of [at(0, dv), at(0, -dv), at(dh, 0), at(-dh, 0), at(dh, dv), at(-dh, -dv), at(dh, -dv), at(-dh, dv)]) {
        if (!placed.some((p) => overlaps(p, candidate, SPACING))) {
          chosen = candidate;
          break search;
        }
      }
    }
    placed.push(chosen);
  }
  return placed;
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(Math.max(lo, hi), value));
}
