import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real terminal program (telnet, socat, minicom) running in a detached tmux session on a
 * private tmux server, typed at and read from the screen as a person would. One tmux server per
 * instance (`-L`), so tests never touch anyone else's sessions.
 */
export class TmuxTerminal {
  private static counter = 0;
  private readonly socket: string;
  private closed = false;

  private constructor(socket: string) {
    this.socket = socket;
  }

  /** Starts `command` (a shell command line) in an 100×40 window. */
  static async start(command: string, options: { width?: number; height?: number } = {}): Promise<TmuxTerminal> {
    const socket = `konomi-test-${process.pid}-${TmuxTerminal.counter++}`;
    const term = new TmuxTerminal(socket);
    await term.tmux('new-session', '-d', '-s', 'main', '-x', String(options.width ?? 100), '-y', String(options.height ?? 40), command);
    // Keep the window after the program exits, so its last screen can still be read.
    await term.tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
    return term;
  }

  /** Types text literally (no key names), as pasted characters. */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  /** Presses keys by tmux name: `Enter`, `C-a`, `C-]`. */
  async press(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', ...keys);
  }

  /** Types a line and presses Enter. */
  async line(text: string): Promise<void> {
    await this.type(text);
    await this.press('Enter');
  }

  /** The whole history and screen, trailing blanks trimmed. */
  async screen(): Promise<string> {
    const { stdout } = await this.tmux('capture-pane', '-p', '-J', '-t', 'main', '-S', '-2000');
    return stdout.replace(/\s+$/g, '');
  }

  /** True once the program in the window has exited. */
  async exited(): Promise<boolean> {
    const { stdout } = await this.tmux('display-message', '-p', '-t', 'main', '#{pane_dead}');
    return stdout.trim() === '1';
  }

  /**
   * Waits until `pattern` matches the screen text after offset `from` (a number returned by an
   * earlier wait); returns the offset just past the match.
   */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    let text = '';
    for (;;) {
      text = await this.screen();
      const m = pattern.exec(text.slice(from));
      if (m) return from + m.index + m[0].length;
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; screen ends with:\n${text.slice(-800)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tmux('kill-server').catch(() => undefined);
  }

  private tmux(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run('tmux', ['-L', this.socket, ...args], { env: { ...process.env, TERM: 'xterm' } });
  }
}
