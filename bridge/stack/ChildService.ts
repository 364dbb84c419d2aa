import { spawn, type ChildProcess } from 'node:child_process';
import { StackError } from './StackError.js';

const LOG_TAIL = 4000;

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Run as this account (PostgreSQL refuses root). */
  user?: { uid: number; gid: number };
  ownGroup?: boolean;
}

/**
 * A long-running child process whose stdout+stderr tail is kept for error messages. `stop()`
 * sends `signal` and waits for the exit; after `killAfterMs` it sends SIGKILL.
 */
export class ChildService {
  private log = '';
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString()).slice(-LOG_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      });
      child.once('error', (err) => {
        this.log += `\n${err.message}`;
        this.exitCode = null;
        resolve(null);
      });
    });
  }

  /**
   * `ownGroup`: a process group of its own, so a Ctrl-C meant for the parent does not reach it
   * and the parent can stop its services in order.
   */
  static spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildService {
    const { env, user, ownGroup } = options;
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: ownGroup ?? false,
      cwd: user ? '/' : process.cwd(),
      ...(env ? { env } : {}),
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    return new ChildService(name, child);
  }

  /** Passes the child's output on as it arrives (the tail is kept either way). */
  onOutput(listener: (text: string) => void): void {
    this.child.stdout?.on('data', (chunk: Buffer) => listener(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString()));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  get output(): string {
    return this.log;
  }

  /** Polls `ready` until it resolves true; START_FAILED if the process exits or time runs out. */
  async waitUntil(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new StackError('START_FAILED', `${this.name} exited with ${String(this.exitCode)}:\n${this.log}`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) {
        await this.stop('SIGKILL');
        throw new StackError('START_FAILED', `${this.name} not ready after ${timeoutMs} ms:\n${this.log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves with the exit code when the process ends on its own. */
  wait(): Promise<number | null> {
    return this.exited;
  }
}
