import { BlockArray } from '../block/BlockArray.js';
import type { CubeRecord } from '../cube/Cube.js';
import { CoreError } from '../errors/CoreError.js';
import type { Ledger } from '../ledger/Ledger.js';
import { mortonX, mortonY, mortonZ } from '../block/Morton.js';
import type { ArrayRow, Store } from '../store/Store.js';
import { ArraySlot } from './ArraySlot.js';
import { PACKML_STATES, type PackMlState } from './PackMl.js';

export interface LoadTarget {
  addArray(slot: ArraySlot): void;
  readonly ledger: Ledger;
  addCube(record: CubeRecord): void;
  linkCubes(record: CubeRecord): void;
  /** κ of an llmAt model, by Morton code; later rows for the same code replace earlier ones. */
  llmKappa(morton: number, kappa: number): void;
  /** The lesson of a taught llmAt model, by Morton code. */
  llmLesson(morton: number, lesson: Uint8Array): void;
  readonly clock: () => number;
}

interface Delta {
  readonly morton: number;
  readonly active: boolean;
  readonly value: number;
  readonly timestamp: number;
}

/**
 * Rebuilds the core from a store. Instances are rows of differences over their template, so
 * they are built last, once every template's cells are in place.
 */
export async function loadKonomiState(store: Store, target: LoadTarget): Promise<void> {
  const rows: ArrayRow[] = [];
  const plain = new Map<number, BlockArray>();
  const deltas = new Map<number, Delta[]>();
  const cubes: CubeRecord[] = [];
  await store.load({
    array(row) {
      rows.push(row);
      if (row.templateId === null) plain.set(row.id, new BlockArray(row, { clock: target.clock }));
      else deltas.set(row.id, []);
    },
    cell(array, morton, active, value, timestamp) {
      const base = plain.get(array);
      if (base !== undefined) {
        if (active) base.set(mortonX(morton), mortonY(morton), mortonZ(morton), value, timestamp);
        return;
      }
      const list = deltas.get(array);
      if (list === undefined) throw new CoreError('CORRUPT', `cell row for unknown array ${array}`);
      list.push({ morton, active, value, timestamp });
    },
    entry(entry) {
      target.ledger.load(entry);
    },
    cube(record) {
      cubes.push(record);
    },
    llmKappa(morton, kappa) {
      // Needs nothing else loaded first: applied at once, no copy held.
      target.llmKappa(morton, kappa);
    },
    llmLesson(morton, lesson) {
      target.llmLesson(morton, lesson);
    },
  });
  buildArrays(rows, plain, deltas, target);
  for (const c of cubes) target.addCube(c);
  for (const c of cubes) target.linkCubes(c);
}

function buildArrays(rows: ArrayRow[], plain: Map<number, BlockArray>, deltas: Map<number, Delta[]>, target: LoadTarget): void {
  const slots = new Map<number, ArraySlot>();
  rows.sort((a, b) => a.id - b.id);
  // Ids are ascending; a shared store's allocator may leave gaps (ids taken by failed commits).
  rows.forEach((row, position) => {
    if (position > 0 && row.id === rows[position - 1]!.id) throw new CoreError('CORRUPT', `array ${row.id} appears twice`);
    const slot = row.templateId === null ? new ArraySlot(row.id, plain.get(row.id)!, null, restoredState(row)) : instanceSlot(row, slots, deltas, target);
    if (row.template) slot.freeze();
    slots.set(row.id, slot);
    target.addArray(slot);
  });
}

function instanceSlot(row: ArrayRow, slots: Map<number, ArraySlot>, deltas: Map<number, Delta[]>, target: LoadTarget): ArraySlot {
  const template = slots.get(row.templateId!)?.template;
  if (template === null || template === undefined) {
    throw new CoreError('CORRUPT', `array ${row.id} comes from ${String(row.templateId)}, which is not a template`);
  }
  const array = template.instantiate(target.clock);
  for (const d of deltas.get(row.id) ?? []) {
    const [x, y, z] = [mortonX(d.morton), mortonY(d.morton), mortonZ(d.morton)];
    if (d.active) array.set(x, y, z, d.value, d.timestamp);
    else array.deactivate(x, y, z);
  }
  return new ArraySlot(row.id, array, row.templateId, restoredState(row));
}

function restoredState(row: ArrayRow): PackMlState | undefined {
  if (row.state === undefined) return undefined;
  if (!PACKML_STATES.includes(row.state)) throw new CoreError('CORRUPT', `array ${row.id} has an unknown PackML state ${String(row.state)}`);
  return row.state;
}
