import { connectWebSocketLine } from '../../lines/WebSocketLine.js';
import { formatResult } from '../../../lines/modem/ResultCode.js';
import { CallProgress, type CallOutcome } from '../CallProgress.js';
import type { CliIo } from '../CliIo.js';
import { endOfInput } from '../endOfInput.js';
import { localBridge } from '../localBridge.js';
import { parseArgs, stringOption, UsageError } from '../parseArgs.js';

const OPTIONS = { to: { type: 'string' } } as const;
/** Ctrl-] leaves the session, as in telnet. */
const QUIT_BYTE = 0x1d;

/**
 * `konomi dial [NUMBER]`: this terminal becomes the DTE of a modem in the bridge (/modem).
 * With a NUMBER it dials at once (ATDT NUMBER). Piped input is held until CONNECT — a byte
 * sent while the modem dials aborts the call, as on a real modem, which is what a key pressed
 * on a terminal still does — and a call that fails (NO CARRIER, BUSY, NO ANSWER, ERROR) exits 1.
 * Without a NUMBER, type AT commands yourself. Ctrl-], or the end of piped input once the far
 * side has gone quiet, hangs up.
 */
export async function dialCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positional.length > 1) throw new UsageError('dial takes at most one NUMBER');
  const number = args.positional[0];
  const stdin = io.stdin;
  if (!stdin) throw new Error('dial needs a terminal');
  const line = await connectWebSocketLine(stringOption(args, 'to') ?? localBridge(process.env).wsUrl('/modem'));
  io.err('Connected to the bridge modem. Ctrl-] quits.\r\n');
  line.onData((chunk) => io.outBytes(chunk));
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);

  // Piped bytes wait for the call's result; a terminal's keys go straight to the modem.
  const progress = number ? new CallProgress() : undefined;
  const held: Buffer[] = [];
  const holding = (): boolean => !raw && progress !== undefined && progress.outcome === undefined;
  let quit: () => void = () => undefined;
  const quitRequested = new Promise<void>((resolve) => {
    quit = resolve;
  });
  const onKey = (chunk: Buffer): void => {
    if (chunk.includes(QUIT_BYTE)) return quit();
    if (holding()) held.push(chunk);
    else line.write(chunk);
  };
  const callResult = new Promise<CallOutcome>((resolve) => {
    if (!progress) return;
    const sub = line.onData((chunk) => {
      const outcome = progress.push(chunk);
      if (!outcome) return;
      sub.dispose();
      if (outcome.connected) for (const chunk of held.splice(0)) line.write(chunk);
      resolve(outcome);
    });
  });
  stdin.on('data', onKey);
  stdin.resume();
  if (number) line.write(new TextEncoder().encode(`ATDT${number}\r`));

  const closed = new Promise<'closed'>((resolve) => line.onClose(() => resolve('closed')));
  const stopped = Promise.race([closed, quitRequested.then(() => 'quit' as const), io.interrupted.then(() => 'interrupted' as const)]);
  let failure: string | undefined;
  if (progress) {
    const first = await Promise.race([callResult, stopped]);
    if (first === 'closed') failure = 'the bridge closed the modem before the call was answered';
    else if (typeof first === 'object' && !first.connected) failure = formatResult(first.result, true, '', '');
  }
  // Piped input ends the session only once connected (or at once without a NUMBER): the quiet
  // period starts counting after CONNECT, so a slow answer is not mistaken for silence.
  if (failure === undefined && (!progress || progress.outcome?.connected)) await Promise.race([stopped, endOfInput(stdin, line)]);
  stdin.off('data', onKey);
  if (raw) stdin.setRawMode(false);
  stdin.pause();
  line.close();
  if (failure !== undefined) {
    io.err(`\r\nCall to ${number} failed: ${failure}\r\n`);
    return 1;
  }
  io.err('\r\nDisconnected.\r\n');
  return 0;
}
