import { formatClock as clock } from '../dom.js';
import type { CubeKappa } from '../net/coreTypes.js';
import { laneLayout, laneScale, vertexSpread, type KappaSample } from './kappaLanes.js';
import { clearCanvas } from './clearCanvas.js';

const MAX_SAMPLES = 600;
const MAX_SERIES = 16;
/** One colour per cube (by id), far apart on the wheel; CENTRAL is drawn dashed in white in every lane. */
export const KAPPA_PALETTE = ['#66ccff', '#ffcc66', '#ff66cc', '#66ff99', '#cc99ff', '#ff9966', '#99ccff', '#ffff66'] as const;
export const CENTRAL_COLOUR = '#f0f0f0';
/** Opacity of the band between the lowest and highest corner κ. */
export const SPREAD_ALPHA = 0.3;
const BACKGROUND = '#05080c';
const DIM = '#5a7a9a';
const LEFT = 46;
const RIGHT = 8;
const AXIS = 14;
const LEGEND = 14;
const GAP = 6;
const MIN_LANE = 46;
/** The time axis covers at least this much, so the first samples do not fill the width... */
const MIN_WINDOW_MS = 10_000;
/** ...and at most this much, sliding, so a change stays a few pixels wide per second, not a sliver. */
export const WINDOW_MS = 120_000;

/** What the plot shows of one lane, readable from outside (tests, devtools) as JSON in `data-lanes`. */
export interface LaneView {
  readonly id: string;
  readonly colour: string;
  readonly top: number;
  readonly bottom: number;
  readonly scale: readonly [number, number];
  readonly kappa: number;
  readonly central?: number;
  readonly low?: number;
  readonly high?: number;
}

/**
 * κ of each cube over time, one lane per cube with its own scale: the cube's κ (solid, in the cube's
 * colour), CENTRAL's κ (dashed white) and the range of its 8 corners' κ (a band). Bounded history; the
 * time axis runs to now, each value holding until the next reading.
 */
