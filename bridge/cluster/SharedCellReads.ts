import { mortonEncode } from '../../core/block/Morton.js';
import { cellLeafHash } from '../../core/ledger/Merkle.js';
import type { CellRow } from '../../core/store/Store.js';
import { ProtocolError } from '../../protocol/ProtocolError.js';
import type { Tensor } from '../../core/evgpu/Tensor.js';
import type { TensorOpCall, TensorOpLimits } from '../../core/evgpu/TensorOp.js';
import type { BridgeCore, CellReading, CellWrite, CubeAnswer, LlmAnswer, LlmTeachAnswer } from '../dispatch/BridgeCore.js';
import type { HostedAnswers } from '../../core/cube/CollectiveStrategy.js';

/** Where committed cells of every bridge can be read (PgStore.readCell). */
export interface SharedCells {
  readCell(array: number, morton: number): Promise<CellRow | undefined>;
}

/**
 * The wire operations of a clustered bridge: BLOCK_GET reads the shared store, so it sees every
 * write any bridge acknowledged (an acknowledgement means committed there); everything else is
 * the local core. The local core still checks the coordinates first.
 */
export class SharedCellReads implements BridgeCore {
  constructor(
    private readonly local: BridgeCore,
    private readonly cells: SharedCells,
  ) {}

  async getCell(x: number, y: number, z: number): Promise<CellReading> {
    await this.local.getCell(x, y, z);
    const row = await this.cells.readCell(0, mortonEncode(x, y, z));
    if (!row || !row.active) return { active: false, value: 0, leafHash: new Uint8Array(32) };
    return { active: true, value: row.value, leafHash: cellLeafHash(x, y, z, row.value) };
  }

  setCell(x: number, y: number, z: number, value: number): Promise<CellWrite> {
    return this.local.setCell(x, y, z, value);
  }

  llmQuery(x: number, y: number, z: number, prompt: string, maxTokens: number): LlmAnswer {
    return this.local.llmQuery(x, y, z, prompt, maxTokens);
  }

  cubeMessage(cube: number, vertex: number, text: string, hosted?: HostedAnswers): CubeAnswer {
    return this.local.cubeMessage(cube, vertex, text, hosted);
  }

  tensorOpPayload(payload: Uint8Array, limits: TensorOpLimits): Promise<Uint8Array> | undefined {
    return this.local.tensorOpPayload?.(payload, limits);
  }

  tensorOp(call: TensorOpCall): Tensor | Promise<Tensor> {
    return this.local.tensorOp(call);
  }

  llmTeach(x: number, y: number, z: number, text: string, steps: number): Promise<LlmTeachAnswer> {
    if (!this.local.llmTeach) throw new ProtocolError('UNSUPPORTED', 'this bridge does not teach models');
    return this.local.llmTeach(x, y, z, text, steps);
  }
}
