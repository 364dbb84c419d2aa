import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** The two device paths; bytes written to one are read from the other. */
  readonly paths: readonly [string, string];
  readonly socat: ChildProcess;
  close(): void;
}

/** A real serial pty pair from `socat -d -d pty,raw,echo=0 pty,raw,echo=0`, ready for data. */
export async function openPtyPair(): Promise<PtyPair> {
  const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const paths: string[] = [];
  let text = '';
  await new Promise<void>((resolve, reject) => {
    socat.once('error', reject);
    socat.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (const m of text.matchAll(/PTY is (\S+)/g)) if (m[1] && !paths.includes(m[1])) paths.push(m[1]);
      if (paths.length === 2 && /starting data transfer loop/.test(text)) resolve();
    });
  });
  return { paths: [paths[0]!, paths[1]!], socat, close: () => void socat.kill('SIGTERM') };
}
