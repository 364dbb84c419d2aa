/**
 * The κ plot's arithmetic, kept pure so it can be tested without a canvas: what one sample of a cube
 * holds, each lane's own scale, and how lanes share the canvas height.
 */

/** Corners are vertices 0..7 on the wire, CENTRAL is 8 (docs/PROTOCOL.md, CUBE_MSG). */
const CORNERS = 8;
const CENTRAL = 8;

/** One reading of a cube: its κ, CENTRAL's κ, and the lowest and highest κ of its 8 corners. */
export interface KappaSample {
  readonly t: number;
  readonly kappa: number;
  readonly central?: number;
  readonly low?: number;
  readonly high?: number;
}

/** CENTRAL and the corners' range from a cube's `vertexKappa` (GET /cubes); nothing when it is missing. */
export function vertexSpread(vertexKappa: readonly number[] | undefined): Pick<KappaSample, 'central' | 'low' | 'high'> {
  if (!vertexKappa || vertexKappa.length === 0) return {};
  const corners = vertexKappa.slice(0, CORNERS);
  const central = vertexKappa[CENTRAL];
  return {
    ...(central === undefined ? {} : { central }),
    low: Math.min(...corners),
    high: Math.max(...corners),
  };
}

/**
 * The smallest κ range a lane shows. κ moves by thousandths (a node drifts 1% of the way to 0.6 per
 * answer), so a lane zooms in that far; a constant κ then draws as a level line mid-lane, labelled.
 */
export const MIN_SPAN = 0.02;

/** A lane's own scale: everything it draws (κ, CENTRAL, the corners' range) fits, with a margin. */
export function laneScale(samples: readonly KappaSample[]): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of samples) {
    for (const k of [s.kappa, s.central, s.low, s.high]) {
      if (k === undefined) continue;
      lo = Math.min(lo, k);
      hi = Math.max(hi, k);
    }
  }
  if (lo > hi) return { lo: 0.6 - MIN_SPAN / 2, hi: 0.6 + MIN_SPAN / 2 };
  // A margin so lines do not run along the lane's edges, but never beyond κ's own range [0, 1].
  const margin = (hi - lo) * 0.08;
  lo = Math.max(0, lo - margin);
  hi = Math.min(1, hi + margin);
  if (hi - lo < MIN_SPAN) {
    const mid = Math.min(1 - MIN_SPAN / 2, Math.max(MIN_SPAN / 2, (lo + hi) / 2));
    lo = mid - MIN_SPAN / 2;
    hi = mid + MIN_SPAN / 2;
  }
  return { lo, hi };
}

export interface LaneBox { readonly top: number; readonly bottom: number }

/**
 * Splits [top, bottom] into one lane per cube, `gap` apart, each at least `minHeight` tall; cubes
 * that do not fit are counted in `hidden` (the plot says so) rather than squeezed into unreadable lanes.
 */
export function laneLayout(count: number, top: number, bottom: number, gap: number, minHeight: number): { lanes: LaneBox[]; hidden: number } {
  if (count <= 0) return { lanes: [], hidden: 0 };
  const room = Math.max(0, bottom - top);
  const fit = Math.max(1, Math.floor((room + gap) / (minHeight + gap)));
  const shown = Math.min(count, fit);
  const height = (room - gap * (shown - 1)) / shown;
  const lanes: LaneBox[] = [];
  for (let i = 0; i < shown; i++) {
    const laneTop = top + i * (height + gap);
    lanes.push({ top: laneTop, bottom: laneTop + height });
  }
  return { lanes, hidden: count - shown };
}
