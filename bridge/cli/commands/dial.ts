import { connectWebSocketLine } from '../../lines/WebSocketLine.js';
import type { CliIo } from '../CliIo.js';
import { endOfInput } from '../endOfInput.js';
import { parseArgs, stringOption, UsageError } from '../parseArgs.js';

const OPTIONS = { to: { type: 'string' } } as const;
/** Ctrl-] leaves the session, as in telnet. */
const QUIT_BYTE = 0x1d;

/**
 * `konomi dial [NUMBER]`: this terminal becomes the DTE of a modem in the bridge (/modem).
 * With a NUMBER it dials at once (ATDT NUMBER); otherwise type AT commands yourself. Ctrl-], or
 * the end of piped input once the far side has gone quiet, hangs up.
 */
export async function dialCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positional.length > 1) throw new UsageError('dial takes at most one NUMBER');
  const number = args.positional[0];
  const stdin = io.stdin;
  if (!stdin) throw new Error('dial needs a terminal');
  const line = await connectWebSocketLine(stringOption(args, 'to') ?? 'ws://127.0.0.1:3000/modem');
  io.err('Connected to the bridge modem. Ctrl-] quits.\r\n');
  line.onData((chunk) => io.outBytes(chunk));
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  const onKey = (chunk: Buffer): void => {
    if (chunk.includes(QUIT_BYTE)) {
      line.close();
      return;
    }
    line.write(chunk);
  };
  stdin.on('data', onKey);
  stdin.resume();
  if (number) line.write(new TextEncoder().encode(`ATDT${number}\r`));
  await Promise.race([new Promise((resolve) => line.onClose(resolve)), endOfInput(stdin, line), io.interrupted]);
  stdin.off('data', onKey);
  if (raw) stdin.setRawMode(false);
  stdin.pause();
  line.close();
  io.err('\r\nDisconnected.\r\n');
  return 0;
}
