import { describe, expect, it } from 'vitest';
import { createLinePair } from './MemoryLine.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createLinePair', () => {
  it('delivers copies in order, asynchronously, both ways', async () => {
    const [a, b] = createLinePair(['left', 'right']);
    const atB: number[] = [];
    const atA: number[] = [];
    b.onData((c) => atB.push(...c));
    a.onData((c) => atA.push(...c));
    const buf = new Uint8Array([1, 2]);
    a.write(buf);
    buf[0] = 7;
    a.write(new Uint8Array([3]));
    b.write(new Uint8Array([4]));
    expect(atB).toEqual([]);
    await tick();
    expect(atB).toEqual([1, 2, 3]);
    expect(atA).toEqual([4]);
    expect([a.name, b.name]).toEqual(['left', 'right']);
  });

  it('closes both ends once, after delivering what was written before', async () => {
    const [a, b] = createLinePair();
    const events: string[] = [];
    b.onData(() => events.push('data'));
    a.onClose(() => events.push('close a'));
    b.onClose(() => events.push('close b'));
    a.write(new Uint8Array([1]));
    b.close();
    a.close();
    a.write(new Uint8Array([2]));
    expect(a.isOpen).toBe(false);
    await tick();
    expect(events).toEqual(['data', 'close b', 'close a']);
  });
});
