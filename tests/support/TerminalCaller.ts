import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { SerialPort } from 'serialport';

/**
 * The far end of a dial-in line as a terminal program sees it: bytes in and out, plus the text
 * seen so far for chat-style waits. Two kinds: a telnet client (written here from RFC 854/856,
 * asking for BINARY both ways as SyncTERM does before a transfer, doubling 255 in data) and a
 * terminal on a real serial device (one end of a socat pty pair). During a file transfer the
 * bytes are handed to a real lrzsz program instead of the text log (`runTransfer`).
 */
export abstract class TerminalCaller {
  private text = '';
  private sink: ((bytes: Uint8Array) => void) | undefined;

  /** Everything seen outside transfers, as Latin-1 text (one char per byte). */
  get seen(): string {
    return this.text;
  }

  protected received(bytes: Uint8Array): void {
    if (this.sink) this.sink(bytes);
    else this.text += Buffer.from(bytes).toString('latin1');
  }

  abstract write(bytes: Uint8Array): void;
  abstract close(): Promise<void>;

  type(text: string): void {
    this.write(Buffer.from(text, 'latin1'));
  }

  /** Waits for `pattern` in the text after `from`; resolves with the index after the match. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 30_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text.slice(from));
      if (m) return from + m.index + m[0].length;
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} in ${JSON.stringify(this.text.slice(from).slice(-400))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Runs an lrzsz program (sx/rx) with its stdin/stdout wired to the line from text index `from`
   * on: the bytes after `from` already received go to it first. `tamper` sees each chunk on its
   * way and may change it (a corrupting line). Resolves with the exit code and its stderr.
   */
  async runTransfer(
    command: string,
    args: string[],
    options: { cwd: string; from: number; toLine?: (chunk: Buffer) => Buffer; toProgram?: (chunk: Buffer) => Buffer },
  ): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const toProgram = options.toProgram ?? ((c: Buffer) => c);
    const toLine = options.toLine ?? ((c: Buffer) => c);
    const early = Buffer.from(this.text.slice(options.from), 'latin1');
    this.text = this.text.slice(0, options.from);
    this.sink = (bytes) => {
      if (!child.stdin.destroyed) child.stdin.write(toProgram(Buffer.from(bytes)));
    };
    child.stdin.on('error', () => undefined);
    if (early.length > 0) child.stdin.write(toProgram(early));
    child.stdout.on('data', (chunk: Buffer) => this.write(toLine(chunk)));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    this.sink = undefined;
    return { code, stderr };
  }
}

const IAC = 255;
const DONT = 254;
const DO = 253;
const WONT = 252;
const WILL = 251;
const SB = 250;
const SE = 240;
const BINARY = 0;
const ECHO = 1;
const SGA = 3;

export class TelnetCaller extends TerminalCaller {
  private state: 'data' | 'iac' | 'option' | 'sb' | 'sb-iac' = 'data';
  private verb = 0;

  private constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.parse(chunk));
    socket.on('error', () => undefined);
    socket.write(Buffer.from([IAC, WILL, BINARY, IAC, DO, BINARY]));
  }

  static async connect(port: number): Promise<TelnetCaller> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TelnetCaller(socket);
  }

  write(bytes: Uint8Array): void {
    const out: number[] = [];
    for (const b of bytes) {
      out.push(b);
      if (b === IAC) out.push(IAC);
    }
    this.socket.write(Buffer.from(out));
  }

  async close(): Promise<void> {
    this.socket.destroy();
  }

  private parse(chunk: Buffer): void {
    const data: number[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'data':
          if (b === IAC) this.state = 'iac';
          else data.push(b);
          break;
        case 'iac':
          if (b === IAC) data.push(IAC), (this.state = 'data');
          else if (b === DO || b === DONT || b === WILL || b === WONT) (this.verb = b), (this.state = 'option');
          else if (b === SB) this.state = 'sb';
          else this.state = 'data';
          break;
        case 'option':
          this.answer(this.verb, b);
          this.state = 'data';
          break;
        case 'sb':
          if (b === IAC) this.state = 'sb-iac';
          break;
        case 'sb-iac':
          this.state = b === SE ? 'data' : 'sb';
          break;
      }
    }
    if (data.length > 0) this.received(Uint8Array.from(data));
  }

  /** Agrees to BINARY and SGA here, lets the server ECHO, SGA and go BINARY; refuses the rest. */
  private answer(verb: number, option: number): void {
    if (verb === DO) this.socket.write(Buffer.from([IAC, option === BINARY || option === SGA ? WILL : WONT, option]));
    else if (verb === WILL) this.socket.write(Buffer.from([IAC, option === BINARY || option === SGA || option === ECHO ? DO : DONT, option]));
  }
}

export class SerialCaller extends TerminalCaller {
  private constructor(private readonly port: SerialPort) {
    super();
    port.on('data', (chunk: Buffer) => this.received(chunk));
  }

  static async open(path: string): Promise<SerialCaller> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return new SerialCaller(port);
  }

  write(bytes: Uint8Array): void {
    this.port.write(Buffer.from(bytes));
  }

  async close(): Promise<void> {
    if (this.port.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
