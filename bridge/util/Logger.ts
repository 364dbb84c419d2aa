/** One line per event: connections, errors, lifecycle. Injected so tests stay quiet. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes timestamped lines to stderr, keeping stdout free for command output. */
export function createConsoleLogger(prefix = 'konomi'): Logger {
  const line = (level: string, message: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${prefix} ${level} ${message}\n`);
  };
  return {
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
  };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Keeps the lines in memory: for tests that assert what was logged. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}
