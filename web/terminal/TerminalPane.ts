import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { Disposable } from '../../protocol/Disposable.js';
import { Emitter } from '../../protocol/Emitter.js';

/**
 * xterm.js fitted to its pane, with scrollback and copy/paste: Ctrl+Shift+C / Ctrl+Shift+V, and Ctrl+C
 * copies instead of sending ^C while text is selected (Windows Terminal convention); pasting goes
 * through the browser's paste event. Speaks bytes:
 * `write` takes what the modem sends to the terminal, `onInput` yields what the person types.
 */
export class TerminalPane {
  readonly terminal: Terminal;
  private readonly fit = new FitAddon();
  private readonly input = new Emitter<Uint8Array>();
  private readonly encoder = new TextEncoder();
  private readonly resizeObserver: ResizeObserver;
  /** Everything written, as text, for tests and for "what is on screen" checks (bounded). */
  private transcript = '';
  private readonly decoder = new TextDecoder();

  constructor(container: HTMLElement) {
    this.terminal = new Terminal({
      scrollback: 5_000,
      cursorBlink: true,
      // XP10 and the modem mostly send CRLF; a bare LF must still start a new line, not a staircase.
      convertEol: true,
      fontFamily: '"DejaVu Sans Mono", monospace',
      fontSize: 14,
      theme: { background: '#000000', foreground: '#d0ffd0' },
    });
    this.terminal.loadAddon(this.fit);
    this.terminal.open(container);
    this.terminal.attachCustomKeyEventHandler((event) => this.handleKey(event));
    this.terminal.onData((data) => this.input.emit(this.encoder.encode(data)));
    this.terminal.onBinary((data) => this.input.emit(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
    this.resizeObserver = new ResizeObserver(() => this.refit());
    this.resizeObserver.observe(container);
    this.refit();
  }

  write(bytes: Uint8Array): void {
    this.terminal.write(bytes.slice());
    this.transcript = (this.transcript + this.decoder.decode(bytes, { stream: true })).slice(-64_000);
  }

  writeText(text: string): void {
    this.write(this.encoder.encode(text));
  }

  onInput(listener: (bytes: Uint8Array) => void): Disposable {
    return this.input.add(listener);
  }

  /** The last 64k characters written to the terminal. */
  text(): string {
    return this.transcript;
  }

  focus(): void {
    this.terminal.focus();
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    this.terminal.dispose();
  }

  private refit(): void {
    try {
      this.fit.fit();
    } catch {
      // Not laid out yet (hidden pane); the next resize fits it.
    }
  }

  /** Returns false to stop xterm from handling the key itself. */
  private handleKey(event: KeyboardEvent): boolean {
    if (event.type !== 'keydown' || !event.ctrlKey) return true;
    const key = event.key.toLowerCase();
    if (key === 'c' && (event.shiftKey || this.terminal.hasSelection())) {
      void navigator.clipboard?.writeText(this.terminal.getSelection()).catch(() => {});
      return false;
    }
    if (key === 'v' && event.shiftKey) {
      // Keep xterm from sending ^V; the browser's own paste event (no clipboard permission needed)
      // then delivers the text, as it does for plain Ctrl+V.
      return false;
    }
    return true;
  }
}
