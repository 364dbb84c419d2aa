import { BlockArray } from '../block/BlockArray.js';
import { checkCoordinate, validateAxis, validateDims } from '../block/Dims.js';
import type { Axis, Dims } from '../block/Dims.js';
import { mortonEncode, mortonX, mortonY, mortonZ } from '../block/Morton.js';
import { CoreError } from '../errors/CoreError.js';
import { canonicalValue, requireIntegerIn } from '../errors/validate.js';
import type { LedgerHead, LedgerVerification } from '../ledger/Ledger.js';
import { LedgerOp, type LedgerEntry } from '../ledger/LedgerEntry.js';
import type { InclusionProof } from '../ledger/Merkle.js';
import { LeafHashMemo } from '../ledger/LeafHashMemo.js';
import type { CellRow } from '../store/Store.js';
import { Emitter, propagateListenerError } from '../../protocol/Emitter.js';
import type { Disposable } from '../../protocol/Disposable.js';
import { ArraySlot } from './ArraySlot.js';
import type { CoreContext } from './CoreContext.js';
import { PACKML_STATES, type PackMlCommand, type PackMlState } from './PackMl.js';
import type { ArrayInfo, CellInput, CellRead, WriteReceipt } from './types.js';

const MAX_ARRAYS = 0x10000;
/** Most cells createTemplate accepts unless told otherwise (each is a ledger entry). */
export const DEFAULT_MAX_TEMPLATE_CELLS = 100_000;
const ZERO_LEAF = new Uint8Array(32);

/** What the grid announces once a write is durable. */
export type GridEvent =
  /** A cell was set (BLOCK_SET, REST): its new value and the ledger entry that recorded it. */
  | { readonly type: 'cell'; readonly array: number; readonly x: number; readonly y: number; readonly z: number; readonly value: number; readonly index: number }
  /** The grid appended to the ledger (any durable grid write). */
  | { readonly type: 'ledger' };

export interface GridOptions {
  /** Dimensions of array 0 (the one BLOCK_GET/SET address). */
  readonly dims: Dims;
  /** Most cells createTemplate accepts. Default 100 000. */
  readonly maxTemplateCells?: number | undefined;
  /** Awaited between slices of a long ledger verification; without it the check runs in one go. */
  readonly yieldToHost?: (() => Promise<void>) | undefined;
}

/**
 * The grid: the block arrays (array 0 and any others, templates and their instances), their
 * planes, Merkle proofs, and the ledger's read side. Every write validates all of its input
 * first, applies it in memory, appends one ledger entry and resolves once durable.
 */
export class Grid {
  readonly dims: Dims;
  private readonly slots: (ArraySlot | undefined)[] = [];
  private readonly events = new Emitter<GridEvent>(propagateListenerError);
  /** Leaf hashes of cells read last (BLOCK_GET): a cell read again costs no SHA-256. */
  private readonly leafHashes = new LeafHashMemo();

  constructor(
    private readonly context: CoreContext,
    private readonly options: GridOptions,
  ) {
    this.dims = validateDims(options.dims);
  }

  onEvent(listener: (event: GridEvent) => void): Disposable {
    return this.events.add(listener);
  }

  /** Creates array 0 if the store had none (array 0 has its id fixed: every writer creates the same one). */
  async ensureArrayZero(): Promise<void> {
    if (this.slots[0] === undefined) await this.addBlockArray(0, this.dims);
  }

  /** Fires a PackML command on one array (instance); resolves once the new state is durable. */
  async commandArray(arrayId: number, command: PackMlCommand): Promise<PackMlState> {
    this.context.checkNotFailed();
    const slot = this.slot(arrayId);
    if (slot.template && command !== 'stop' && command !== 'abort') {
      throw new CoreError('INVALID_TRANSITION', `array ${arrayId} is a frozen template`);
    }
    const state = slot.machine.run(command);
    const entry = this.context.append(LedgerOp.ARRAY_STATE, arrayId, PACKML_STATES.indexOf(state), 0, 0, 0);
    await this.commit({ entries: [entry], arrays: [slot.row()] });
    return state;
  }

  arrayInfo(arrayId = 0): ArrayInfo {
    return this.slot(arrayId).info();
  }

