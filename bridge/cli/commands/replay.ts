import { readFileSync } from 'node:fs';
import { Flag, HEADER_SIZE, opcodeName } from '../../../protocol/constants.js';
import { ProtocolError } from '../../../protocol/ProtocolError.js';
import { Session } from '../../../protocol/Session.js';
import { readPcapng } from '../../capture/pcapng.js';
import { openLine } from '../../lines/openLine.js';
import type { CliIo } from '../CliIo.js';
import { flagOption, intOption, parseArgs, stringOption, UsageError } from '../parseArgs.js';
import { localBridge } from '../localBridge.js';
import { describeReply } from '../requests.js';

const OPTIONS = { to: { type: 'string' }, json: { type: 'flag' }, timeout: { type: 'int', min: 1, max: 600_000 } } as const;

interface CapturedRequest {
  opcode: number;
  channel: number;
  payload: Uint8Array;
}

/**
 * `konomi replay FILE.pcapng`: sends every request the capture saw arriving at the bridge
 * (direction in, REPLY flag clear; fragments joined) to a bridge again, in order, and prints
 * each reply.
 */
export async function replayCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const [file, ...extra] = args.positional;
  if (!file || extra.length > 0) throw new UsageError('replay needs exactly one FILE');
  const requests = capturedRequests(readFileSync(file));
  const line = await openLine(stringOption(args, 'to') ?? localBridge(process.env).packetTarget);
  const session = new Session(line, { name: 'konomi-replay' });
  const timeoutMs = intOption(args, 'timeout') ?? 10_000;
  let failures = 0;
  try {
    for (const req of requests) {
      const name = opcodeName(req.opcode) ?? `0x${req.opcode.toString(16)}`;
      try {
        const reply = await session.request(req.opcode, req.payload, { channel: req.channel, timeoutMs });
        const described = safeDescribe(req.opcode, reply.payload);
        io.out(flagOption(args, 'json') ? `${JSON.stringify({ ok: true, opcode: name, ...described })}\n` : `${name}: ${JSON.stringify(described)}\n`);
      } catch (err) {
        failures++;
        const code = err instanceof ProtocolError ? err.code : 'ERROR';
        io.out(flagOption(args, 'json') ? `${JSON.stringify({ ok: false, opcode: name, code })}\n` : `${name}: ERROR ${code}\n`);
      }
    }
  } finally {
    session.close();
    line.close();
  }
  io.err(`${requests.length} requests replayed, ${failures} errors\n`);
  return failures === 0 ? 0 : 1;
}

/** Requests toward the bridge, with fragmented messages joined, in capture order. */
export function capturedRequests(file: Uint8Array): CapturedRequest[] {
  const { packets } = readPcapng(file);
  const partial = new Map<string, Uint8Array[]>();
  const out: CapturedRequest[] = [];
  for (const p of packets) {
    if (p.direction !== 'in' || p.data.length < HEADER_SIZE + 2) continue;
    const flags = p.data[0]! & 0x0f;
    if ((flags & Flag.REPLY) !== 0) continue;
    const opcode = p.data[1]!;
    if (opcode === 0x7f) continue;
    const seq = (p.data[2]! << 8) | p.data[3]!;
    const channel = p.data[4]!;
    const length = (p.data[6]! << 8) | p.data[7]!;
    const payload = p.data.subarray(HEADER_SIZE, HEADER_SIZE + length);
    const key = `${p.interfaceId}/${channel}/${seq}`;
    const parts = partial.get(key) ?? [];
    parts.push(payload);
    if ((flags & Flag.MORE) !== 0) {
      partial.set(key, parts);
      continue;
    }
    partial.delete(key);
    out.push({ opcode, channel, payload: Buffer.concat(parts) });
  }
  return out;
}

function safeDescribe(opcode: number, payload: Uint8Array): Record<string, unknown> {
  try {
    return describeReply(opcode, payload);
  } catch {
    return { bytes: payload.length };
  }
}
