import { createWriteStream } from 'node:fs';
import WebSocket from 'ws';
import type { CliIo } from '../CliIo.js';
import { localBridge } from '../localBridge.js';
import { intOption, parseArgs, stringOption, UsageError } from '../parseArgs.js';

const OPTIONS = { from: { type: 'string' }, count: { type: 'int', min: 1, max: 100_000_000 } } as const;
const EPB = 6;

/** `konomi capture FILE.pcapng`: records every frame of every bridge line until Ctrl-C (or --count frames). */
export async function captureCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const [file, ...extra] = args.positional;
  if (!file || extra.length > 0) throw new UsageError('capture needs exactly one FILE');
  const limit = intOption(args, 'count');
  const url = stringOption(args, 'from') ?? localBridge(process.env).wsUrl('/capture');
  const out = createWriteStream(file);
  const ws = new WebSocket(url);
  let frames = 0;
  // Listen before 'open': the section header can arrive in the same packet as the handshake.
  const done = new Promise<void>((resolve) => {
    ws.on('message', (data: Buffer) => {
      out.write(data);
      if (data.length >= 4 && data.readUInt32LE(0) === EPB) frames++;
      if (limit !== undefined && frames >= limit) resolve();
    });
    ws.on('close', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (err) => reject(new Error(`${url}: ${err.message}`)));
  });
  io.err(`capturing to ${file} (Ctrl-C stops)\n`);
  await Promise.race([done, io.interrupted]);
  ws.close();
  await new Promise<void>((resolve) => out.end(() => resolve()));
  io.err(`${frames} frames written to ${file}\n`);
  return 0;
}
