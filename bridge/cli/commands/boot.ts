import { bootHeadless } from '../../server/attachGuest.js';
import type { CliIo } from '../CliIo.js';
import { endOfInput } from '../endOfInput.js';
import { intOption, parseArgs, UsageError } from '../parseArgs.js';

const OPTIONS = { memory: { type: 'int', min: 16, max: 4096 } } as const;
const QUIT_BYTE = 0x1d;

/**
 * `konomi boot`: XP10 headless, COM2 console on this terminal; Ctrl-], Ctrl-C, or the end of
 * piped input once the console has gone quiet, powers off. Nothing answers COM1 here, so the
 * shell's remote commands (ping, block, llm, tensor, cube) time out: `konomi start --guest` has the bridge.
 */
export async function bootCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positional.length > 0) throw new UsageError('boot takes no arguments');
  const stdin = io.stdin;
  if (!stdin) throw new Error('boot needs a terminal');
  const machine = await bootHeadless({ memoryMb: intOption(args, 'memory') ?? 64 });
  const console = machine.console;
  io.err('XP10 booting; console on COM2. Ctrl-] powers off.\r\n');
  console.onData((chunk) => io.outBytes(chunk));
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  let quit: () => void = () => undefined;
  const quitRequested = new Promise<void>((resolve) => {
    quit = resolve;
  });
  const onKey = (chunk: Buffer): void => {
    if (chunk.includes(QUIT_BYTE)) quit();
    else console.write(chunk);
  };
  stdin.on('data', onKey);
  stdin.resume();
  await Promise.race([quitRequested, endOfInput(stdin, console), io.interrupted]);
  stdin.off('data', onKey);
  if (raw) stdin.setRawMode(false);
  stdin.pause();
  await machine.stop();
  io.err('\r\nXP10 powered off.\r\n');
  return 0;
}
