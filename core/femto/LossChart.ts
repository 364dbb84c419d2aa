/** An RGB raster, row-major, 3 bytes per pixel. */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

export interface ChartSeries {
  /** (x, y) points; x is the training step. */
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly color: readonly [number, number, number];
}

const MARGIN = 24;

/**
 * Draws line series on a white canvas with a frame and one horizontal grid line per unit of y
 * (one bit per character when y is in bits). No text: the axes are described next to the image.
 */
export function renderLossChart(series: readonly ChartSeries[], width = 640, height = 360): Raster {
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map(([x]) => x));
  const yMax = Math.ceil(Math.max(1, ...all.map(([, y]) => y)));
  const yMin = Math.floor(Math.min(yMax - 1, ...all.map(([, y]) => y)));
  const px = (x: number) => MARGIN + ((width - 2 * MARGIN) * x) / xMax;
  const py = (y: number) => height - MARGIN - ((height - 2 * MARGIN) * (y - yMin)) / (yMax - yMin);
  const set = (x: number, y: number, c: readonly [number, number, number]) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= width || yi >= height) return;
    rgb.set(c, (yi * width + xi) * 3);
  };
  const line = (x0: number, y0: number, x1: number, y1: number, c: readonly [number, number, number]) => {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let i = 0; i <= n; i++) set(x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n, c);
  };
  for (let y = yMin; y <= yMax; y++) line(px(0), py(y), px(xMax), py(y), [220, 220, 220]);
  line(px(0), py(yMin), px(xMax), py(yMin), [0, 0, 0]);
  line(px(0), py(yMin), px(0), py(yMax), [0, 0, 0]);
  for (const s of series) {
    for (let i = 1; i < s.points.length; i++) {
      const [x0, y0] = s.points[i - 1] as readonly [number, number];
      const [x1, y1] = s.points[i] as readonly [number, number];
      line(px(x0), py(y0), px(x1), py(y1), s.color);
    }
  }
  return { width, height, rgb };
}
