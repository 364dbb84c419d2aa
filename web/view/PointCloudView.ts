import type { BlockPoint } from '../net/coreTypes.js';
import { placeAxisLabels } from './axisLabels.js';
import { cloudCaption } from './cloudCaption.js';
import { boundsOf, project, rotate, type Bounds, type Orbit } from './projection.js';
import { clearCanvas } from './clearCanvas.js';

/** How long a freshly set block glows. */
const HIGHLIGHT_MS = 4_000;
const MAX_POINTS = 20_000;

/**
 * The BlockArray's active cells as a point cloud on a 2D canvas: drag to rotate, idle auto-spin,
 * colour by value, new or changed cells glow. Repaints only when something changed or it spins.
 */
export class PointCloudView {
  private readonly points = new Map<string, BlockPoint & { changedAt: number }>();
  private orbit: Orbit = { yaw: 0.6, pitch: 0.35, distance: 2.2 };
  private dragging: { x: number; y: number } | undefined;
  private lastInteraction = 0;
  private frame = 0;
  /** Active cells in the bridge's array; the view holds at most a sample of them. */
  private total = 0;
  /** Whether a first sample arrived: what it holds was written before the page opened, in no known order. */
  private loaded = false;
  /** The last write this page saw (a `block` event, or a value that changed between samples). */
  private lastWrite: BlockPoint | undefined;
  private readonly context: CanvasRenderingContext2D;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly caption: HTMLElement) {
    const context = canvas.getContext('2d');
    if (!context) throw new Error('2D canvas unavailable');
    this.context = context;
    canvas.addEventListener('pointerdown', (e) => {
      this.dragging = { x: e.clientX, y: e.clientY };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.dragging) return;
      this.orbit = rotate(this.orbit, e.clientX - this.dragging.x, e.clientY - this.dragging.y);
      this.dragging = { x: e.clientX, y: e.clientY };
      this.lastInteraction = performance.now();
      this.requestPaint();
    });
    const release = (): void => { this.dragging = undefined; };
    canvas.addEventListener('pointerup', release);
    canvas.addEventListener('pointercancel', release);
  }

  /**
   * Replaces the whole set (a GET /blocks sample of `total` active cells). After the first sample,
   * cells that are new or whose value changed are writes seen by polling: they glow and the caption
   * names the last one. The first sample marks nothing: its cells were written before the page opened.
   */
  setAll(blocks: readonly BlockPoint[], total = blocks.length, requestedAt = performance.now()): void {
    this.total = total;
    const seen = new Set<string>();
    // Cells changed (by a `block` event) after the sample was asked for are newer than the sample: keep them.
    const fresh = new Set<string>();
    for (const [key, point] of this.points) if (point.changedAt > requestedAt) fresh.add(key);
    for (const block of blocks.slice(0, MAX_POINTS)) {
      if (fresh.has(keyOf(block))) {
        seen.add(keyOf(block));
        continue;
      }
      const { key, changed } = this.upsert(block, this.loaded);
      seen.add(key);
      if (changed) this.lastWrite = block;
    }
    for (const key of [...this.points.keys()]) if (!seen.has(key) && !fresh.has(key)) this.points.delete(key);
    this.loaded = true;
    this.updateCaption();
    this.requestPaint();
  }

  /** Adds or updates cells from a live `block` event: each is a write, with its ledger entry. */
  update(blocks: readonly BlockPoint[]): void {
    for (const block of blocks) {
      if (this.points.size >= MAX_POINTS && !this.points.has(keyOf(block))) break;
      this.upsert(block, true);
      this.lastWrite = block;
    }
    this.updateCaption();
    this.requestPaint();
  }

  /** Starts the animation loop (auto-spin when idle, glow fade). */
  start(): void {
    const tick = (now: number): void => {
      if (!this.dragging && now - this.lastInteraction > 3_000) {
        this.orbit = { ...this.orbit, yaw: this.orbit.yaw + 0.003 };
      }
      this.paint(now);
      this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  stop(): void {
    cancelAnimationFrame(this.frame);
  }

  /** `mark`: a new or changed value is a write (it glows); unmarked cells never glow. */
  private upsert(block: BlockPoint, mark: boolean): { key: string; changed: boolean } {
    const key = keyOf(block);
    const previous = this.points.get(key);
    const changed = mark && (!previous || previous.value !== block.value);
    const changedAt = changed ? performance.now() : previous?.changedAt ?? Number.NEGATIVE_INFINITY;
    this.points.set(key, { ...block, changedAt });
    return { key, changed };
  }

  private updateCaption(): void {
    const shown = this.points.size;
    // Live events may add cells the last sample did not count yet.
    const total = Math.max(this.total, shown);
    this.canvas.dataset['points'] = String(shown);
    this.canvas.dataset['total'] = String(total);
    const last = this.lastWrite;
    this.caption.textContent = cloudCaption(shown, total, last);
    if (last) this.caption.dataset['latest'] = `${last.x},${last.y},${last.z}=${last.value}`;
    else delete this.caption.dataset['latest'];
  }

  private requestPaint(): void {
    if (!this.frame) this.paint(performance.now());
  }

  private paint(now: number): void {
    const { canvas, context } = this;
    const { width, height } = clearCanvas(canvas, context, '#05080c');
    // The view's orientation, readable from outside (tests, devtools).
    this.canvas.dataset['yaw'] = this.orbit.yaw.toFixed(3);
    this.canvas.dataset['pitch'] = this.orbit.pitch.toFixed(3);
    const points = [...this.points.values()];
    // One cell of margin so a lone block sits inside a visible box instead of on a degenerate one.
    const bounds = boundsOf(points, 1);
    this.drawBox(bounds, width, height);
    const values = points.map((p) => p.value);
    const lo = Math.min(...values, 0);
    const hi = Math.max(...values, 1);
    const projected = points
      .map((p) => ({ p, at: project(p, bounds, this.orbit, width, height) }))
      .sort((a, b) => b.at.depth - a.at.depth);
    for (const { p, at } of projected) {
      const glow = Math.max(0, 1 - (now - p.changedAt) / HIGHLIGHT_MS);
      const radius = Math.max(1.5, 3.5 * at.scale) + glow * 6;
      context.beginPath();
      context.arc(at.sx, at.sy, radius, 0, Math.PI * 2);
      context.fillStyle = glow > 0 ? `rgba(255, 240, 120, ${0.5 + glow / 2})` : colour((p.value - lo) / (hi - lo || 1));
      context.fill();
    }
  }

  /** The bounding box as a wireframe, with the x/y/z axes from its min corner labelled. */
  private drawBox(bounds: Bounds, width: number, height: number): void {
    const { context } = this;
    const corner = (i: number): { x: number; y: number; z: number } => ({
      x: i & 1 ? bounds.max[0] : bounds.min[0],
      y: i & 2 ? bounds.max[1] : bounds.min[1],
      z: i & 4 ? bounds.max[2] : bounds.min[2],
    });
    const screen = Array.from({ length: 8 }, (_, i) => project(corner(i), bounds, this.orbit, width, height));
    context.strokeStyle = '#1c2a38';
    context.beginPath();
    for (let a = 0; a < 8; a++) {
      for (const bit of [1, 2, 4]) {
        const b = a | bit;
        if (b === a) continue;
        const from = screen[a];
        const to = screen[b];
        if (!from || !to) continue;
        context.moveTo(from.sx, from.sy);
        context.lineTo(to.sx, to.sy);
      }
    }
    context.stroke();
    context.fillStyle = '#5a7a9a';
    context.font = '11px monospace';
    context.textBaseline = 'top';
    const origin = screen[0];
    const anchors = ([[1, `x ${bounds.max[0] - 1}`], [2, `y ${bounds.max[1] - 1}`], [4, `z ${bounds.max[2] - 1}`]] as const).flatMap(([index, text]) => {
      const end = screen[index];
      return end && origin ? [{ text, x: end.sx, y: end.sy, fromX: origin.sx, fromY: origin.sy }] : [];
    });
    const boxes = placeAxisLabels(anchors, (text) => context.measureText(text).width, width, height);
    for (const box of boxes) context.fillText(box.text, box.x, box.y);
    context.textBaseline = 'alphabetic';
    // Where the labels are, for tests and devtools.
    this.canvas.dataset['labels'] = JSON.stringify(boxes);
  }
}

function keyOf(block: BlockPoint): string {
  return `${block.x},${block.y},${block.z}`;
}

/** Value → colour along a cool-to-warm ramp. */
function colour(t: number): string {
  const hue = 200 - Math.max(0, Math.min(1, t)) * 170;
  return `hsl(${hue}, 80%, 60%)`;
}