  arrays(): ArrayInfo[] {
    return this.slots.filter((s): s is ArraySlot => s !== undefined).map((s) => s.info());
  }

  /** Read access to an array; writes must go through Konomi so that they are ledgered. */
  array(arrayId = 0): Pick<BlockArray, 'dims' | 'size' | 'has' | 'get' | 'getCell' | 'neighbours' | 'forEach' | 'forEachInBox' | 'region' | 'countInBox' | 'mortonKeys'> {
    return this.slot(arrayId).array;
  }

  async createBlockArray(dims: Dims): Promise<ArrayInfo> {
    this.context.checkWritable();
    const d = validateDims(dims);
    return this.addBlockArray(this.context.store.allocateId ? await this.allocatedArrayId() : this.nextArrayId(), d);
  }

  /** Array 0 (the grid) has its id fixed: every writer creating it creates the same array. */
  private async addBlockArray(id: number, d: Dims): Promise<ArrayInfo> {
    const slot = this.addSlot(new ArraySlot(id, new BlockArray(d, { clock: this.context.clock }), null));
    const entry = this.context.append(LedgerOp.CREATE_ARRAY, id, d.x, d.y, d.z, 0);
    await this.commit({ entries: [entry], arrays: [slot.row()] });
    return slot.info();
  }

  /** A frozen array holding `cells`, from which instances start copy-on-write. */
  async createTemplate(dims: Dims, cells: readonly CellInput[]): Promise<ArrayInfo> {
    this.context.checkWritable();
    const d = validateDims(dims);
    const max = this.options.maxTemplateCells ?? DEFAULT_MAX_TEMPLATE_CELLS;
    if (!Array.isArray(cells) || cells.length > max) throw new CoreError('TOO_LARGE', `a template holds at most ${max} cells`);
    const values = cells.map((c) => {
      checkCoordinate(d, c.x, c.y, c.z);
      return canonicalValue(c.value, 'value');
    });
    const id = this.context.store.allocateId ? await this.allocatedArrayId() : this.nextArrayId();
    const array = new BlockArray(d, { clock: this.context.clock, expectedCells: cells.length });
    const slot = this.addSlot(new ArraySlot(id, array, null));
    const entries = [this.context.append(LedgerOp.CREATE_ARRAY, id, d.x, d.y, d.z, 0)];
    const stamp = this.context.now();
    cells.forEach((c, i) => {
      const value = values[i]!;
      array.set(c.x, c.y, c.z, value, stamp);
      entries.push(this.context.append(LedgerOp.SET, id, c.x, c.y, c.z, value, stamp));
    });
    slot.freeze();
    entries.push(this.context.append(LedgerOp.FREEZE, id, 0, 0, 0, 0, stamp));
    await this.commit({ entries, arrays: [slot.row()], cells: this.rowsOf(slot, array.mortonKeys()) });
    return slot.info();
  }

  /** Freezes an existing array as a template: no more writes, instances may start from it. */
  async freezeTemplate(arrayId: number): Promise<ArrayInfo> {
    this.context.checkWritable();
    const slot = this.slot(arrayId);
    if (slot.template) throw new CoreError('ALREADY_EXISTS', `array ${arrayId} is already a template`);
    if (slot.templateId !== null) throw new CoreError('INVALID_TRANSITION', 'an instance cannot become a template');
    if (slot.machine.state !== 'Execute') throw new CoreError('NOT_RUNNING', `array ${arrayId} is ${slot.machine.state}`);
    slot.freeze();
    const entry = this.context.append(LedgerOp.FREEZE, arrayId, 0, 0, 0, 0);
    await this.commit({ entries: [entry], arrays: [slot.row()] });
    return slot.info();
  }

  /** A new array starting from a template's cells in O(1); it copies them on its first write. */
  async instantiate(templateId: number): Promise<ArrayInfo> {
    this.context.checkWritable();
    const source = this.slot(templateId);
    const template = source.template;
    if (template === null) throw new CoreError('INVALID_TRANSITION', `array ${templateId} is not a template`);
    const id = this.context.store.allocateId ? await this.allocatedArrayId() : this.nextArrayId();
    const slot = this.addSlot(new ArraySlot(id, template.instantiate(this.context.clock), templateId));
    const { x, y, z } = template.dims;
    const entry = this.context.append(LedgerOp.INSTANTIATE, id, x, y, z, templateId);
    await this.commit({ entries: [entry], arrays: [slot.row()] });
    return slot.info();
  }

