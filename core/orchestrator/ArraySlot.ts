import type { BlockArray } from '../block/BlockArray.js';
import { BlockTemplate } from '../block/BlockTemplate.js';
import { CellMerkle } from '../ledger/CellMerkle.js';
import type { ArrayRow } from '../store/Store.js';
import { PackMlMachine, type PackMlState } from './PackMl.js';
import type { ArrayInfo } from './types.js';

/** One array of the orchestrator with its Merkle cache, PackML state and template lineage. */
export class ArraySlot {
  readonly merkle: CellMerkle;
  readonly machine: PackMlMachine;
  private frozen: BlockTemplate | null = null;

  constructor(
    readonly id: number,
    readonly array: BlockArray,
    readonly templateId: number | null,
    /** The persisted PackML state when restored; a new array starts in Execute. */
    state?: PackMlState,
  ) {
    this.merkle = new CellMerkle(array);
    this.machine = new PackMlMachine(state ?? 'Idle');
    if (state === undefined) this.machine.run('start');
  }

  get template(): BlockTemplate | null {
    return this.frozen;
  }

  /** Templates are finished instances: PackML Complete, and never written again. */
  freeze(): BlockTemplate {
    if (this.machine.state === 'Execute') this.machine.run('complete');
    this.frozen ??= BlockTemplate.from(this.array);
    return this.frozen;
  }

  row(): ArrayRow {
    const { x, y, z } = this.array.dims;
    return { id: this.id, x, y, z, template: this.frozen !== null, templateId: this.templateId, state: this.machine.state };
  }

  info(): ArrayInfo {
    return {
      id: this.id,
      dims: this.array.dims,
      size: this.array.size,
      template: this.frozen !== null,
      templateId: this.templateId,
      state: this.machine.state,
    };
  }
}
