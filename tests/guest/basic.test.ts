import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ErrorCode,
  Flag,
  Opcode,
  decodeBlockGetRequest,
  decodeBlockSetRequest,
  decodeLlmQueryRequest,
  encodeBlockGetReply,
  encodeBlockSetReply,
  type Frame,
} from '../../protocol/index.js';
import { Xp10Machine } from '../../bridge/emulator/index.js';
import { CoreResponder } from './support/CoreResponder.js';

const SHELL_PROMPT = /XP10> $/;
const OK = /Ok\r?\n$/;

/** Types one line on COM2 and resolves with what XP10 printed until `until` matched. */
async function type(machine: Xp10Machine, line: string, until: RegExp, timeoutMs = 8000): Promise<string> {
  const from = machine.outputOffset();
  machine.typeText(`${line}\r`);
  await machine.waitForOutput(until, { from, timeoutMs });
  return machine.outputSince(from).replace(/\r\n/g, '\n');
}

/** Enters numbered lines one at a time (each echoes and prints nothing else). */
async function enter(machine: Xp10Machine, lines: string[]): Promise<void> {
  for (const line of lines) await type(machine, line, new RegExp(`${escape(line)}\\r?\\n$`));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const HASH = new Uint8Array(32);

describe('XP10 BASIC on COM2 (real v86, real image, in-memory core)', () => {
  let machine: Xp10Machine;
  let core: CoreResponder;

  beforeAll(async () => {
    machine = new Xp10Machine();
    core = new CoreResponder(machine.serial0);
    await machine.waitForOutput(SHELL_PROMPT, { from: 0, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await machine?.destroy();
  });

  beforeEach(() => {
    core.override = undefined;
  });

  it('keeps what is typed while a program runs (a pasted program with RUN and more lines after it), and Ctrl-C discards it', async () => {
    await type(machine, 'basic', OK);
    // Everything at once, as a paste or a piped `konomi dial` sends it: the lines after RUN arrive
    // while the program runs and watches for Ctrl-C, and must not be lost.
    const from = machine.outputOffset();
    machine.typeText('NEW\r10 FOR I = 1 TO 3000 : NEXT\r20 PRINT "ran"\rRUN\rPRINT 6 * 7\rPRINT "after"\r');
    await machine.waitForOutput(/ after \r?\nOk\r?\n$|after\r?\nOk\r?\n$/, { from, timeoutMs: 15_000 });
    const out = machine.outputSince(from).replace(/\r\n/g, '\n');
    expect(out).toContain('ran\nOk\n');
    expect(out).toMatch(/PRINT 6 \* 7\n 42 \nOk\nPRINT "after"\nafter\nOk\n$/);
    // Ctrl-C stops the program and drops what was typed ahead of it.
    await enter(machine, ['10 GOTO 10']);
    const stop = machine.outputOffset();
    machine.typeText('RUN\r');
    await new Promise((r) => setTimeout(r, 300));
    machine.typeText('PRINT "lost"\r\x03');
    await machine.waitForOutput(/Ok\r?\n$/, { from: stop, timeoutMs: 8000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(machine.outputSince(stop)).not.toContain('lost');
    await type(machine, 'NEW', OK);
    await type(machine, 'SYSTEM', SHELL_PROMPT);
  });

  it('basic starts the interpreter with the Ok prompt; a ten-line program runs; SYSTEM returns to the shell', async () => {
    const banner = await type(machine, 'basic', OK);
    expect(banner).toMatch(/XP10 BASIC 1\.0 - \d+ bytes free\nOk\n$/);
    expect(await type(machine, 'PRINT 2+2', OK)).toBe('PRINT 2+2\n 4 \nOk\n');
    await enter(machine, [
      '10 REM squares, a word and a subroutine',
      '20 DIM SQ(5)',
      '30 FOR I = 1 TO 5',
      '40 SQ(I) = I * I',
      '50 NEXT I',
      '60 S$ = "XP10"',
      '70 GOSUB 100',
      '80 PRINT "SUM"; T; LEFT$(S$, 2); LEN(S$)',
      '90 END',
      '100 T = 0: FOR I = 1 TO 5: T = T + SQ(I): NEXT: RETURN',
    ]);
    expect(await type(machine, 'RUN', OK)).toBe('RUN\nSUM 55 XP 4 \nOk\n');
    const listed = await type(machine, 'LIST 60-80', OK);
    expect(listed).toBe('LIST 60-80\n60 S$ = "XP10"\n70 GOSUB 100\n80 PRINT "SUM"; T; LEFT$(S$, 2); LEN(S$)\nOk\n');
    expect(await type(machine, '20 DIM SQ(5', /\n$/)).toBe('20 DIM SQ(5\n');
    expect(await type(machine, 'RUN', OK)).toBe('RUN\n?SYNTAX ERROR IN 20\nOk\n');
    const back = await type(machine, 'SYSTEM', SHELL_PROMPT);
    expect(back).toMatch(/^SYSTEM\n[^]*XP10> $/);
    expect(await type(machine, 'ver', SHELL_PROMPT)).toContain('XP10 [Version 1.0]');
  });

  it('BLOCKSET and BLOCKGET are real requests on COM1, and a core error reads ?LINE FAILED', async () => {
    const cells = new Map<string, number>();
    const key = (x: number, y: number, z: number) => `${x},${y},${z}`;
    core.override = (frame: Frame) => {
      if (frame.opcode === Opcode.BLOCK_SET) {
        const request = decodeBlockSetRequest(frame.payload);
        if (request.x >= 1000) return { error: ErrorCode.OUT_OF_RANGE, message: 'x must be below 1000' };
        cells.set(key(request.x, request.y, request.z), request.value);
        return { payload: encodeBlockSetReply({ index: BigInt(cells.size), hash: HASH }) };
      }
      if (frame.opcode === Opcode.BLOCK_GET) {
        const at = decodeBlockGetRequest(frame.payload);
        const value = cells.get(key(at.x, at.y, at.z));
        return { payload: encodeBlockGetReply({ active: value !== undefined, value: value ?? 0, hash: HASH }) };
      }
      return undefined;
    };
    const setsBefore = core.framesWith(Opcode.BLOCK_SET).length;
    await type(machine, 'basic', OK);
    await enter(machine, [
      '10 FOR X = 0 TO 3',
      '20 BLOCKSET X, 7, 9, X * 1.5',
      '30 NEXT X',
      '40 FOR X = 0 TO 3: T = T + BLOCKGET(X, 7, 9): NEXT',
      '50 PRINT "TOTAL"; T',
      '60 BLOCKSET 1000, 0, 0, 1',
    ]);
    expect(await type(machine, 'RUN', OK, 20_000)).toBe('RUN\nTOTAL 9 \n?LINE FAILED: OUT_OF_RANGE IN 60\nOk\n');
    // XP10's requests (not its replies), once per sequence number even if it retransmitted one
    const requests = core.framesWith(Opcode.BLOCK_SET).slice(setsBefore).filter((f) => !(f.flags & Flag.REPLY));
    const sets = [...new Map(requests.map((f) => [f.seq, f])).values()];
    expect(sets.map((f) => decodeBlockSetRequest(f.payload))).toEqual([
      { x: 0, y: 7, z: 9, value: 0 },
      { x: 1, y: 7, z: 9, value: 1.5 },
      { x: 2, y: 7, z: 9, value: 3 },
      { x: 3, y: 7, z: 9, value: 4.5 },
      { x: 1000, y: 0, z: 0, value: 1 },
    ]);
    expect([...cells.entries()]).toEqual([
      ['0,7,9', 0],
      ['1,7,9', 1.5],
      ['2,7,9', 3],
      ['3,7,9', 4.5],
    ]);
    // An agent can survive a core error: ON ERROR GOTO with ERR = 100 + the wire code.
    await enter(machine, ['5 ON ERROR GOTO 200', '200 PRINT "ERR"; ERR; "AT"; ERL: END']);
    expect(await type(machine, 'RUN', OK, 20_000)).toBe('RUN\nTOTAL 9 \nERR 102 AT 60 \nOk\n');
    await type(machine, 'SYSTEM', SHELL_PROMPT);
  });

  it('an endless loop leaves the other console answering; Ctrl-C breaks it and CONT resumes it', async () => {
    await type(machine, 'basic', OK);
    await enter(machine, ['10 N = N + 1', '20 GOTO 10']);
    const breakIn = async (): Promise<void> => {
      const from = machine.outputOffset();
      await new Promise((resolve) => setTimeout(resolve, 300));
      machine.typeText('\x03');
      await machine.waitForOutput(/Break in (10|20)\r?\nOk\r?\n$/, { from, timeoutMs: 8000 });
    };
    let from = machine.outputOffset();
    machine.typeText('RUN\r');
    await machine.waitForOutput(/RUN\r?\n$/, { from });
    // The interpreter runs in the COM2 shell's task, which the scheduler preempts.
    const screen = (): string => machine.screenText().join('\n').trimEnd();
    machine.typeOnKeyboard('uptime\n');
    await expect.poll(screen, { timeout: 5000 }).toMatch(/XP10> uptime\nUp 0:\d\d:\d\d\.\d{3} [^]*XP10>$/);
    await breakIn();
    expect(await type(machine, 'M = N: PRINT M > 100', OK)).toBe('M = N: PRINT M > 100\n-1 \nOk\n');
    from = machine.outputOffset();
    machine.typeText('CONT\r');
    await machine.waitForOutput(/CONT\r?\n$/, { from });
    await breakIn();
    expect(await type(machine, 'PRINT N > M', OK)).toBe('PRINT N > M\n-1 \nOk\n');
    await type(machine, 'SYSTEM', SHELL_PROMPT);
  });

  it('computes its math functions inside the kernel (x87, no libm) to 15 digits of what JavaScript gets', async () => {
    await type(machine, 'basic', OK);
    const cases: [string, number][] = [
      ['SQR(2)', Math.SQRT2], ['SIN(1)', Math.sin(1)], ['COS(100)', Math.cos(100)], ['ATN(.5)', Math.atan(0.5)],
      ['EXP(1)', Math.E], ['LOG(10)', Math.LN10], ['2^.5', Math.SQRT2], ['1/3', 1 / 3], ['TAN(1.2)', Math.tan(1.2)],
      ['EXP(-20.5)', Math.exp(-20.5)], ['LOG(1E-300)', Math.log(1e-300)], ['3^40', 3 ** 40],
    ];
    for (const [expression, expected] of cases) {
      const printed = await type(machine, `PRINT ${expression}`, OK);
      const value = Number(/\n\s*(-?[\d.]+(?:E[+-]\d+)?)\s*\nOk\n$/.exec(printed)?.[1]);
      expect(Math.abs(value - expected), `${expression} printed ${printed}`).toBeLessThanOrEqual(Math.abs(expected) * 1e-14);
    }
    expect(await type(machine, 'PRINT 0.1 + 0.2; 1E20; -1.5E-7; STR$(7)', OK)).toBe(
      'PRINT 0.1 + 0.2; 1E20; -1.5E-7; STR$(7)\n .3  1E+20 -1.5E-07  7\nOk\n',
    );
    await type(machine, 'SYSTEM', SHELL_PROMPT);
  });

  it('LLM$, TENSOR$ and CUBE$ send their requests over COM1 and return the reply text', async () => {
    await type(machine, 'basic', OK);
    expect(await type(machine, 'PRINT LLM$(3, 4, 5, 8, "hello core")', OK, 20_000)).toBe(
      'PRINT LLM$(3, 4, 5, 8, "hello core")\necho(hello core) at 3,4,5\nOk\n',
    );
    const llm = core.framesWith(Opcode.LLM_QUERY).filter((f) => !(f.flags & Flag.REPLY)).at(-1)!;
    expect(decodeLlmQueryRequest(llm.payload)).toMatchObject({ x: 3, y: 4, z: 5, maxTokens: 8, prompt: 'hello core' });
    expect(await type(machine, 'PRINT TENSOR$("matmul", "2x2", "1,2,3,4", "2x1", "5,6")', OK, 20_000)).toBe(
      'PRINT TENSOR$("matmul", "2x2", "1,2,3,4", "2x1", "5,6")\n[17;39]\nOk\n',
    );
    expect(await type(machine, 'PRINT TENSOR$("RELU", "3", "-1.5, 2.25, -3")', OK, 20_000)).toBe(
      'PRINT TENSOR$("RELU", "3", "-1.5, 2.25, -3")\n[0,2.25,0]\nOk\n',
    );
    expect(await type(machine, 'PRINT CUBE$(2, "SWD", "are you there")', OK, 20_000)).toBe(
      'PRINT CUBE$(2, "SWD", "are you there")\ncube 2 says are you there\nOk\n',
    );
    await type(machine, 'SYSTEM', SHELL_PROMPT);
  });

  it('a caller hanging up stops the running program and leaves BASIC, like any foreground command', async () => {
    let from = machine.outputOffset();
    machine.setCarrierDetect(true);
    await machine.waitForOutput(/Console COM2\.[^]*XP10> $/, { from });
    await type(machine, 'basic', OK);
    await enter(machine, ['10 N = N + 1: GOTO 10']);
    from = machine.outputOffset();
    machine.typeText('RUN\r');
    await machine.waitForOutput(/RUN\r?\n$/, { from });
    machine.setCarrierDetect(false);
    await machine.waitForOutput(/Break in 10\r?\nOk\r?\n\r?\nSession ended\.\r?\n$/, { from, timeoutMs: 8000 });
    expect(await type(machine, 'ver', SHELL_PROMPT)).toContain('XP10 [Version 1.0]');
  });

  it('SLEEP waits on the guest clock and Ctrl-C cuts it short', async () => {
    await type(machine, 'basic', OK);
    // TIMER is milliseconds / 1000 in doubles, so a difference of exactly 250 ms can come out as
    // 0.24999999999999997 (T = .04, for one): compare in whole milliseconds.
    expect(await type(machine, 'T = TIMER: SLEEP 250: D = INT((TIMER - T) * 1000 + .5): PRINT D >= 250; D < 5000', OK)).toBe(
      'T = TIMER: SLEEP 250: D = INT((TIMER - T) * 1000 + .5): PRINT D >= 250; D < 5000\n-1 -1 \nOk\n',
    );
    await enter(machine, ['10 SLEEP 600000']);
    const from = machine.outputOffset();
    machine.typeText('RUN\r');
    await machine.waitForOutput(/RUN\r?\n$/, { from });
    await new Promise((resolve) => setTimeout(resolve, 200));
    machine.typeText('\x03');
    await machine.waitForOutput(/Break in 10\r?\nOk\r?\n$/, { from, timeoutMs: 5000 });
    await type(machine, 'SYSTEM', SHELL_PROMPT);
  });
});
