/** XP10's HELLO boot id must change on every boot: it is how a core tells a restarted guest (whose seqs start over) from a renegotiation. */
import { describe, expect, it } from 'vitest';
import { Xp10Machine } from '../../bridge/emulator/index.js';
import { FrameDecoder, Opcode } from '../../protocol/index.js';
import { helloBootId } from '../../protocol/payloads/hello.js';

async function bootIdOfOneBoot(): Promise<number> {
  const machine = new Xp10Machine({ memoryBytes: 16 * 1024 * 1024 });
  try {
    const decoder = new FrameDecoder();
    let bootId: number | undefined;
    decoder.onFrame((frame) => {
      if (frame.opcode === Opcode.HELLO && bootId === undefined) bootId = helloBootId(frame.payload);
    });
    machine.serial0.onData((chunk) => decoder.push(chunk));
    await expect.poll(() => bootId, { timeout: 20_000 }).toBeDefined();
    return bootId!;
  } finally {
    await machine.destroy();
  }
}

describe('XP10 boot id', () => {
  it('is present in the HELLO it announces and differs between two boots of the same image', async () => {
    const first = await bootIdOfOneBoot();
    const second = await bootIdOfOneBoot();
    expect(first).not.toBe(0);
    expect(second).not.toBe(0);
    expect(second).not.toBe(first);
  });
});
