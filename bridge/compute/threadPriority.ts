import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Nice value of the compute pool's threads unless told otherwise. Heavy work (a 1 MB conv2d, a
 * large matmul) then takes the CPU only when the event loop, which serves every line, does not
 * want it: on a 2-core machine a busy worker held PINGs on other lines for 33 ms at p99 at equal
 * priority (issue 16). The work itself is not slowed on an otherwise idle core.
 */
export const DEFAULT_WORKER_NICE = 10;

/**
 * Lowers the priority of the calling thread only (Linux: a thread is a task with its own id,
 * found through /proc/thread-self, and setpriority on that id moves it alone). Returns whether it
 * could: elsewhere, or without /proc, the thread keeps its priority.
 */
export function niceThisThread(nice: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
