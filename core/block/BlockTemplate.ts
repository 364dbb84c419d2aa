import { BlockArray } from './BlockArray.js';
import type { CellIndex } from './CellIndex.js';
import type { Dims } from './Dims.js';

/**
 * Frozen dimensions and initial cells. Instances share the template's typed arrays and copy
 * them on their first write, so instantiating costs O(1) whatever the template's size.
 */
export class BlockTemplate {
  private constructor(
    readonly dims: Dims,
    private readonly index: CellIndex,
  ) {}

  /** Freezes the current content of `array`; the array stays usable (it copies on its next write). */
  static from(array: BlockArray): BlockTemplate {
    return new BlockTemplate(array.dims, array.snapshotIndex());
  }

  get size(): number {
    return this.index.size;
  }

  instantiate(clock?: () => number): BlockArray {
    return BlockArray.sharing(this.dims, this.index, clock);
  }
}
