import { CoreError } from '../errors/CoreError.js';
import { canonicalValue, requireTimestamp } from '../errors/validate.js';
import { resolveAdjacency, type Adjacency } from './Adjacency.js';
import { CellIndex } from './CellIndex.js';
import { boxVolume, checkCoordinate, validateAxis, validateBox, validateDims } from './Dims.js';
import type { Axis, Box, Dims } from './Dims.js';
import { mortonBigMin, mortonEncode, mortonX, mortonY, mortonZ } from './Morton.js';

export interface Cell {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly value: number;
  readonly timestamp: number;
}

export type CellVisitor = (x: number, y: number, z: number, value: number, timestamp: number) => void;

/** Returns the new value of an active plane cell. */
export type PlaneProcessor = (value: number, x: number, y: number, z: number) => number;

/** Told about changes, so that derived data (the Merkle tree) can update instead of rebuilding. */
export interface CellWatcher {
  /** An active cell got a new value; the set of active cells is unchanged. */
  valueChanged(morton: number): void;
  /** Cells were activated or deactivated, or many changed at once. */
  structureChanged(): void;
}

export interface BlockArrayOptions {
  /** Milliseconds since the epoch for cells written without an explicit timestamp. */
  readonly clock?: () => number;
  /** Pre-size the index to avoid rehashing while loading this many cells. */
  readonly expectedCells?: number;
}

/**
 * A sparse 3D grid of f64 cells, up to 1024 per axis; only active cells take memory.
 * Every mutator validates all of its input before it changes anything.
 */
export class BlockArray {
  readonly dims: Dims;
  private index: CellIndex;
  /** True while the index still belongs to the template this array was instantiated from. */
  private shared: boolean;
  private readonly clock: () => number;
  private changes = 0;
  private watchers: CellWatcher[] | null = null;

  constructor(dims: Dims, options: BlockArrayOptions = {}) {
    this.dims = validateDims(dims);
    this.index = new CellIndex(options.expectedCells ?? 0);
    this.shared = false;
    this.clock = options.clock ?? Date.now;
  }

  /** Copy-on-write start: shares `index` until the first write. Used by BlockTemplate. */
  static sharing(dims: Dims, index: CellIndex, clock?: () => number): BlockArray {
    const array = new BlockArray(dims, clock ? { clock } : {});
    array.index = index;
    array.shared = true;
    return array;
  }

  get size(): number {
    return this.index.size;
  }

  /** Increases on every change; lets caches (the Merkle tree) know when they are stale. */
  get version(): number {
    return this.changes;
  }

  /** Bytes of typed arrays owned by this array (0 while it still shares its template's). */
  get ownedBytes(): number {
    return this.shared ? 0 : this.index.byteLength;
  }

  has(x: number, y: number, z: number): boolean {
    checkCoordinate(this.dims, x, y, z);
    return this.index.find(mortonEncode(x, y, z)) >= 0;
  }

  get(x: number, y: number, z: number): number | undefined {
    checkCoordinate(this.dims, x, y, z);
    const slot = this.index.find(mortonEncode(x, y, z));
    return slot < 0 ? undefined : this.index.valueAt(slot);
  }

  getCell(x: number, y: number, z: number): Cell | undefined {
    checkCoordinate(this.dims, x, y, z);
    const slot = this.index.find(mortonEncode(x, y, z));
    if (slot < 0) return undefined;
    return { x, y, z, value: this.index.valueAt(slot), timestamp: this.index.stampAt(slot) };
  }

  /** Activates the cell (if needed) with `value` (canonical: -0 is stored and hashed as +0). */
  set(x: number, y: number, z: number, value: number, timestamp?: number): void {
    checkCoordinate(this.dims, x, y, z);
    value = canonicalValue(value, 'value');
    const stamp = timestamp ?? this.clock();
    if (timestamp !== undefined) requireTimestamp(timestamp);
    const key = mortonEncode(x, y, z);
    const added = this.writable().put(key, value, stamp);
    this.changes++;
    if (this.watchers !== null) {
      for (const w of this.watchers) {
        if (added) w.structureChanged();
        else w.valueChanged(key);
      }
    }
  }

  activate(x: number, y: number, z: number, value = 0, timestamp?: number): void {
    this.set(x, y, z, value, timestamp);
  }

  /** Returns whether the cell was active. */
  deactivate(x: number, y: number, z: number): boolean {
    checkCoordinate(this.dims, x, y, z);
    const key = mortonEncode(x, y, z);
    if (this.index.find(key) < 0) return false;
    this.writable().remove(key);
    this.bulkChanged();
    return true;
  }

