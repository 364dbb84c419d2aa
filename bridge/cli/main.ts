import { describeError } from '../../protocol/errors/CodedError.js';
import { processIo, type CliIo } from './CliIo.js';
import { UsageError } from './parseArgs.js';
import { USAGE } from './usage.js';
import { bootCommand } from './commands/boot.js';
import { captureCommand } from './commands/capture.js';
import { dialCommand } from './commands/dial.js';
import { programCommand } from './commands/program.js';
import { replayCommand } from './commands/replay.js';
import { sendCommand } from './commands/send.js';
import { startCommand } from './commands/start.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  start: startCommand,
  boot: bootCommand,
  send: sendCommand,
  dial: dialCommand,
  capture: captureCommand,
  replay: replayCommand,
  program: programCommand,
};

/** The `konomi` command: returns the exit code (2 for usage errors). */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`konomi: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`konomi ${name}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`konomi ${name}: ${describeError(err)}\n`);
    return 1;
  }
}
