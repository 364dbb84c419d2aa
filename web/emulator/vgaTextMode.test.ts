import { describe, expect, it } from 'vitest';
import { egaDacEntry, programTextMode3, VgaPort } from './vgaTextMode.js';

describe('VGA mode 3 without a BIOS', () => {
  it('uses the EGA palette (black, blue, light grey, bright white)', () => {
    expect(egaDacEntry(0)).toEqual([0, 0, 0]);
    expect(egaDacEntry(1)).toEqual([0, 0, 0x2a]);
    expect(egaDacEntry(7)).toEqual([0x2a, 0x2a, 0x2a]);
    expect(egaDacEntry(0x3f)).toEqual([0x3f, 0x3f, 0x3f]);
  });

  it('maps video memory at 0xB8000 with odd/even addressing and loads 64 DAC entries', () => {
    const writes: [number, number][] = [];
    programTextMode3((port, value) => writes.push([port, value]));
    const gcMisc = writes.findIndex(([port, value], i) => port === VgaPort.GC_INDEX && value === 6 && writes[i + 1]?.[0] === VgaPort.GC_DATA);
    expect(writes[gcMisc + 1]).toEqual([VgaPort.GC_DATA, 0x0e]);
    expect(writes.filter(([port]) => port === VgaPort.DAC_DATA)).toHaveLength(64 * 3);
  });
});
