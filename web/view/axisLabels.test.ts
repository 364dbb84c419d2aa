import { describe, expect, it } from 'vitest';
import { overlaps, placeAxisLabels, type AxisAnchor } from './axisLabels.js';
import { boundsOf, project, type Bounds } from './projection.js';

/** 11px monospace: about 6.6px a character. */
const measure = (text: string): number => text.length * 6.6;

/** The three axis-end labels of the view's box at one orientation, as PointCloudView builds them. */
function anchorsAt(bounds: Bounds, yaw: number, pitch: number, width: number, height: number): AxisAnchor[] {
  const orbit = { yaw, pitch, distance: 2.2 };
  const corner = (i: number): { x: number; y: number; z: number } => ({
    x: i & 1 ? bounds.max[0] : bounds.min[0],
    y: i & 2 ? bounds.max[1] : bounds.min[1],
    z: i & 4 ? bounds.max[2] : bounds.min[2],
  });
  const origin = project(corner(0), bounds, orbit, width, height);
  return ([[1, `x ${bounds.max[0] - 1}`], [2, `y ${bounds.max[1] - 1}`], [4, `z ${bounds.max[2] - 1}`]] as const).map(([i, text]) => {
    const end = project(corner(i), bounds, orbit, width, height);
    return { text, x: end.sx, y: end.sy, fromX: origin.sx, fromY: origin.sy };
  });
}

describe('placing the 3D view\'s axis labels', () => {
  it('never lets two labels touch, at any orientation, for the box that gave "y 296x 800"', () => {
    // A long, flat box: x and y ends project close together for many orientations.
    const bounds = boundsOf([{ x: 1, y: 2, z: 3 }, { x: 800, y: 296, z: 5 }, { x: 400, y: 0, z: 4 }], 1);
    let placements = 0;
    let collidedBefore = 0;
    for (const [width, height] of [[690, 250], [758, 260], [320, 200]] as const) {
      for (let yaw = -Math.PI; yaw < Math.PI; yaw += 0.05) {
        for (let pitch = -1.5; pitch <= 1.5; pitch += 0.1) {
          const anchors = anchorsAt(bounds, yaw, pitch, width, height);
          const boxes = placeAxisLabels(anchors, measure, width, height);
          // Where the labels used to go (text at the axis end + (4, −4)): count the collisions it had.
          const naive = anchors.map((a) => ({ text: a.text, x: a.x + 4, y: a.y - 4 - 11, width: measure(a.text), height: 12 }));
          if (overlaps(naive[0]!, naive[1]!) || overlaps(naive[0]!, naive[2]!) || overlaps(naive[1]!, naive[2]!)) collidedBefore++;
          expect(boxes).toHaveLength(3);
          for (let i = 0; i < boxes.length; i++) {
            const box = boxes[i]!;
            const anchor = anchors[i]!;
            expect(box.x).toBeGreaterThanOrEqual(0);
            expect(box.y).toBeGreaterThanOrEqual(0);
            expect(box.x + box.width).toBeLessThanOrEqual(width + 1e-9);
            expect(box.y + box.height).toBeLessThanOrEqual(height + 1e-9);
            // Still next to its own axis end.
            const dx = Math.max(box.x - anchor.x, 0, anchor.x - (box.x + box.width));
            const dy = Math.max(box.y - anchor.y, 0, anchor.y - (box.y + box.height));
            expect(Math.hypot(dx, dy)).toBeLessThan(60);
            for (let j = 0; j < i; j++) expect(overlaps(boxes[j]!, box), `${box.text} on ${boxes[j]!.text} at yaw ${yaw.toFixed(2)} pitch ${pitch.toFixed(1)}`).toBe(false);
          }
          placements++;
        }
      }
    }
    expect(placements).toBeGreaterThan(1_000);
    // The case is real: the old placement collided at a good share of these orientations.
    expect(collidedBefore).toBeGreaterThan(placements / 20);
  });

  it('puts a label beyond its axis end, continuing the axis outward', () => {
    const [right] = placeAxisLabels([{ text: 'x 9', x: 200, y: 100, fromX: 100, fromY: 100 }], measure, 400, 200);
    expect(right!.x).toBeGreaterThan(200);
    expect(right!.y).toBeLessThan(100);
    expect(right!.y + right!.height).toBeGreaterThan(100);
    const [up] = placeAxisLabels([{ text: 'y 9', x: 100, y: 50, fromX: 100, fromY: 100 }], measure, 400, 200);
    expect(up!.y + up!.height).toBeLessThan(50);
  });

  it('moves a label off one that sits on the same spot', () => {
    const same = { x: 100, y: 100, fromX: 50, fromY: 100 };
    const [a, b] = placeAxisLabels([{ text: 'x 800', ...same }, { text: 'y 296', ...same }], measure, 400, 200);
    expect(overlaps(a!, b!)).toBe(false);
  });
});
