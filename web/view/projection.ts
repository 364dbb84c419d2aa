/** Orbit-camera math for the point cloud, kept pure so it can be unit-tested without a canvas. */

export interface Orbit { readonly yaw: number; readonly pitch: number; readonly distance: number }
export interface Bounds { readonly min: readonly [number, number, number]; readonly max: readonly [number, number, number] }
export interface Projected { readonly sx: number; readonly sy: number; readonly depth: number; readonly scale: number }

export const PITCH_LIMIT = Math.PI / 2 - 0.01;

/** The box around the points, grown by `pad` on every side (so a single point still gets a box). */
export function boundsOf(points: readonly { x: number; y: number; z: number }[], pad = 0): Bounds {
  if (points.length === 0) return { min: [0 - pad, 0 - pad, 0 - pad], max: [1 + pad, 1 + pad, 1 + pad] };
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const p of points) {
    min[0] = Math.min(min[0], p.x); max[0] = Math.max(max[0], p.x);
    min[1] = Math.min(min[1], p.y); max[1] = Math.max(max[1], p.y);
    min[2] = Math.min(min[2], p.z); max[2] = Math.max(max[2], p.z);
  }
  for (let i = 0; i < 3; i++) {
    min[i] = (min[i] ?? 0) - pad;
    max[i] = (max[i] ?? 0) + pad;
  }
  return { min, max };
}

/** Drag by (dx, dy) pixels: horizontal turns, vertical tilts (clamped so the view never flips). */
export function rotate(orbit: Orbit, dx: number, dy: number, radiansPerPixel = 0.01): Orbit {
  const pitch = Math.max(-PITCH_LIMIT, Math.min(PITCH_LIMIT, orbit.pitch + dy * radiansPerPixel));
  return { ...orbit, yaw: orbit.yaw + dx * radiansPerPixel, pitch };
}

/**
 * Maps a world point to screen coordinates: centre the bounds in a unit cube, rotate by yaw (around y)
 * then pitch (around x), perspective-divide. `depth` grows away from the camera (for painter's order).
 */
export function project(
  point: { x: number; y: number; z: number },
  bounds: Bounds,
  orbit: Orbit,
  width: number,
  height: number,
): Projected {
  const span = Math.max(bounds.max[0] - bounds.min[0], bounds.max[1] - bounds.min[1], bounds.max[2] - bounds.min[2], 1);
  const nx = (point.x - (bounds.min[0] + bounds.max[0]) / 2) / span;
  const ny = (point.y - (bounds.min[1] + bounds.max[1]) / 2) / span;
  const nz = (point.z - (bounds.min[2] + bounds.max[2]) / 2) / span;
  const cy = Math.cos(orbit.yaw), sy = Math.sin(orbit.yaw);
  const x1 = nx * cy + nz * sy;
  const z1 = -nx * sy + nz * cy;
  const cp = Math.cos(orbit.pitch), sp = Math.sin(orbit.pitch);
  const y2 = ny * cp - z1 * sp;
  const z2 = ny * sp + z1 * cp;
  const depth = orbit.distance + z2;
  const scale = orbit.distance / Math.max(depth, 0.05);
  // The unit cube's corners stay inside the canvas at any rotation, perspective included.
  const unit = Math.min(width, height) * 0.55;
  return { sx: width / 2 + x1 * scale * unit, sy: height / 2 - y2 * scale * unit, depth, scale };
}
