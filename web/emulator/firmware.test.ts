import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { V86 } from 'v86';
import { ioPortsOf, runFirmwareStandIn } from './firmware.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The 80×25 text screen as v86 reports it through screen-put-char. */
function watchScreen(emulator: V86): { text(): string } {
  const rows = Array.from({ length: 25 }, () => new Array<string>(80).fill(' '));
  emulator.add_listener('screen-put-char', ([row, column, chr]) => {
    const line = rows[row];
    if (line && column < 80) line[column] = String.fromCharCode(chr);
  });
  return { text: () => rows.map((r) => r.join('').trimEnd()).join('\n') };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('firmware stand-in (XP10 booted by multiboot, no BIOS)', () => {
  it('makes XP10\'s VGA text visible and its PS/2 keyboard type into the shell', async () => {
    const image = readFileSync(join(ROOT, 'images/xp10.elf'));
    const emulator = new V86({
      wasm_path: join(ROOT, 'node_modules/v86/build/v86.wasm'),
      memory_size: 32 * 1024 * 1024,
      multiboot: { buffer: image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) },
      uart1: true,
      autostart: false,
    });
    try {
      await new Promise<void>((done) => emulator.add_listener('emulator-ready', () => done()));
      const io = ioPortsOf(emulator);
      expect(io).toBeDefined();
      if (io) runFirmwareStandIn(io);
      const screen = watchScreen(emulator);
      emulator.run();
      await until(() => /^XP10 kernel/.test(screen.text()) && screen.text().includes('XP10>'), 'the banner and prompt on VGA');
      emulator.keyboard_send_text('ver\n');
      await until(() => /XP10> ver\n.*Version/.test(screen.text()), 'ver typed on the keyboard to run');
    } finally {
      await emulator.destroy();
    }
  }, 30_000);

  it('finds no I/O bus on something that is not a v86 instance', () => {
    expect(ioPortsOf({})).toBeUndefined();
    expect(ioPortsOf(null)).toBeUndefined();
  });
});
