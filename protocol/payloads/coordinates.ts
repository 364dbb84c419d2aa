import type { PayloadReader } from './PayloadReader.js';
import type { PayloadWriter } from './PayloadWriter.js';

export interface Coordinates {
  x: number;
  y: number;
  z: number;
}

export function writeCoordinates(w: PayloadWriter, c: Coordinates): PayloadWriter {
  return w.u16(c.x, 'x').u16(c.y, 'y').u16(c.z, 'z');
}

export function readCoordinates(r: PayloadReader): Coordinates {
  return { x: r.u16(), y: r.u16(), z: r.u16() };
}
