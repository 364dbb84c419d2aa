import type { Line } from '../../protocol/Line.js';

/** How long the far side must stay silent after our input ended before we hang up. */
export const QUIET_AFTER_INPUT_MS = 1_500;

/**
 * Resolves once `stdin` has ended and `line` has then been silent for `quietMs`: a script that
 * pipes commands in (`printf 'help\r' | konomi dial 1`) gets their answers, which arrive at
 * modem pace, and then its exit, instead of a session that waits for keys that never come.
 * Input that ended before this was called counts as ended now.
 */
export function endOfInput(stdin: NodeJS.ReadableStream, line: Line, quietMs = QUIET_AFTER_INPUT_MS): Promise<void> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ended = false;
    const rearm = (): void => {
      if (!ended) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        subscription.dispose();
        resolve();
      }, quietMs);
    };
    const subscription = line.onData(rearm);
    const markEnded = (): void => {
      ended = true;
      rearm();
    };
    if ((stdin as { readableEnded?: boolean }).readableEnded === true) markEnded();
    else stdin.once('end', markEnded);
  });
}
