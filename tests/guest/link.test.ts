import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  Flag,
  Opcode,
  decodeBlockSetRequest,
  decodeCubeMsgReply,
  decodeErrorPayload,
  decodeHello,
  decodeLlmQueryRequest,
  decodeTensorOpRequest,
  encodeCubeMsgRequest,
  encodeFrame,
  encodeHello,
  encodeLlmQueryReply,
  makeHello,
} from '../../protocol/index.js';
import { helloBootId, withHelloBootId } from '../../protocol/payloads/hello.js';
import { Xp10Machine } from '../../bridge/emulator/index.js';
import { CoreResponder } from './support/CoreResponder.js';

async function run(machine: Xp10Machine, command: string, timeoutMs = 8000): Promise<string> {
  const from = machine.outputOffset();
  machine.typeText(`${command}\r`);
  await machine.waitForOutput(/\n[^]*XP10> $/, { from, timeoutMs });
  return machine.outputSince(from);
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be replayed. */
function randomBytes(count: number, seed: number): Uint8Array {
  const out = new Uint8Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

describe('XP10 on the COM1 packet link (real v86, real image, in-memory core)', () => {
  let machine: Xp10Machine;
  let core: CoreResponder;

  beforeAll(async () => {
    machine = new Xp10Machine();
    core = new CoreResponder(machine.serial0);
    await machine.waitForOutput(/XP10> $/, { from: 0, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await machine?.destroy();
  });

  beforeEach(() => {
    core.override = undefined;
  });

  it('announces itself with HELLO at boot, hosting cube 1 vertex NEU on channel 1', async () => {
    await expect.poll(() => core.framesWith(Opcode.HELLO).length, { timeout: 5000 }).toBeGreaterThan(0);
    const hello = decodeHello(core.framesWith(Opcode.HELLO)[0]!.payload);
    expect(hello).toMatchObject({ version: 1, maxContent: 266, window: 8, name: 'XP10' });
    expect(hello.vertices).toEqual([{ cube: 1, vertex: 0, channel: 1 }]);
  });

  it('answers PING itself, echoing the payload byte for byte', async () => {
    const payload = Uint8Array.from([0x7e, 0x7d, 0x00, 0xff, 1, 2, 3]);
    const reply = await core.request(Opcode.PING, payload, { channel: 3 });
    expect(reply.flags).toBe(Flag.REPLY);
    expect(reply.channel).toBe(3);
    expect([...reply.payload]).toEqual([...payload]);
  });

  it('answers HELLO with its own HELLO, carrying the same boot id as its announcement', async () => {
    const reply = await core.request(Opcode.HELLO, encodeHello(makeHello({ name: 'bridge' })));
    expect(reply.flags).toBe(Flag.REPLY);
    expect(decodeHello(reply.payload).vertices).toEqual([{ cube: 1, vertex: 0, channel: 1 }]);
    const announced = helloBootId(core.framesWith(Opcode.HELLO)[0]!.payload);
    expect(announced).not.toBe(0);
    expect(helloBootId(reply.payload)).toBe(announced);
  });

  it('refuses a HELLO of another version (UNSUPPORTED) or with max content below 11 (BAD_PAYLOAD)', async () => {
    const v2 = await core.request(Opcode.HELLO, encodeHello(makeHello({ version: 2 })));
    expect(v2.flags).toBe(Flag.REPLY | Flag.ERROR);
    expect(decodeErrorPayload(v2.payload).code).toBe(ErrorCode.UNSUPPORTED);
    const small = encodeHello(makeHello());
    small.set([0, 10], 1); // max content 10
    const tiny = await core.request(Opcode.HELLO, small);
    expect(decodeErrorPayload(tiny.payload).code).toBe(ErrorCode.BAD_PAYLOAD);
  });

  it('keeps its duplicate cache across a HELLO with the same boot id and resets it for a new one', async () => {
    const cubeFrame = (seq: number) => encodeFrame({ flags: 0, opcode: Opcode.CUBE_MSG, seq, channel: 1, fragment: 0,
      payload: encodeCubeMsgRequest({ cube: 1, vertex: 0, text: 'exactly once' }) });
    const repliesTo = (seq: number) => core.framesWith(Opcode.CUBE_MSG).filter((f) => f.seq === seq && (f.flags & Flag.REPLY) !== 0);
    const hello = (bootId: number) => core.request(Opcode.HELLO, withHelloBootId(encodeHello(makeHello({ name: 'core' })), bootId));
    await hello(0x1111);
    core.writeRaw(cubeFrame(5000));
    await expect.poll(() => repliesTo(5000).length).toBe(1);
    await hello(0x1111); // mid-conversation: same start of the core
    core.writeRaw(cubeFrame(5000)); // a retransmission
    await expect.poll(() => repliesTo(5000).length).toBe(2);
    expect([...repliesTo(5000)[1]!.payload]).toEqual([...repliesTo(5000)[0]!.payload]); // same message number
    await hello(0x2222); // the core restarted: seq 5000 may now be a new request
    core.writeRaw(cubeFrame(5000));
    await expect.poll(() => repliesTo(5000).length).toBe(3);
    const text = (i: number) => decodeCubeMsgReply(repliesTo(5000)[i]!.payload).text;
    expect(text(2)).not.toBe(text(0)); // run again: a later message number
  });

  it('hands CUBE_MSG for its vertex to the resident agent, which replies over COM1', async () => {
    const reply = await core.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 1, vertex: 0, text: 'hello NEU' }), {
      channel: 1,
    });
    expect(reply.flags).toBe(Flag.REPLY);
    const answer = decodeCubeMsgReply(reply.payload);
    expect(answer.vertex).toBe(0);
    expect(answer.kappa).toBe(0.5);
    expect(answer.text).toMatch(/^NEU of cube 1 in XP10 \(message \d+, 9 bytes\) heard: hello NEU$/);
    expect(await run(machine, 'ps')).toMatch(/resident NEU cube 1 ch 1, [1-9]\d* answered/);
  });

  it('replies NOT_FOUND for a vertex it does not host and UNSUPPORTED for other opcodes', async () => {
    const notHosted = await core.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 2, vertex: 3, text: 'x' }));
    expect(notHosted.flags).toBe(Flag.REPLY | Flag.ERROR);
    expect(decodeErrorPayload(notHosted.payload).code).toBe(ErrorCode.NOT_FOUND);
    const unsupported = await core.request(Opcode.BLOCK_GET, Uint8Array.of(0, 1, 0, 2, 0, 3));
    expect(unsupported.flags).toBe(Flag.REPLY | Flag.ERROR);
    expect(decodeErrorPayload(unsupported.payload)).toMatchObject({ code: ErrorCode.UNSUPPORTED });
    const malformed = await core.request(Opcode.HELLO, Uint8Array.of(1));
    expect(decodeErrorPayload(malformed.payload).code).toBe(ErrorCode.BAD_PAYLOAD);
  });

  it('answers a retransmitted request from its duplicate cache without running it twice', async () => {
    const frame = { flags: 0, opcode: Opcode.CUBE_MSG, seq: 4242, channel: 1, fragment: 0,
      payload: encodeCubeMsgRequest({ cube: 1, vertex: 0, text: 'once' }) };
    const before = core.framesWith(Opcode.CUBE_MSG).filter((f) => f.seq === 4242).length;
    core.writeRaw(encodeFrame(frame));
    await expect.poll(() => core.framesWith(Opcode.CUBE_MSG).filter((f) => f.seq === 4242).length).toBe(before + 1);
    core.writeRaw(encodeFrame(frame));
    await expect.poll(() => core.framesWith(Opcode.CUBE_MSG).filter((f) => f.seq === 4242).length).toBe(before + 2);
    const [first, second] = core.framesWith(Opcode.CUBE_MSG).filter((f) => f.seq === 4242);
    expect([...second!.payload]).toEqual([...first!.payload]); // same message number: not re-run
  });

  it('NAKs a frame with a bad CRC', async () => {
    const frame = encodeFrame({ flags: 0, opcode: Opcode.PING, seq: 77, channel: 0, fragment: 0, payload: Uint8Array.of(9, 9, 9) });
    frame.set([8], 9); // first payload byte 9 -> 8 (flag + 8 header bytes, none of them escaped)
    const naks = core.framesWith(Opcode.NAK).length;
    core.writeRaw(frame);
    await expect.poll(() => core.framesWith(Opcode.NAK).length, { timeout: 3000 }).toBe(naks + 1);
    const nak = core.framesWith(Opcode.NAK).at(-1)!;
    expect(nak).toMatchObject({ flags: Flag.NOREPLY, seq: 0, channel: 0 });
    expect(nak.payload.length).toBe(0);
    expect(await run(machine, 'stats')).toMatch(/CRC errors\s+[1-9]/);
  });

  it('survives 10,000 random bytes on COM1 and still answers the next PING', async () => {
    core.writeRaw(randomBytes(10_000, 0x5eed));
    const reply = await core.request(Opcode.PING, Uint8Array.of(0x7e, 1, 2), { timeoutMs: 8000 });
    expect([...reply.payload]).toEqual([0x7e, 1, 2]);
    expect(await run(machine, 'ver')).toContain('XP10 [Version 1.0]');
  });

  it('preempts a task that computes without yielding: PING is answered while the shell is busy', async () => {
    const from = machine.outputOffset();
    // A minute of guest time: it only ends when the test says so (Ctrl-C), never by a race.
    machine.typeText('busy 60000\r');
    await machine.waitForOutput('busy 60000\r\n', { from }); // Enter echoed: the command runs
    const reply = await core.request(Opcode.PING, Uint8Array.of(42), { timeoutMs: 8000 });
    expect([...reply.payload]).toEqual([42]);
    expect(machine.outputSince(from)).not.toMatch(/Busy for|Stopped after/);
    machine.typeText('\x03');
    await machine.waitForOutput(/Stopped after \d+ ms without yielding; preempted [1-9]\d* times\.\r\nXP10> $/, { from });
  });

  it('runs busy on both consoles at once and still answers every PING', async () => {
    const from = machine.outputOffset();
    const screen = (): string => machine.screenText().join('\n');
    machine.typeText('busy 60000\r');
    await machine.waitForOutput('busy 60000\r\n', { from });
    machine.typeOnKeyboard('busy 60000\n');
    await expect.poll(screen, { timeout: 5000 }).toMatch(/XP10> busy 60000\n/);
    const payloads = Array.from({ length: 6 }, (_, i) => Uint8Array.of(0x7e, i, 0x7d));
    const replies = await Promise.all(payloads.map((p, i) => core.request(Opcode.PING, p, { channel: i, timeoutMs: 8000 })));
    expect(replies.map((r) => [...r.payload])).toEqual(payloads.map((p) => [...p]));
    expect(machine.outputSince(from)).not.toMatch(/Busy for|Stopped after/);
    expect(screen()).not.toMatch(/Busy for|Stopped after/);
    machine.typeText('\x03');
    machine.typeOnKeyboard('\x03');
    await machine.waitForOutput(/Stopped after \d+ ms without yielding; preempted [1-9]\d* times\.\r\nXP10> $/, { from });
    await expect.poll(screen, { timeout: 5000 }).toMatch(/Stopped after \d+ ms without yielding; preempted [1-9]\d* times\.\nXP10>/);
  });

  it('an agent blocked on a slow reply does not stop the other shell', async () => {
    let held: { seq: number; channel: number } | undefined;
    core.override = (frame) => {
      if (frame.opcode !== Opcode.LLM_QUERY) return undefined;
      held ??= { seq: frame.seq, channel: frame.channel };
      return 'silent'; // hold the answer (retransmissions included) until the test releases it
    };
    const from = machine.outputOffset();
    machine.typeText('llm 1 1 1 take your time\r');
    await expect.poll(() => held, { timeout: 5000 }).toBeDefined();
    const screen = (): string => machine.screenText().join('\n');
    machine.typeOnKeyboard('ps\n');
    await expect.poll(screen, { timeout: 5000 }).toMatch(/ps\n  ID NAME/);
    await expect.poll(screen, { timeout: 5000 }).toMatch(/agent-\d .* shell agent, waiting for LLM_QUERY/);
    expect(machine.outputSince(from)).not.toContain('tokens');
    core.override = undefined;
    core.writeRaw(
      encodeFrame({ flags: Flag.REPLY, opcode: Opcode.LLM_QUERY, seq: held!.seq, channel: held!.channel, fragment: 0,
        payload: encodeLlmQueryReply({ kappa: 0.25, tokens: 1, text: 'done' }) }),
    );
    await machine.waitForOutput(/done\r\n\[1 tokens, kappa=0\.2500\]\r\nXP10> $/, { from });
  });

  it('shell ping goes over COM1 and prints the round trip', async () => {
    expect(await run(machine, 'ping hello core')).toMatch(/Reply from Konomi core: bytes=10 time=\d+ms\r\n/);
    expect(new TextDecoder().decode(core.framesWith(Opcode.PING).at(-1)!.payload)).toBe('hello core');
  });

  it('block get and block set go to the core and print the decoded replies', async () => {
    expect(await run(machine, 'block get 1 2 3')).toMatch(
      /Block \(1,2,3\): active value=6\.500000\r\n  leaf 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f/,
    );
    expect(await run(machine, 'block set 7 8 9 -2.25')).toMatch(/Block \(7,8,9\) set to -2\.250000: ledger entry #41/);
    expect(decodeBlockSetRequest(core.framesWith(Opcode.BLOCK_SET).at(-1)!.payload)).toEqual({ x: 7, y: 8, z: 9, value: -2.25 });
    expect(await run(machine, 'block get 1 2')).toContain('Usage: block get X Y Z');
    expect(await run(machine, 'block get 1 2 70000')).toContain('Coordinates must be whole numbers 0..65535');
  });

  it('llm sends the prompt and prints text and kappa', async () => {
    expect(await run(machine, 'llm 4 5 6 what is kappa?')).toMatch(/echo\(what is kappa\?\) at 4,5,6\r\n\[3 tokens, kappa=0\.7500\]/);
    expect(decodeLlmQueryRequest(core.framesWith(Opcode.LLM_QUERY).at(-1)!.payload)).toMatchObject({ maxTokens: 32 });
  });

  it('llm teach sends LLM_TEACH with the text and default steps and prints the bits before and after', async () => {
    const out = await run(machine, 'llm teach 4 5 7 ls -l notes.txt');
    // 15 characters of text reached the core intact; z = 7 came back as 3.5.
    expect(out).toMatch(/Teaching the FemtoLLM at \(4,5,7\)\.\.\.\r\nTaught in 100 steps: 15\.000 -> 3\.500 bits\/char/);
    expect(await run(machine, 'llm teach 4 5 7')).toMatch(/Usage: llm teach X Y Z TEXT/);
    expect(await run(machine, 'llm teach 4 5 x hello')).toMatch(/Coordinates must be whole numbers/);
  });

  it('tensor sends inline tensors and prints the result', async () => {
    expect(await run(machine, 'tensor relu [-1,2.5,-3,4]')).toMatch(/Result shape \[4\]:\r\n  0\.0000 2\.5000 0\.0000 4\.0000/);
    expect(await run(machine, 'tensor matmul [1,2;3,4] [5;6]')).toMatch(/Result shape \[2x1\]:\r\n  17\.0000\r\n  39\.0000/);
    const request = decodeTensorOpRequest(core.framesWith(Opcode.TENSOR_OP).at(-1)!.payload);
    expect(request.inputs.map((t) => t.shape)).toEqual([[2, 2], [2, 1]]);
    expect(await run(machine, 'tensor relu [1,2')).toContain('Usage: tensor OP A [B]');
  });

  it('cube sends CUBE_MSG to the core and prints the answering vertex', async () => {
    expect(await run(machine, 'cube 3 central think hard')).toMatch(/\[vertex 8, kappa=1\.2500\] cube 3 says think hard/);
    expect(await run(machine, 'cube 3 SWD hi')).toMatch(/\[vertex 7, kappa=1\.2500\] cube 3 says hi/);
  });

  it('prints the protocol error when the core answers with an error reply', async () => {
    core.override = (frame) => (frame.opcode === Opcode.BLOCK_GET ? { error: ErrorCode.OUT_OF_RANGE, message: 'x beyond the grid' } : undefined);
    expect(await run(machine, 'block get 9999 0 0')).toContain('Error OUT_OF_RANGE: x beyond the grid');
  });

  it('retransmits a request the core did not answer, and the shell still gets the reply', async () => {
    let dropped = 0;
    core.override = (frame) => (frame.opcode === Opcode.PING && dropped++ === 0 ? 'silent' : undefined);
    const before = core.framesWith(Opcode.PING).length;
    expect(await run(machine, 'ping lost once', 10_000)).toContain('Reply from Konomi core');
    expect(core.framesWith(Opcode.PING).length - before).toBeGreaterThanOrEqual(2);
    expect(await run(machine, 'stats')).toMatch(/retransmits\s+[1-9]/);
  });

  it('a NAK from the core makes XP10 retransmit its oldest request at once', async () => {
    let naked = false;
    core.override = (frame) => {
      if (frame.opcode !== Opcode.CUBE_MSG || naked) return undefined;
      naked = true;
      core.writeRaw(encodeFrame({ flags: Flag.NOREPLY, opcode: Opcode.NAK, seq: 0, channel: 0, fragment: 0, payload: new Uint8Array(0) }));
      return 'silent';
    };
    const before = core.framesWith(Opcode.CUBE_MSG).length;
    expect(await run(machine, 'cube 1 ned are you there')).toMatch(/\[vertex 1, kappa=1\.2500\]/);
    const sent = core.framesWith(Opcode.CUBE_MSG).slice(before);
    expect(sent.length).toBe(2);
    expect(sent[1]!.seq).toBe(sent[0]!.seq);
    expect(await run(machine, 'stats')).toMatch(/NAKs received\s+[1-9]/);
  });
});
