import type { CliIo } from '../../bridge/cli/CliIo.js';

/** A CliIo that records what the CLI prints, for tests that call `main` in-process. */
export interface RecordingCliIo extends CliIo {
  stdout: string;
  stderr: string;
  /** Everything written with outBytes, exactly. */
  bytes: number[];
  /** Resolves `interrupted`, as Ctrl-C would. */
  stop(): void;
}

export function recordingCliIo(): RecordingCliIo {
  let stop: (s: string) => void = () => undefined;
  const state: RecordingCliIo = {
    stdout: '',
    stderr: '',
    bytes: [],
    out(t: string) {
      state.stdout += t;
    },
    outBytes(b: Uint8Array) {
      state.bytes.push(...b);
      state.stdout += Buffer.from(b).toString('latin1');
    },
    err(t: string) {
      state.stderr += t;
    },
    interrupted: new Promise<string>((r) => {
      stop = r;
    }),
    stop: () => stop('test'),
  };
  return state;
}