  // ---------------------------------------------------------------- cells

  getCell(x: number, y: number, z: number, arrayId = 0): CellRead {
    const cell = this.slot(arrayId).array.getCell(x, y, z);
    if (cell === undefined) return { active: false, value: 0, timestamp: 0, leafHash: ZERO_LEAF.slice() };
    return { active: true, value: cell.value, timestamp: cell.timestamp, leafHash: this.leafHashes.hash(x, y, z, cell.value) };
  }

  /** Activates or overwrites a cell; resolves with its ledger entry once durable. */
  async setCell(x: number, y: number, z: number, value: number, arrayId = 0): Promise<WriteReceipt> {
    const slot = this.writableSlot(arrayId);
    checkCoordinate(slot.array.dims, x, y, z);
    // One canonical value (-0 → +0) for the cell, its ledger entry and its store row: all hashed or reloaded.
    value = canonicalValue(value, 'value');
    const stamp = this.context.now();
    slot.array.set(x, y, z, value, stamp);
    const entry = this.context.append(LedgerOp.SET, arrayId, x, y, z, value, stamp);
    const cell: CellRow = { array: arrayId, morton: mortonEncode(x, y, z), active: true, value, timestamp: stamp };
    await this.commit({ entries: [entry], cells: [cell] }, { type: 'cell', array: arrayId, x, y, z, value, index: entry.index });
    return receipt(entry);
  }

  async deactivateCell(x: number, y: number, z: number, arrayId = 0): Promise<WriteReceipt> {
    const slot = this.writableSlot(arrayId);
    checkCoordinate(slot.array.dims, x, y, z);
    const stamp = this.context.now();
    slot.array.deactivate(x, y, z);
    const entry = this.context.append(LedgerOp.DEACTIVATE, arrayId, x, y, z, 0, stamp);
    const cell: CellRow = { array: arrayId, morton: mortonEncode(x, y, z), active: false, value: 0, timestamp: stamp };
    await this.commit({ entries: [entry], cells: [cell] });
    return receipt(entry);
  }

  /** Activates a whole slice (up to 1024² cells) as one ledger entry. */
  async planeActivate(axis: Axis, index: number, value: number, arrayId = 0): Promise<WriteReceipt> {
    const slot = this.writableSlot(arrayId);
    const a = validateAxis(axis);
    requireIntegerIn(index, 0, slot.array.dims[a] - 1, `slice ${a}`);
    value = canonicalValue(value, 'value');
    const stamp = this.context.now();
    slot.array.planeActivate(a, index, value, stamp);
    const entry = this.context.append(LedgerOp.PLANE_ACTIVATE, arrayId, axisNumber(a), index, 0, value, stamp);
    await this.commit({ entries: [entry], cells: this.rowsOf(slot, slot.array.planeMortonKeys(a, index)) });
    return receipt(entry);
  }

  async planeDeactivate(axis: Axis, index: number, arrayId = 0): Promise<WriteReceipt> {
    const slot = this.writableSlot(arrayId);
    const a = validateAxis(axis);
    const before = slot.array.planeMortonKeys(a, index);
    const stamp = this.context.now();
    slot.array.planeDeactivate(a, index);
    const entry = this.context.append(LedgerOp.PLANE_DEACTIVATE, arrayId, axisNumber(a), index, 0, 0, stamp);
    await this.commit({ entries: [entry], cells: this.rowsOf(slot, before) });
    return receipt(entry);
  }

  /** Interlock: slice `to` of array `targetId` becomes a copy of slice `from` of array `arrayId`. */
  async planeSync(axis: Axis, from: number, to: number, arrayId = 0, targetId = arrayId): Promise<WriteReceipt> {
    this.context.checkWritable();
    const source = this.slot(arrayId);
    const target = this.writableSlot(targetId);
    const a = validateAxis(axis);
    requireIntegerIn(from, 0, source.array.dims[a] - 1, `slice ${a}`);
    const before = target.array.planeMortonKeys(a, to);
    const stamp = this.context.now();
    source.array.planeSync(a, from, to, target.array);
    const after = target.array.planeMortonKeys(a, to);
    const entry = this.context.append(LedgerOp.PLANE_SYNC, arrayId, axisNumber(a), from, to, targetId, stamp);
    const cells = this.rowsOf(target, unionSorted(before, after));
    await this.commit({ entries: [entry], cells });
    return receipt(entry);
  }

