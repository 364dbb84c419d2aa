import { describe, expect, it } from 'vitest';
import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { pipeLines } from './pipeLines.js';

/** Minimal Line recording writes; `receive` plays bytes arriving from its far end. */
class RecordingLine implements Line {
  readonly written: number[] = [];
  isOpen = true;
  private data = new Set<(c: Uint8Array) => void>();
  private closers = new Set<(r?: Error) => void>();
  constructor(readonly name: string) {}
  write(data: Uint8Array): void { if (this.isOpen) this.written.push(...data); }
  onData(l: (c: Uint8Array) => void): Disposable { this.data.add(l); return { dispose: () => this.data.delete(l) }; }
  onClose(l: (r?: Error) => void): Disposable { this.closers.add(l); return { dispose: () => this.closers.delete(l) }; }
  receive(bytes: number[]): void { for (const l of this.data) l(Uint8Array.from(bytes)); }
  close(reason?: Error): void { if (!this.isOpen) return; this.isOpen = false; for (const l of this.closers) l(reason); }
}

describe('pipeLines', () => {
  it('carries bytes both ways and counts them', () => {
    const a = new RecordingLine('a');
    const b = new RecordingLine('b');
    const pipe = pipeLines(a, b);
    a.receive([1, 2, 3]);
    b.receive([9]);
    expect(b.written).toEqual([1, 2, 3]);
    expect(a.written).toEqual([9]);
    expect(pipe.stats).toEqual({ aToB: 3, bToA: 1 });
  });

  it('stops when one side closes, reports which, and leaves the other open', () => {
    const a = new RecordingLine('a');
    const b = new RecordingLine('b');
    const broken: string[] = [];
    pipeLines(a, b, (line, reason) => broken.push(`${line.name}:${reason?.message ?? ''}`));
    b.close(new Error('gone'));
    a.receive([1]);
    expect(b.written).toEqual([]);
    expect(broken).toEqual(['b:gone']);
    expect(a.isOpen).toBe(true);
  });

  it('stops carrying after dispose', () => {
    const a = new RecordingLine('a');
    const b = new RecordingLine('b');
    pipeLines(a, b).dispose();
    a.receive([1]);
    expect(b.written).toEqual([]);
  });
});
