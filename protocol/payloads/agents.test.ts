import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../ProtocolError.js';
import { decodeAgentsReply, encodeAgentsReply, type AgentStatus } from './agents.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof ProtocolError ? e.code : String(e);
  }
  return 'ok';
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('AGENTS payloads', () => {
  it('a reply is one TAB-separated line per agent; none is empty', () => {
    const agents: AgentStatus[] = [
      { id: 3, name: 'SCRIBE', state: 'running', hosts: { cube: 1, vertex: 7 }, statements: 12, memoryBytes: 2048, lastLine: 'you: hi -> κ' },
    ];
    const reply = encodeAgentsReply(agents);
    expect(new TextDecoder().decode(reply)).toBe('3\tSCRIBE\trunning\t1/SWD\t12\t2048\tyou: hi -> κ\n');
    expect(decodeAgentsReply(reply)).toEqual(agents);
    expect(encodeAgentsReply([])).toHaveLength(0);
    expect(decodeAgentsReply(new Uint8Array(0))).toEqual([]);
  });

  it('refuses what PROTOCOL.md refuses, naming it (BAD_PAYLOAD, TOO_LARGE)', () => {
    expect(code(() => decodeAgentsReply(bytes('1\tA\trunning\t-\t1\t1\tx')))).toBe('BAD_PAYLOAD'); // no final LF
    expect(code(() => decodeAgentsReply(bytes('1\tA\trunning\t-\t1\t1\n')))).toBe('BAD_PAYLOAD'); // 6 fields
    expect(code(() => decodeAgentsReply(bytes('1\tA\tdreaming\t-\t1\t1\tx\n')))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeAgentsReply(bytes('1\tA\trunning\t1/UP\t1\t1\tx\n')))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeAgentsReply(bytes('x\tA\trunning\t-\t1\t1\tx\n')))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeAgentsReply(bytes(`1\tA\trunning\t-\t1\t1\t${'y'.repeat(65)}\n`)))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeAgentsReply(Uint8Array.from([0xff, 0x0a])))).toBe('BAD_PAYLOAD');
    expect(code(() => decodeAgentsReply(new Uint8Array(4097)))).toBe('TOO_LARGE');
    expect(code(() => decodeAgentsReply(bytes('1\tA\trunning\t-\t1\t1\tx\n'.repeat(17))))).toBe('BAD_PAYLOAD');
  });
});
