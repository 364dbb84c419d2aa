import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../bridge/stack/freePort.js';

const ENTRY = fileURLToPath(new URL('../bridge/konomiEntry.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface KonomiProcessOptions {
  /** Extra `konomi start` arguments (--guest, --id …). */
  args?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** `konomi start` from the sources as a child process on free loopback ports; ready once /healthz answers. */
export class KonomiProcess {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly packetPort: number,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-30_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(options: KonomiProcessOptions = {}): Promise<KonomiProcess> {
    const [port, packetPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', ENTRY, 'start', '--port', String(port), '--packet-port', String(packetPort), ...(options.args ?? [])],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
    );
    const bridge = new KonomiProcess(child, port, packetPort);
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      if (!bridge.running) throw new Error(`konomi start exited (${String(child.exitCode)}):\n${bridge.log}`);
      try {
        if ((await fetch(`${bridge.url}/healthz`)).ok) return bridge;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await bridge.kill();
        throw new Error(`konomi start not ready:\n${bridge.log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** SIGTERM: a clean stop; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    return this.child.exitCode;
  }

  /** SIGKILL: the process dies mid-whatever. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}