  /** Active neighbours of (x, y, z) under the adjacency, in offset order. */
  neighbours(x: number, y: number, z: number, adjacency: Adjacency = 6): Cell[] {
    checkCoordinate(this.dims, x, y, z);
    const offsets = resolveAdjacency(adjacency);
    const out: Cell[] = [];
    for (let i = 0; i < offsets.length; i += 3) {
      const nx = x + offsets[i]!;
      const ny = y + offsets[i + 1]!;
      const nz = z + offsets[i + 2]!;
      if (nx < 0 || ny < 0 || nz < 0 || nx >= this.dims.x || ny >= this.dims.y || nz >= this.dims.z) continue;
      const slot = this.index.find(mortonEncode(nx, ny, nz));
      if (slot >= 0) out.push({ x: nx, y: ny, z: nz, value: this.index.valueAt(slot), timestamp: this.index.stampAt(slot) });
    }
    return out;
  }

  /** Every active cell in Morton order. */
  forEach(visit: CellVisitor): void {
    const keys = this.index.sortedKeys();
    for (let i = 0; i < keys.length; i++) this.visitKey(keys[i]!, visit);
  }

  /** Morton codes of the active cells, ascending. Shared: do not modify. */
  mortonKeys(): Uint32Array {
    return this.index.sortedKeys();
  }

  /**
   * Active cells inside the inclusive box, in Morton order. Small boxes are probed cell by cell;
   * large ones walk the sorted keys, jumping with BIGMIN past keys that leave the box.
   * Neither path touches every active cell.
   */
  forEachInBox(box: Box, visit: CellVisitor): void {
    const b = validateBox(this.dims, box);
    if (boxVolume(b) <= this.index.size) this.probeBox(b, visit);
    else this.walkBox(b, visit);
  }

  region(box: Box): Cell[] {
    const out: Cell[] = [];
    this.forEachInBox(box, (x, y, z, value, timestamp) => out.push({ x, y, z, value, timestamp }));
    return out;
  }

  countInBox(box: Box): number {
    let n = 0;
    this.forEachInBox(box, () => n++);
    return n;
  }

  /** Activates every cell of the slice `axis = index` with `value`. */
  planeActivate(axis: Axis, index: number, value: number, timestamp?: number): number {
    this.checkPlane(axis, index);
    value = canonicalValue(value, 'value');
    if (timestamp !== undefined) requireTimestamp(timestamp);
    const stamp = timestamp ?? this.clock();
    const target = this.writable();
    const [nu, nv] = this.planeShape(axis);
    target.reserve(nu * nv);
    for (let v = 0; v < nv; v++) {
      for (let u = 0; u < nu; u++) target.put(planeKey(axis, index, u, v), value, stamp);
    }
    this.bulkChanged();
    return nu * nv;
  }

  planeDeactivate(axis: Axis, index: number): number {
    this.checkPlane(axis, index);
    const { keys } = this.planeCells(axis, index);
    if (keys.length === 0) return 0;
    const target = this.writable();
    for (let i = 0; i < keys.length; i++) target.remove(keys[i]!);
    this.bulkChanged();
    return keys.length;
  }

