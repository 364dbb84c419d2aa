/**
 * The stack's safety net: a small process the runner starts with a pipe on its stdin. The
 * runner writes the pid of every service it starts (each leads its own process group), one per
 * line, and `bye` once it has stopped them itself. If the pipe closes without `bye` (the runner
 * was killed, even with SIGKILL), the reaper sends SIGTERM to each group, then SIGKILL to those
 * still there after GRACE_MS, so no PostgreSQL, Redis or bridge outlives its runner.
 */
const GRACE_MS = 5000;

const groups = new Set<number>();
let released = false;
let pending = '';

function signalAll(signal: NodeJS.Signals): number {
  let alive = 0;
  for (const pid of groups) {
    try {
      process.kill(-pid, signal);
      alive++;
    } catch {
      groups.delete(pid);
    }
  }
  return alive;
}

function reap(): void {
  if (released || signalAll('SIGTERM') === 0) process.exit(0);
  setTimeout(() => {
    signalAll('SIGKILL');
    process.exit(0);
  }, GRACE_MS);
}

// A Ctrl-C or hang-up meant for the runner must not take its safety net with it.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    if (line === 'bye') released = true;
    else if (/^\d{1,10}$/.test(line) && Number(line) > 1) groups.add(Number(line));
  }
});
process.stdin.on('close', reap);
process.stdin.on('end', reap);
