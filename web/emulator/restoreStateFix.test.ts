import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { V86 } from 'v86';
import { pciBusOf, withPciBarHolesFilled } from './restoreStateFix.js';

const ROOT = resolve(import.meta.dirname, '../..');

function boot(): V86 {
  const image = readFileSync(join(ROOT, 'images/xp10.elf'));
  return new V86({
    wasm_path: join(ROOT, 'node_modules/v86/build/v86.wasm'),
    memory_size: 32 * 1024 * 1024,
    multiboot: { buffer: image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) },
    uart1: true,
    autostart: true,
  });
}

function waitForCom2(emulator: V86, text: string): Promise<void> {
  let seen = '';
  return new Promise((done) => {
    const listener = (byte: number): void => {
      seen += String.fromCharCode(byte);
      if (seen.includes(text)) {
        emulator.remove_listener('serial1-output-byte', listener);
        done();
      }
    };
    emulator.add_listener('serial1-output-byte', listener);
  });
}

describe('restoring a saved XP10 state (v86 PCI BAR holes)', () => {
  it('still fails in plain v86 (so the fix is still needed), and works with the holes filled', async () => {
    const emulator = boot();
    try {
      await waitForCom2(emulator, 'XP10> ');
      const state = await emulator.save_state();
      await expect(emulator.restore_state(state)).rejects.toThrow(/original_bar/);
      const bus = pciBusOf(emulator);
      expect(bus).toBeDefined();
      await withPciBarHolesFilled(bus, () => emulator.restore_state(state));
      // The holes are back, and the restored XP10 answers on its console.
      expect(bus?.devices.some((d) => d?.pci_bars.includes(undefined))).toBe(true);
      const answered = waitForCom2(emulator, 'XP10 [Version');
      emulator.serial_send_bytes(1, new TextEncoder().encode('ver\r'));
      await answered;
    } finally {
      await emulator.destroy();
    }
  }, 30_000);
});