  /**
   * Replaces each active cell of the slice with `fn(value, x, y, z)`. All results are computed and
   * checked first, so a non-finite result leaves the slice untouched.
   */
  planeProcess(axis: Axis, index: number, fn: PlaneProcessor, timestamp?: number): number {
    this.checkPlane(axis, index);
    if (timestamp !== undefined) requireTimestamp(timestamp);
    // No key is added or removed below, so the slots stay valid (a copy-on-write clone keeps them too).
    const { keys, slots } = this.planeCells(axis, index);
    const target = this.writable();
    const results = new Float64Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      results[i] = canonicalValue(fn(target.valueAt(slots[i]!), mortonX(key), mortonY(key), mortonZ(key)), `plane result at Morton ${key}`);
    }
    const stamp = timestamp ?? this.clock();
    for (let i = 0; i < keys.length; i++) target.setAt(slots[i]!, results[i]!, stamp);
    if (keys.length > 0) this.bulkChanged();
    return keys.length;
  }

  /**
   * Interlock: makes slice `to` of `target` equal to slice `from` of this array (active cells
   * copied with their timestamps, inactive ones deactivated). The two slices must have the same shape.
   */
  planeSync(axis: Axis, from: number, to: number, target: BlockArray = this): number {
    this.checkPlane(axis, from);
    target.checkPlane(axis, to);
    if (!samePlaneShape(axis, this.dims, target.dims)) {
      throw new CoreError('BAD_VALUE', `slices along ${axis} differ in shape`);
    }
    // Read the source fully before writing, so syncing a slice onto itself is a no-op.
    const { keys, slots } = this.planeCells(axis, from);
    const values = new Float64Array(keys.length);
    const stamps = new Float64Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      values[i] = this.index.valueAt(slots[i]!);
      stamps[i] = this.index.stampAt(slots[i]!);
    }
    target.planeDeactivate(axis, to);
    const dest = target.writable();
    dest.reserve(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const x = axis === 'x' ? to : mortonX(k);
      const y = axis === 'y' ? to : mortonY(k);
      const z = axis === 'z' ? to : mortonZ(k);
      dest.put(mortonEncode(x, y, z), values[i]!, stamps[i]!);
    }
    target.bulkChanged();
    return keys.length;
  }

  /** Registers a watcher; returns the function that removes it. */
  watch(watcher: CellWatcher): () => void {
    this.watchers = [...(this.watchers ?? []), watcher];
    return () => {
      const rest = (this.watchers ?? []).filter((w) => w !== watcher);
      this.watchers = rest.length > 0 ? rest : null;
    };
  }

  private bulkChanged(): void {
    this.changes++;
    if (this.watchers !== null) for (const w of this.watchers) w.structureChanged();
  }

  /** An independent copy (copy-on-write: the typed arrays are copied on the first write of either side). */
  snapshotIndex(): CellIndex {
    this.shared = true;
    return this.index;
  }

  private writable(): CellIndex {
    if (this.shared) {
      this.index = this.index.clone();
      this.shared = false;
    }
    return this.index;
  }

  private visitKey(key: number, visit: CellVisitor): void {
    const slot = this.index.find(key);
    visit(mortonX(key), mortonY(key), mortonZ(key), this.index.valueAt(slot), this.index.stampAt(slot));
  }

  private probeBox(b: Box, visit: CellVisitor): void {
    const found: number[] = [];
    for (let z = b.z0; z <= b.z1; z++) {
      for (let y = b.y0; y <= b.y1; y++) {
        for (let x = b.x0; x <= b.x1; x++) {
          const key = mortonEncode(x, y, z);
          if (this.index.find(key) >= 0) found.push(key);
        }
      }
    }
    found.sort((a, b2) => a - b2);
    for (const key of found) this.visitKey(key, visit);
  }

  private walkBox(b: Box, visit: CellVisitor): void {
    const keys = this.index.sortedKeys();
    const zmin = mortonEncode(b.x0, b.y0, b.z0);
    const zmax = mortonEncode(b.x1, b.y1, b.z1);
    let i = lowerBound(keys, zmin, 0);
    while (i < keys.length) {
      const key = keys[i]!;
      if (key > zmax) break;
      const x = mortonX(key);
      const y = mortonY(key);
      const z = mortonZ(key);
      if (x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1 && z >= b.z0 && z <= b.z1) {
        const slot = this.index.find(key);
        visit(x, y, z, this.index.valueAt(slot), this.index.stampAt(slot));
        i++;
      } else {
        i = lowerBound(keys, mortonBigMin(key, zmin, zmax), i + 1);
      }
    }
  }

  private checkPlane(axis: Axis, index: number): void {
    validateAxis(axis);
    const limit = this.dims[axis];
    if (!Number.isInteger(index) || index < 0 || index >= limit) {
      throw new CoreError('OUT_OF_RANGE', `slice ${axis}=${String(index)} outside [0, ${limit - 1}]`);
    }
  }

  /** Morton codes of the active cells in a slice, ascending. */
  planeMortonKeys(axis: Axis, index: number): Uint32Array {
    this.checkPlane(axis, index);
    return this.planeCells(axis, index).keys.sort();
  }

  /**
   * Active cells of a slice with their slots, by probing the slice or scanning the sorted keys,
   * whichever is smaller. Slots are valid until the next insert or remove.
   */
  private planeCells(axis: Axis, index: number): { keys: Uint32Array; slots: Int32Array } {
    const [nu, nv] = this.planeShape(axis);
    const bound = Math.min(nu * nv, this.index.size);
    const keys = new Uint32Array(bound);
    const slots = new Int32Array(bound);
    let n = 0;
    if (nu * nv <= this.index.size) {
      for (let v = 0; v < nv; v++) {
        for (let u = 0; u < nu; u++) {
          const key = planeKey(axis, index, u, v);
          const slot = this.index.find(key);
          if (slot >= 0) {
            keys[n] = key;
            slots[n++] = slot;
          }
        }
      }
    } else {
      const sorted = this.index.sortedKeys();
      const extract = axis === 'x' ? mortonX : axis === 'y' ? mortonY : mortonZ;
      for (let i = 0; i < sorted.length; i++) {
        const key = sorted[i]!;
        if (extract(key) !== index) continue;
        keys[n] = key;
        slots[n++] = this.index.find(key);
      }
    }
    return { keys: keys.subarray(0, n), slots: slots.subarray(0, n) };
  }

  /** Extents of the two axes spanning a slice, in the order planeKey takes them. */
  private planeShape(axis: Axis): [number, number] {
    const { x, y, z } = this.dims;
    return axis === 'x' ? [y, z] : axis === 'y' ? [x, z] : [x, y];
  }
}

/** Morton code of the cell at (u, v) within slice `axis = index`. */
function planeKey(axis: Axis, index: number, u: number, v: number): number {
  return axis === 'x' ? mortonEncode(index, u, v) : axis === 'y' ? mortonEncode(u, index, v) : mortonEncode(u, v, index);
}

function samePlaneShape(axis: Axis, a: Dims, b: Dims): boolean {
  if (axis === 'x') return a.y === b.y && a.z === b.z;
  if (axis === 'y') return a.x === b.x && a.z === b.z;
  return a.x === b.x && a.y === b.y;
}

function lowerBound(keys: Uint32Array, value: number, from: number): number {
  let lo = from;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
