/** Where a command writes; main() passes the process streams, tests pass collectors. */
export interface CliIo {
  out(text: string): void;
  /** Raw bytes to stdout unchanged (a terminal session's 8-bit data, never re-encoded). */
  outBytes(bytes: Uint8Array): void;
  err(text: string): void;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); tests resolve it themselves. */
  interrupted: Promise<string>;
  stdin?: NodeJS.ReadStream;
  stdoutRaw?: NodeJS.WriteStream;
}

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    outBytes: (b) => process.stdout.write(b),
    err: (t) => process.stderr.write(t),
    interrupted: new Promise((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
    stdin: process.stdin,
    stdoutRaw: process.stdout,
  };
}