  // ---------------------------------------------------------------- ledger and proofs

  ledgerHead(): LedgerHead {
    return this.context.ledger.head();
  }

  ledgerEntry(index: number): LedgerEntry {
    return this.context.ledger.entry(index);
  }

  verifyLedger(): LedgerVerification {
    return this.context.ledger.verify();
  }

  /** verifyLedger in slices, yielding to the host between them (`yieldToHost`; inline without it). */
  verifyLedgerSliced(): Promise<LedgerVerification> {
    const y = this.options.yieldToHost;
    const ledger = this.context.ledger;
    return y ? ledger.verifySliced(y) : Promise.resolve(ledger.verify());
  }

  /** RFC 6962 root over the array's active cells in Morton order (computed on demand, cached). */
  merkleRoot(arrayId = 0): Uint8Array {
    return this.slot(arrayId).merkle.root();
  }

  proveCell(x: number, y: number, z: number, arrayId = 0): InclusionProof {
    return this.slot(arrayId).merkle.proof(x, y, z);
  }

  // ---------------------------------------------------------------- internals

  /** Submits a grid write and announces it once durable: what it did (`change`), then the ledger. */
  private async commit(part: Parameters<CoreContext['submit']>[0], change?: GridEvent): Promise<void> {
    await this.context.submit(part);
    if (change !== undefined) this.events.emit(change);
    this.events.emit({ type: 'ledger' });
  }

  private slot(arrayId: number): ArraySlot {
    const slot = Number.isInteger(arrayId) ? this.slots[arrayId] : undefined;
    if (slot === undefined) throw new CoreError('NOT_FOUND', `no array ${String(arrayId)}`);
    return slot;
  }

  private writableSlot(arrayId: number): ArraySlot {
    this.context.checkWritable();
    const slot = this.slot(arrayId);
    if (slot.machine.state !== 'Execute') {
      throw new CoreError('NOT_RUNNING', `array ${arrayId} is ${slot.template ? 'a frozen template' : slot.machine.state}`);
    }
    return slot;
  }

  private nextArrayId(): number {
    if (this.slots.length >= MAX_ARRAYS) throw new CoreError('TOO_LARGE', `at most ${MAX_ARRAYS} arrays`);
    return this.slots.length;
  }

  /** An id no other writer of a shared store holds (Store.allocateId). */
  private async allocatedArrayId(): Promise<number> {
    const id = await this.context.store.allocateId!('array');
    this.context.checkWritable();
    if (!Number.isInteger(id) || id < 1 || id >= MAX_ARRAYS) throw new CoreError('TOO_LARGE', `at most ${MAX_ARRAYS} arrays (store allocated ${id})`);
    if (this.slots[id] !== undefined) throw new CoreError('CORRUPT', `the store allocated array ${id} twice`);
    return id;
  }

  /** Adds an array as the store had it (KonomiLoader) or as a write creates it. */
  addSlot(slot: ArraySlot): ArraySlot {
    this.slots[slot.id] = slot;
    return slot;
  }

  /** Current state of each key as store rows (tombstones for inactive keys). */
  private rowsOf(slot: ArraySlot, keys: Uint32Array): CellRow[] {
    const rows: CellRow[] = new Array<CellRow>(keys.length);
    const array = slot.array;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const cell = array.getCell(mortonX(k), mortonY(k), mortonZ(k));
      rows[i] = cell
        ? { array: slot.id, morton: k, active: true, value: cell.value, timestamp: cell.timestamp }
        : { array: slot.id, morton: k, active: false, value: 0, timestamp: this.context.now() };
    }
    return rows;
  }
}

function receipt(entry: LedgerEntry): WriteReceipt {
  return { index: entry.index, hash: entry.hash };
}

function axisNumber(axis: Axis): number {
  return axis === 'x' ? 0 : axis === 'y' ? 1 : 2;
}

function unionSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  out.sort();
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i]!;
  return out.subarray(0, n);
}
