import { describe, expect, it } from 'vitest';
import { encodeContent } from '../../protocol/encodeFrame.js';
import { encodeBlockSetRequest } from '../../protocol/payloads/blockSet.js';
import { encodeErrorPayload } from '../../protocol/payloads/errorPayload.js';
import { enhancedPacketBlock, interfaceBlock, PcapngError, readPcapng, sectionHeaderBlock } from '../../bridge/capture/pcapng.js';

const request = encodeContent({ flags: 0, opcode: 0x13, seq: 5, channel: 0, fragment: 0, payload: encodeBlockSetRequest({ x: 1, y: 2, z: 3, value: 4.5 }) });
const error = encodeContent({ flags: 3, opcode: 0x12, seq: 6, channel: 2, fragment: 0, payload: encodeErrorPayload({ code: 2, message: 'x out of range' }) });

function capture(): Uint8Array {
  return Uint8Array.from(Buffer.concat([
    sectionHeaderBlock(),
    interfaceBlock('tcp:127.0.0.1:1'),
    enhancedPacketBlock({ interfaceId: 0, timestampUs: 1_700_000_000_000_000n, direction: 'in', data: request }),
    enhancedPacketBlock({ interfaceId: 0, timestampUs: 1_700_000_000_001_000n, direction: 'out', data: error }),
  ]));
}

describe('pcapng', () => {
  it('round-trips interfaces, timestamps, directions and frame bytes', () => {
    const { interfaces, packets } = readPcapng(capture());
    expect(interfaces).toEqual([{ name: 'tcp:127.0.0.1:1', linkType: 147 }]);
    expect(packets.map((p) => [p.interfaceId, p.timestampUs, p.direction])).toEqual([
      [0, 1_700_000_000_000_000n, 'in'],
      [0, 1_700_000_000_001_000n, 'out'],
    ]);
    expect(packets[0]!.data).toEqual(request);
    expect(packets[1]!.data).toEqual(error);
  });

  it('rejects truncated files and bad block lengths with a typed error', () => {
    const bytes = capture();
    expect(() => readPcapng(bytes.subarray(0, 20))).toThrow(PcapngError);
    const corrupt = bytes.slice();
    new DataView(corrupt.buffer).setUint32(28 + 4, 0xffff_fff0, true);
    expect(() => readPcapng(corrupt)).toThrow(/bad block length/);
  });
});
