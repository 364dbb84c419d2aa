import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { V86 } from 'v86';
import { egaDacEntry, programTextMode3, VgaPort } from './vgaTextMode.js';

const ROOT = resolve(import.meta.dirname, '../..');

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

  it('makes what XP10 writes to 0xB8000 show on v86\'s text screen', async () => {
    const image = readFileSync(join(ROOT, 'images/xp10.elf'));
    const emulator = new V86({
      wasm_path: join(ROOT, 'node_modules/v86/build/v86.wasm'),
      memory_size: 32 * 1024 * 1024,
      uart1: true,
      multiboot: { buffer: image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) },
      autostart: false,
    });
    try {
      await new Promise<void>((done) => emulator.add_listener('emulator-ready', () => done()));
      const io = (emulator as unknown as { v86: { cpu: { io: { port_write8(p: number, v: number): void; port_read8(p: number): number } } } }).v86.cpu.io;
      programTextMode3((port, value) => io.port_write8(port, value), () => io.port_read8(VgaPort.INPUT_STATUS_1));
      const row = new Array<string>(80).fill(' ');
      const done = new Promise<void>((resolve) => {
        emulator.add_listener('screen-put-char', ([r, column, chr]) => {
          if (r !== 0 || column >= 80) return;
          row[column] = String.fromCharCode(chr);
          if (row.join('').includes('XP10')) resolve();
        });
      });
      emulator.run();
      await done;
      expect(row.join('')).toMatch(/^XP10 kernel/);
    } finally {
      await emulator.destroy();
    }
  }, 30_000);
});