export class KappaPlot {
  private readonly series = new Map<string, KappaSample[]>();
  private readonly context: CanvasRenderingContext2D;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const context = canvas.getContext('2d');
    if (!context) throw new Error('2D canvas unavailable');
    this.context = context;
  }

  /** Repaints once a second so the time axis keeps running to now. */
  start(): void {
    this.timer ??= setInterval(() => this.paint(), 1_000);
    this.paint();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Adds a reading of each cube. A reading without the vertices' κ (the `kappa` event carries only
   * the cubes') keeps the last known CENTRAL and corner range until GET /cubes brings new ones.
   */
  add(cubes: readonly CubeKappa[], t = Date.now()): void {
    for (const cube of cubes) {
      let samples = this.series.get(cube.id);
      if (!samples) {
        if (this.series.size >= MAX_SERIES) continue;
        samples = [];
        this.series.set(cube.id, samples);
      }
      const last = samples[samples.length - 1];
      const spread = cube.vertexKappa ? vertexSpread(cube.vertexKappa) : { central: last?.central, low: last?.low, high: last?.high };
      const sample: KappaSample = { t, kappa: cube.kappa, ...defined(spread) };
      // Polling and events report the same state within a second: keep one reading, the fuller one.
      if (last && t - last.t < 1_000 && last.kappa === sample.kappa) {
        samples[samples.length - 1] = { ...sample, t: last.t };
        continue;
      }
      samples.push(sample);
      if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
    }
    this.canvas.dataset['series'] = String(this.series.size);
    let points = 0;
    for (const samples of this.series.values()) points += samples.length;
    this.canvas.dataset['samples'] = String(points);
    this.paint();
  }

  paint(now = Date.now()): void {
    const { canvas, context } = this;
    const { width, height } = clearCanvas(canvas, context, BACKGROUND);
    context.font = '11px monospace';
    context.textBaseline = 'alphabetic';
    const ids = [...this.series.keys()].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
    if (ids.length === 0) {
      context.fillStyle = DIM;
      context.fillText('κ: waiting for cube data…', 8, 16);
      this.canvas.dataset['lanes'] = '[]';
      return;
    }
    let first = now;
    for (const samples of this.series.values()) first = Math.min(first, samples[0]?.t ?? now);
    const t0 = Math.max(first, now - WINDOW_MS);
    const t1 = Math.max(now, t0 + MIN_WINDOW_MS);
    const x = (t: number): number => LEFT + ((t - t0) / (t1 - t0)) * (width - LEFT - RIGHT);
    const { lanes, hidden } = laneLayout(ids.length, 2, height - AXIS, GAP, MIN_LANE);
    const views: LaneView[] = [];
    lanes.forEach((box, i) => {
      const id = ids[i];
      const samples = id === undefined ? undefined : this.series.get(id);
      if (id === undefined || !samples) return;
      views.push(this.paintLane(id, inWindow(samples, t0), box.top, box.bottom, x, x(now), width));
    });
    // Time axis: the first reading and now, as clock times.
    context.fillStyle = DIM;
    context.textAlign = 'left';
    context.fillText(clock(t0), LEFT, height - 3);
    context.textAlign = 'right';
    context.fillText(hidden > 0 ? `+${hidden} more cube${hidden === 1 ? '' : 's'} · ${clock(now)}` : clock(now), width - RIGHT, height - 3);
    context.textAlign = 'left';
    this.canvas.dataset['lanes'] = JSON.stringify(views);
    this.canvas.dataset['hidden'] = String(hidden);
  }

  private paintLane(
    id: string,
    samples: readonly KappaSample[],
    top: number,
    bottom: number,
    x: (t: number) => number,
    xNow: number,
    width: number,
  ): LaneView {
    const { context } = this;
    const plotRight = width - RIGHT;
    const colour = KAPPA_PALETTE[Math.abs(Number(id) || 0) % KAPPA_PALETTE.length] ?? KAPPA_PALETTE[0];
    const { lo, hi } = laneScale(samples);
    const plotTop = top + LEGEND;
    const plotBottom = bottom - 3;
    const y = (k: number): number => plotBottom - ((k - lo) / (hi - lo)) * (plotBottom - plotTop);
    context.strokeStyle = '#1c2a38';
    context.lineWidth = 1;
    context.strokeRect(LEFT - 0.5, top + 0.5, plotRight - LEFT + 1, bottom - top - 1);
    // The lane's own scale, at its top and bottom.
    context.fillStyle = DIM;
    context.fillText(hi.toFixed(3), 2, plotTop + 8);
    context.fillText(lo.toFixed(3), 2, plotBottom);

    // Each value holds until the next reading; the last holds until now.
    const steps = (pick: (s: KappaSample) => number | undefined): [number, number][] => {
      const out: [number, number][] = [];
      samples.forEach((s, i) => {
        const k = pick(s);
        if (k === undefined) return;
        const next = samples[i + 1];
        out.push([x(s.t), y(k)], [next ? x(next.t) : xNow, y(k)]);
      });
      return out;
    };
    // The reading before the window starts left of it: draw within the lane only.
    context.save();
    context.beginPath();
    context.rect(LEFT, top, plotRight - LEFT, bottom - top);
    context.clip();
    const high = steps((s) => (s.low === undefined ? undefined : s.high));
    const low = steps((s) => (s.high === undefined ? undefined : s.low));
    if (high.length > 0) {
      context.fillStyle = withAlpha(colour, SPREAD_ALPHA);
      context.beginPath();
      high.forEach(([px, py], i) => (i === 0 ? context.moveTo(px, py) : context.lineTo(px, py)));
      for (const [px, py] of low.reverse()) context.lineTo(px, py);
      context.closePath();
      context.fill();
    }
    const line = (points: [number, number][], stroke: string, lineWidth: number, dash: number[]): void => {
      if (points.length === 0) return;
      context.strokeStyle = stroke;
      context.lineWidth = lineWidth;
      context.setLineDash(dash);
      context.beginPath();
      points.forEach(([px, py], i) => (i === 0 ? context.moveTo(px, py) : context.lineTo(px, py)));
      context.stroke();
      context.setLineDash([]);
    };
    // CENTRAL on top, dashed: where it equals the cube's κ both stay visible.
    line(steps((s) => s.kappa), colour, 2, []);
    line(steps((s) => s.central), CENTRAL_COLOUR, 2, [6, 4]);
    context.restore();

    const last = samples[samples.length - 1] ?? { t: 0, kappa: Number.NaN };
    // Now, at the right edge: the corners' range as a bar and the cube's κ as a dot, so a change shows
    // at once, before time has drawn it out.
    if (last.low !== undefined && last.high !== undefined) {
      context.fillStyle = withAlpha(colour, 0.75);
      context.fillRect(xNow - 2, y(last.high) - 1, 4, y(last.low) - y(last.high) + 2);
    }
    context.fillStyle = colour;
    context.beginPath();
    context.arc(xNow, y(last.kappa), 3, 0, Math.PI * 2);
    context.fill();
    const parts = [`cube ${id} κ ${last.kappa.toFixed(3)}`];
    if (last.central !== undefined) parts.push(`CENTRAL ${last.central.toFixed(3)}`);
    if (last.low !== undefined && last.high !== undefined) parts.push(`corners ${last.low.toFixed(3)}–${last.high.toFixed(3)}`);
    const legend = parts.join('  ');
    context.fillStyle = BACKGROUND;
    context.fillRect(LEFT + 1, top + 1, Math.min(context.measureText(legend).width + 8, width - LEFT - RIGHT - 1), LEGEND - 2);
    context.fillStyle = colour;
    context.fillText(legend, LEFT + 4, top + LEGEND - 3);
    return {
      id,
      colour,
      top,
      bottom,
      scale: [lo, hi],
      kappa: last.kappa,
      ...defined({ central: last.central, low: last.low, high: last.high }),
    };
  }
}

/** The samples from `t0` on, and the one before it (its value holds at the window's start). */
function inWindow(samples: readonly KappaSample[], t0: number): readonly KappaSample[] {
  let start = samples.findIndex((s) => s.t >= t0);
  if (start < 0) start = samples.length;
  return samples.slice(Math.max(0, start - 1));
}

/** The same object without its undefined fields (exactOptionalPropertyTypes-friendly). */
function defined<T extends Record<string, number | undefined>>(value: T): { [K in keyof T]?: number } {
  const out: { [K in keyof T]?: number } = {};
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

/** '#66ccff' → 'rgba(102, 204, 255, a)'. */
function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
