import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  Opcode,
  ProtocolError,
  Session,
  decodeBlockGetRequest,
  decodeBlockSetRequest,
  decodeCubeMsgReply,
  decodeCubeMsgRequest,
  decodeLlmQueryRequest,
  decodeTensorOpRequest,
  encodeBlockGetReply,
  encodeBlockSetReply,
  encodeCubeMsgReply,
  encodeCubeMsgRequest,
  encodeLlmQueryReply,
  encodeTensorOpReply,
  type IncomingRequest,
} from '../../protocol/index.js';
import { Xp10Machine } from '../../bridge/emulator/index.js';

async function run(machine: Xp10Machine, command: string): Promise<string> {
  const from = machine.outputOffset();
  machine.typeText(`${command}\r`);
  await machine.waitForOutput(/\n[^]*XP10> $/, { from, timeoutMs: 10_000 });
  return machine.outputSince(from);
}

/** What the bridge would do with XP10's requests, answered through the real TypeScript Session. */
function bridgeHandler(seen: IncomingRequest[]) {
  return (request: IncomingRequest): Uint8Array => {
    seen.push(request);
    switch (request.opcode) {
      case Opcode.BLOCK_GET: {
        const at = decodeBlockGetRequest(request.payload);
        if (at.x > 1000) throw new ProtocolError('OUT_OF_RANGE', `x=${at.x} is outside the grid`);
        return encodeBlockGetReply({ active: false, value: 0, hash: new Uint8Array(32) });
      }
      case Opcode.BLOCK_SET:
        return encodeBlockSetReply({ index: 7n, hash: new Uint8Array(32).fill(0xab) });
      case Opcode.LLM_QUERY:
        return encodeLlmQueryReply({ kappa: 0.125, tokens: 2, text: `re: ${decodeLlmQueryRequest(request.payload).prompt}` });
      case Opcode.CUBE_MSG: {
        const m = decodeCubeMsgRequest(request.payload);
        return encodeCubeMsgReply({ vertex: 4, kappa: 2, text: `SEU got "${m.text}"` });
      }
      case Opcode.TENSOR_OP: {
        const t = decodeTensorOpRequest(request.payload);
        const input = t.inputs[0]!;
        return encodeTensorOpReply({ dtype: 0, output: { shape: input.shape, data: input.data.map((v) => v * 2) } });
      }
      default:
        throw new ProtocolError('UNSUPPORTED', 'not here');
    }
  };
}

describe('XP10 and the TypeScript Session on the two ends of COM1', () => {
  let machine: Xp10Machine;
  let session: Session;
  const seen: IncomingRequest[] = [];

  beforeAll(async () => {
    machine = new Xp10Machine();
    session = new Session(machine.serial0, { name: 'bridge' });
    session.setHandler(bridgeHandler(seen));
    await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    session?.close();
    await machine?.destroy();
  });

  it('exchanges HELLO: XP10 announces the vertex it hosts', async () => {
    const peer = await session.hello();
    expect(peer.name).toBe('XP10');
    expect(peer.vertices).toEqual([{ cube: 1, vertex: 0, channel: 1 }]);
  });

  it('PING and CUBE_MSG from the bridge are answered by XP10', async () => {
    const ping = await session.request(Opcode.PING, Uint8Array.of(0x7e, 0x7d, 0, 255));
    expect([...ping.payload]).toEqual([0x7e, 0x7d, 0, 255]);
    const cube = await session.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 1, vertex: 0, text: 'via Session' }), { channel: 1 });
    expect(decodeCubeMsgReply(cube.payload).text).toMatch(/NEU of cube 1 in XP10 .* heard: via Session/);
    await expect(session.request(Opcode.BLOCK_SET, new Uint8Array(14))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('a fragmented PING (24 frames of 266 bytes to XP10, 2 back) round-trips', async () => {
    const big = Uint8Array.from({ length: 6000 }, (_, i) => (i * 31) & 0xff);
    const reply = await session.request(Opcode.PING, big);
    expect(reply.payload).toEqual(big);
  });

  it('every remote shell command reaches the Session handler and prints its reply', async () => {
    expect(await run(machine, 'block get 1 2 3')).toMatch(/Block \(1,2,3\): inactive value=0\.000000/);
    expect(await run(machine, 'block set 1 2 3 4.5')).toMatch(/ledger entry #7\r\n  hash (ab){32}/);
    expect(await run(machine, 'llm 0 0 1 hi there')).toMatch(/re: hi there\r\n\[2 tokens, kappa=0\.1250\]/);
    expect(await run(machine, 'cube 1 seu hello')).toMatch(/\[vertex 4, kappa=2\.0000\] SEU got "hello"/);
    expect(await run(machine, 'tensor sigmoid [1,-2]')).toMatch(/Result shape \[2\]:\r\n  2\.0000 -4\.0000/);
    expect(await run(machine, 'ping abc')).toMatch(/Reply from Konomi core: bytes=3/);
    expect(await run(machine, 'block get 5000 0 0')).toContain('Error OUT_OF_RANGE: x=5000 is outside the grid');
    expect(seen.map((r) => r.opcode)).toEqual(
      expect.arrayContaining([Opcode.BLOCK_GET, Opcode.BLOCK_SET, Opcode.LLM_QUERY, Opcode.CUBE_MSG, Opcode.TENSOR_OP]),
    );
    expect(session.stats.timeouts).toBe(0);
    expect(ErrorCode.OUT_OF_RANGE).toBe(2);
  });

  it('a reply larger than one 266-byte frame reaches XP10 in fragments of the size it announced', async () => {
    const values = Array.from({ length: 64 }, (_, i) => i);
    const frames = session.stats.framesOut;
    const out = await run(machine, `tensor relu [${values.join(',')}]`);
    expect(session.stats.framesOut - frames).toBeGreaterThanOrEqual(2); // 64 floats = 256 bytes + header
    expect(out).toContain(values.map((v) => (v * 2).toFixed(4)).join(' '));
  });

  it('block set with -0 sends +0, the one canonical zero that reaches the ledger hash (issue 11)', async () => {
    for (const typed of ['-0', '-0.0', '-0e5', '0']) {
      const before = seen.length;
      const out = await run(machine, `block set 1 1 1 ${typed}`);
      expect(out).toMatch(/Block \(1,1,1\) set to 0\.000000: ledger entry #7/);
      const sets = seen.slice(before).filter((r) => r.opcode === Opcode.BLOCK_SET);
      expect(sets).toHaveLength(1);
      const value = decodeBlockSetRequest(sets[0]!.payload).value;
      expect(Object.is(value, 0), `${typed} sent as ${Object.is(value, -0) ? '-0' : value}`).toBe(true);
      expect([...sets[0]!.payload.subarray(6)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]); // the f64 after x, y, z
    }
    const before = seen.length;
    await run(machine, 'block set 1 1 1 -2.5');
    expect(decodeBlockSetRequest(seen[before]!.payload).value).toBe(-2.5); // other negatives keep their sign
  });
});
