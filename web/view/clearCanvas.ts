/**
 * Sizes a canvas's backing store to its CSS box at the device's pixel ratio (only when it changed),
 * sets the transform so drawing is in CSS pixels, and fills it with `background`. Returns the CSS size.
 * The start of every paint of the page's 2D views (the point cloud, the κ plot).
 */
export function clearCanvas(canvas: HTMLCanvasElement, context: CanvasRenderingContext2D, background: string): { width: number; height: number } {
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.fillStyle = background;
  context.fillRect(0, 0, width, height);
  return { width, height };
}
