import { describe, expect, it } from 'vitest';
import type { V86 } from 'v86';
import { V86SerialLine } from './V86SerialLine.js';

/** Just the part of V86 a serial line uses: byte events out, serial_send_bytes in. */
class FakeEmulator {
  readonly sent: { port: number; bytes: number[] }[] = [];
  private readonly listeners = new Map<string, Set<(byte: number) => void>>();

  add_listener(event: string, listener: (byte: number) => void): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
  }

  remove_listener(event: string, listener: (byte: number) => void): void {
    this.listeners.get(event)?.delete(listener);
  }

  serial_send_bytes(port: number, data: Uint8Array): void {
    this.sent.push({ port, bytes: [...data] });
  }

  emit(event: string, byte: number): void {
    for (const listener of this.listeners.get(event) ?? []) listener(byte);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}

function setup(): { fake: FakeEmulator; line: V86SerialLine } {
  const fake = new FakeEmulator();
  return { fake, line: new V86SerialLine(fake as unknown as V86, 1) };
}

describe('V86SerialLine', () => {
  it('batches the per-byte output events of one turn into one chunk', async () => {
    const { fake, line } = setup();
    const chunks: Uint8Array[] = [];
    line.onData((chunk) => chunks.push(chunk));
    for (let i = 0; i < 10_000; i++) fake.emit('serial1-output-byte', i & 0xff);
    fake.emit('serial0-output-byte', 1); // the other UART is not ours
    expect(chunks).toHaveLength(0);
    await Promise.resolve();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.length).toBe(10_000);
    expect(chunks[0]![257]).toBe(1);
  });

  it('writes bytes unchanged into its UART and nothing once closed', () => {
    const { fake, line } = setup();
    line.write(Uint8Array.of(0x7e, 0x00, 0xff));
    line.write(new Uint8Array(0));
    line.close();
    line.write(Uint8Array.of(1));
    expect(fake.sent).toEqual([{ port: 1, bytes: [0x7e, 0x00, 0xff] }]);
  });

  it('close delivers pending bytes, fires onClose once and stops listening', () => {
    const { fake, line } = setup();
    const chunks: number[][] = [];
    let closes = 0;
    line.onData((chunk) => chunks.push([...chunk]));
    line.onClose(() => closes++);
    fake.emit('serial1-output-byte', 65);
    line.close();
    line.close();
    expect(chunks).toEqual([[65]]);
    expect(closes).toBe(1);
    expect(line.isOpen).toBe(false);
    expect(fake.listenerCount('serial1-output-byte')).toBe(0);
  });

  it('a disposed listener hears nothing more', async () => {
    const { fake, line } = setup();
    const chunks: Uint8Array[] = [];
    line.onData((chunk) => chunks.push(chunk)).dispose();
    fake.emit('serial1-output-byte', 1);
    await Promise.resolve();
    expect(chunks).toHaveLength(0);
  });
});
