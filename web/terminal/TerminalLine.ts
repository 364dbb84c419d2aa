import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { Emitter } from '../../protocol/Emitter.js';
import type { TerminalPane } from './TerminalPane.js';

/** The part of the terminal pane the modem needs (a fake in Node tests). */
export type TerminalIo = Pick<TerminalPane, 'write' | 'writeText' | 'onInput'>;

/**
 * The terminal as the modem's DTE: what the person types comes out of `onData`, what the modem
 * writes appears on screen. `onTraffic` reports each direction for the SD/RD lights.
 *
 * Not a LineBase: it keeps no data listeners of its own (onData subscribes to the pane's input), and
 * keystrokes typed before the modem listens mean nothing to keep.
 */
export class TerminalLine implements Line {
  readonly name = 'xterm';
  private readonly closeListeners = new Emitter<Error | undefined>();
  private open = true;

  constructor(
    private readonly pane: TerminalIo,
    private readonly onTraffic: (direction: 'toModem' | 'toTerminal') => void = () => {},
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  write(data: Uint8Array): void {
    if (!this.open || data.length === 0) return;
    this.onTraffic('toTerminal');
    this.pane.write(data);
  }

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    return this.pane.onInput((bytes) => {
      if (!this.open) return;
      this.onTraffic('toModem');
      listener(bytes);
    });
  }

  onClose(listener: (reason?: Error) => void): Disposable {
    return this.closeListeners.add(listener);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.closeListeners.emit(undefined);
  }
}
