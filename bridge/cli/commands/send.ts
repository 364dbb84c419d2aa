import { Opcode, opcodeName } from '../../../protocol/constants.js';
import { ProtocolError } from '../../../protocol/ProtocolError.js';
import { Session } from '../../../protocol/Session.js';
import { openLine } from '../../lines/openLine.js';
import { SerialPortLine } from '../../lines/SerialPortLine.js';
import type { CliIo } from '../CliIo.js';
import { flagOption, intOption, parseArgs, stringOption, UsageError } from '../parseArgs.js';
import { localBridge } from '../localBridge.js';
import { buildRequest, describeReply, toHex } from '../requests.js';

const OPTIONS = {
  to: { type: 'string' },
  hex: { type: 'flag' },
  json: { type: 'flag' },
  timeout: { type: 'int', min: 1, max: 600_000 },
  token: { type: 'string' },
  channel: { type: 'int', min: 0, max: 255 },
  params: { type: 'string' },
} as const;

/** `konomi send OPCODE ARGS`: one request, the decoded reply, exit 1 on ERROR or timeout. */
export async function sendCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const [op, ...rest] = args.positional;
  if (!op) throw new UsageError('send needs an OPCODE');
  const bridge = localBridge(process.env);
  const token = stringOption(args, 'token') ?? bridge.token;
  const params = stringOption(args, 'params');
  const request = buildRequest(op, rest, { ...(token ? { token } : {}), ...(params ? { params } : {}) });
  const json = flagOption(args, 'json');
  const hex = flagOption(args, 'hex');
  const timeoutMs = intOption(args, 'timeout') ?? 10_000;
  const line = await openLine(stringOption(args, 'to') ?? bridge.packetTarget, { timeoutMs });
  if (hex) {
    line.onData((chunk) => io.err(`<< ${toHex(chunk)}\n`));
    const write = line.write.bind(line);
    line.write = (data: Uint8Array) => {
      io.err(`>> ${toHex(data)}\n`);
      write(data);
    };
  }
  const session = new Session(line, { name: 'konomi-send' });
  const name = opcodeName(request.opcode) ?? `0x${request.opcode.toString(16)}`;
  try {
    // A token means the bridge is remote: present it before the request itself.
    if (token && request.opcode !== Opcode.HELLO) await session.hello({ name: 'konomi-send', token: new TextEncoder().encode(token) });
    const reply = await session.request(request.opcode, request.payload, { channel: intOption(args, 'channel') ?? 0, timeoutMs });
    const described = safeDescribe(request.opcode, reply.payload);
    if (json) io.out(`${JSON.stringify({ ok: true, opcode: name, ...described })}\n`);
    else io.out(`${name} reply: ${Object.entries(described).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}\n`);
    return 0;
  } catch (err) {
    const code = err instanceof ProtocolError ? err.code : 'ERROR';
    const message = err instanceof Error ? err.message : String(err);
    if (json) io.out(`${JSON.stringify({ ok: false, opcode: name, code, message })}\n`);
    else io.err(`${name} failed: ${code}: ${message}\n`);
    return 1;
  } finally {
    session.close();
    line.close();
    // The device stays locked until it is really closed; the next command may want it.
    if (line instanceof SerialPortLine) await line.released;
  }
}

function safeDescribe(opcode: number, payload: Uint8Array): Record<string, unknown> {
  try {
    return describeReply(opcode, payload);
  } catch {
    return { payload: toHex(payload) };
  }
}
