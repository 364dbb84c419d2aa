import { ProtocolError } from '../ProtocolError.js';
import { decodeUtf8Strict, encodeUtf8 } from '../utf8.js';
import { CUBE_VERTEX_NAMES } from '../vocabulary/CubeVertex.js';

/**
 * AGENTS 0x17: the bridge asks a guest (XP10) which BASIC agents run; the request is empty, the
 * reply is UTF-8 text, one line per agent, fields split by TAB:
 *   id, name, state, hosted vertex ("CUBE/VERTEX" or "-"), statements, memory bytes, last output line
 * (docs/PROTOCOL.md). The bridge serves no AGENTS request itself (UNSUPPORTED).
 */
export const MAX_AGENTS = 16;
export const MAX_AGENTS_REPLY = 4096;
export const MAX_AGENT_LINE = 64;

export type AgentState = 'starting' | 'running' | 'ended' | 'failed' | 'stopped';
const STATES: readonly AgentState[] = ['starting', 'running', 'ended', 'failed', 'stopped'];

export interface AgentStatus {
  id: number;
  name: string;
  state: AgentState;
  /** The cube vertex the agent hosts (HOST), or null. */
  hosts: { cube: number; vertex: number } | null;
  statements: number;
  memoryBytes: number;
  /** The last line the agent printed (at most 64 bytes). */
  lastLine: string;
}

function bad(why: string): never {
  throw new ProtocolError('BAD_PAYLOAD', `AGENTS reply: ${why}`);
}

function wholeNumber(text: string, what: string, max: number): number {
  if (!/^\d{1,10}$/.test(text)) bad(`${what} ${JSON.stringify(text)} is not a whole number`);
  const n = Number(text);
  if (n > max) bad(`${what} ${n} is above ${max}`);
  return n;
}

export function decodeAgentsReply(payload: Uint8Array): AgentStatus[] {
  if (payload.length > MAX_AGENTS_REPLY) throw new ProtocolError('TOO_LARGE', `AGENTS reply: ${payload.length} bytes, at most ${MAX_AGENTS_REPLY}`);
  let text: string;
  try {
    text = decodeUtf8Strict(payload);
  } catch {
    bad('not UTF-8');
  }
  if (text === '') return [];
  if (!text.endsWith('\n')) bad('the last line has no line feed');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length > MAX_AGENTS) bad(`${lines.length} agents, at most ${MAX_AGENTS}`);
  return lines.map((line) => {
    const f = line.split('\t');
    if (f.length !== 7) bad(`a line has ${f.length} fields, not 7`);
    const [id, name, state, hosts, statements, memory, last] = f as [string, string, string, string, string, string, string];
    if (!STATES.includes(state as AgentState)) bad(`unknown state ${JSON.stringify(state)}`);
    let hosted: AgentStatus['hosts'] = null;
    if (hosts !== '-') {
      const m = /^(\d{1,5})\/([A-Z]+)$/.exec(hosts);
      const vertex = m ? CUBE_VERTEX_NAMES.indexOf(m[2] as (typeof CUBE_VERTEX_NAMES)[number]) : -1;
      if (!m || vertex < 0) bad(`hosted vertex ${JSON.stringify(hosts)} is not CUBE/VERTEX`);
      hosted = { cube: wholeNumber(m[1]!, 'cube', 0xffff), vertex };
    }
    if (encodeUtf8(last).length > MAX_AGENT_LINE) bad(`last line over ${MAX_AGENT_LINE} bytes`);
    return {
      id: wholeNumber(id, 'id', 255),
      name,
      state: state as AgentState,
      hosts: hosted,
      statements: wholeNumber(statements, 'statements', 0xffffffff),
      memoryBytes: wholeNumber(memory, 'memory', 0xffffffff),
      lastLine: last,
    };
  });
}

export function encodeAgentsReply(agents: readonly AgentStatus[]): Uint8Array {
  if (agents.length > MAX_AGENTS) throw new ProtocolError('INVALID_ARGUMENT', `${agents.length} agents, at most ${MAX_AGENTS}`);
  const text = agents
    .map((a) => {
      const hosts = a.hosts ? `${a.hosts.cube}/${CUBE_VERTEX_NAMES[a.hosts.vertex] ?? '?'}` : '-';
      return `${a.id}\t${a.name}\t${a.state}\t${hosts}\t${a.statements}\t${a.memoryBytes}\t${a.lastLine}\n`;
    })
    .join('');
  const bytes = encodeUtf8(text);
  if (bytes.length > MAX_AGENTS_REPLY) throw new ProtocolError('TOO_LARGE', `AGENTS reply: ${bytes.length} bytes, at most ${MAX_AGENTS_REPLY}`);
  return bytes;
}
