import type { CubeKappa } from '../net/coreTypes.js';

const MAX_SAMPLES = 600;
const MAX_SERIES = 16;
const PALETTE = ['#6cf', '#fc6', '#f6c', '#6f9', '#c9f', '#f96', '#9cf', '#ff6'];

interface Sample { readonly t: number; readonly kappa: number }

/** κ of each cube over time, one line per cube, auto-scaled; bounded history. */
export class KappaPlot {
  private readonly series = new Map<string, Sample[]>();
  private readonly context: CanvasRenderingContext2D;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const context = canvas.getContext('2d');
    if (!context) throw new Error('2D canvas unavailable');
    this.context = context;
  }

  add(cubes: readonly CubeKappa[], t = Date.now()): void {
    for (const cube of cubes) {
      let samples = this.series.get(cube.id);
      if (!samples) {
        if (this.series.size >= MAX_SERIES) continue;
        samples = [];
        this.series.set(cube.id, samples);
      }
      const last = samples[samples.length - 1];
      // Same value within a second is noise from polling and events overlapping.
      if (last && last.kappa === cube.kappa && t - last.t < 1_000) continue;
      samples.push({ t, kappa: cube.kappa });
      if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
    }
    this.canvas.dataset['series'] = String(this.series.size);
    let points = 0;
    for (const samples of this.series.values()) points += samples.length;
    this.canvas.dataset['samples'] = String(points);
    this.paint();
  }

  paint(): void {
    const { canvas, context } = this;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = '#05080c';
    context.fillRect(0, 0, width, height);
    const all = [...this.series.values()].flat();
    context.font = '11px monospace';
    if (all.length === 0) {
      context.fillStyle = '#5a7a9a';
      context.fillText('κ: waiting for cube data…', 8, 16);
      return;
    }
    const t0 = Math.min(...all.map((s) => s.t));
    const t1 = Math.max(...all.map((s) => s.t), t0 + 1);
    const k0 = Math.min(...all.map((s) => s.kappa), 0);
    const k1 = Math.max(...all.map((s) => s.kappa), 1);
    const pad = 24;
    const x = (t: number): number => pad + ((t - t0) / (t1 - t0)) * (width - pad - 6);
    const y = (k: number): number => height - 14 - ((k - k0) / (k1 - k0)) * (height - 28);
    context.fillStyle = '#5a7a9a';
    context.fillText(k1.toFixed(2), 0, y(k1) + 4);
    context.fillText(k0.toFixed(2), 0, y(k0));
    let colourIndex = 0;
    for (const [id, samples] of this.series) {
      const colour = PALETTE[colourIndex++ % PALETTE.length] ?? '#fff';
      context.strokeStyle = colour;
      context.beginPath();
      samples.forEach((s, i) => (i === 0 ? context.moveTo(x(s.t), y(s.kappa)) : context.lineTo(x(s.t), y(s.kappa))));
      if (samples.length === 1 && samples[0]) context.lineTo(x(samples[0].t) + 2, y(samples[0].kappa));
      context.stroke();
      const last = samples[samples.length - 1];
      if (last) {
        context.fillStyle = colour;
        context.fillText(`${id} κ=${last.kappa.toFixed(3)}`, pad + 4, 12 + (colourIndex - 1) * 12);
      }
    }
  }
}
