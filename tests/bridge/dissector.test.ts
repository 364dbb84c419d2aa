import { encodeLlmTeachReply, encodeLlmTeachRequest } from '../../protocol/payloads/llmTeach.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameCapture } from '../../bridge/capture/FrameCapture.js';
import { readPcapng } from '../../bridge/capture/pcapng.js';
import { Flag, Opcode } from '../../protocol/constants.js';
import { encodeFrame } from '../../protocol/encodeFrame.js';
import { Fragmenter } from '../../protocol/Fragmenter.js';
import type { Line } from '../../protocol/Line.js';
import type { Message } from '../../protocol/Message.js';
import { createLinePair } from '../../protocol/MemoryLine.js';
import { encodeBlockGetReply, encodeBlockGetRequest } from '../../protocol/payloads/blockGet.js';
import { encodeBlockSetReply, encodeBlockSetRequest } from '../../protocol/payloads/blockSet.js';
import { encodeCubeMsgReply, encodeCubeMsgRequest, Vertex } from '../../protocol/payloads/cubeMsg.js';
import { encodeErrorPayload } from '../../protocol/payloads/errorPayload.js';
import { encodeHello, makeHello } from '../../protocol/payloads/hello.js';
import { encodeLlmQueryReply, encodeLlmQueryRequest } from '../../protocol/payloads/llmQuery.js';
import { encodeProgramReply, encodeProgramRequest, ProgramOperation } from '../../protocol/payloads/program.js';
import { encodeTensorOpReply, encodeTensorOpRequest, TensorOperation, type Tensor } from '../../protocol/payloads/tensorOp.js';
import { encodeAgentsReply } from '../../protocol/payloads/agents.js';

/**
 * The Wireshark dissector (docs/wireshark/konomi56k.lua) read by the real tshark: a capture made by
 * the bridge's own FrameCapture of frames written with the project's encoders (every opcode, request
 * and reply, ERROR payloads, non-ASCII UTF-8 text, fragmented messages in and out of order on two
 * lines), and every decoded field compared with the value that was encoded.
 */

const DISSECTOR = fileURLToPath(new URL('../../docs/wireshark/konomi56k.lua', import.meta.url));

/** Why tshark cannot run here, or undefined. In CI a missing tshark fails the test instead. */
function tsharkMissing(): string | undefined {
  if (process.env.CI) return undefined;
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    const reason = 'skipped: tshark not installed (Debian package tshark)';
    console.warn(reason);
    return reason;
  }
}

type Tree = { [key: string]: string | Tree | (string | Tree)[] };

/** What tshark must show for one captured frame. */
interface Expected {
  src: string;
  dst: string;
  /** Header fields of this frame. */
  header: Tree;
  /** The decoded payload: under konomi56k.payload, or konomi56k.reassembled on the frame completing a message. */
  payload?: Tree;
  reassembled?: { frames: number[] };
  /** A fragment that does not complete its message: the frame that does. */
  reassembledIn?: number;
  /** Text the Info column must contain. */
  info: string;
}

const LINE_A = 'tcp:127.0.0.1:50412';
const LINE_B = 'xp10:serial0';
const BRIDGE = 'bridge';

/** Wireshark's rendering of bytes fields. */
const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
const hex8 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const hash = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 0x7d) & 0xff);

function tensor(shape: number[], data: number[]): Tensor {
  return { shape, data: Float32Array.from(data) };
}

function tensorTree(t: Tensor): Tree {
  return {
    'konomi56k.tensor.rank': String(t.shape.length),
    'konomi56k.tensor.dim': t.shape.length === 1 ? String(t.shape[0]) : t.shape.map(String),
    'konomi56k.tensor.shape': `[${t.shape.join(',')}]`,
    'konomi56k.tensor.count': String(t.data.length),
    'konomi56k.tensor.element': t.data.length === 1 ? String(t.data[0]) : [...t.data].map(String),
  };
}

/** The encoded values and the tree tshark must decode them to. */
interface Case {
  message: Message;
  payload: Tree;
  info: string;
}

function hello(seq: number, flags: number, fields: Parameters<typeof makeHello>[0]): Case {
  const h = makeHello(fields);
  const vertices = h.vertices.map((v) => ({
    'konomi56k.hello.vertex.cube': String(v.cube),
    'konomi56k.hello.vertex.vertex': String(v.vertex),
    'konomi56k.hello.vertex.channel': String(v.channel),
  }));
  const tree: Tree = {
    'konomi56k.hello.version': '1',
    'konomi56k.hello.max_content': String(h.maxContent),
    'konomi56k.hello.window': String(h.window),
    'konomi56k.hello.name_length': String(Buffer.byteLength(h.name)),
    'konomi56k.hello.name': h.name,
    'konomi56k.hello.token_length': String(h.token.length),
    'konomi56k.hello.token': hex(h.token),
    'konomi56k.hello.vertex_count': String(h.vertices.length),
  };
  if (vertices.length === 1) tree['konomi56k.hello.vertex'] = vertices[0]!;
  if (vertices.length > 1) tree['konomi56k.hello.vertex'] = vertices;
  tree['konomi56k.hello.boot_id'] = hex32(h.bootId);
  return { message: { flags, opcode: Opcode.HELLO, seq, channel: 0, payload: encodeHello(h) }, payload: tree, info: `"${h.name}"` };
}

const requestA = makeHello({ maxContent: 256, window: 4, name: 'Konomi-κ client', token: Uint8Array.from([0x7e, 0x7d, 0x00, 0xff]), vertices: [{ cube: 1, vertex: 0, channel: 1 }, { cube: 7, vertex: 8, channel: 2 }], bootId: 0x7e7d1234 });

const matmul = { op: TensorOperation.MATMUL, dtype: 0, params: [], inputs: [tensor([2, 2], [1, 2, 3, 4]), tensor([2, 1], [0.5, -1])] };
const conv = { op: TensorOperation.CONV2D, dtype: 0, params: [1, 0], inputs: [tensor([1, 1, 2, 2], [1, 2, 3, 4]), tensor([1, 1, 1, 1], [2])] };
const pool = { op: TensorOperation.MAXPOOL2D, dtype: 0, params: [2, 2], inputs: [tensor([1, 1, 2, 2], [-1, 7.25, 3, 0])] };
const relu = { op: TensorOperation.RELU, dtype: 0, params: [], inputs: [tensor([3], [-1, 0, 2.5])] };
const big = (seed: number): Tensor => tensor([8, 8], Array.from({ length: 64 }, (_, i) => (i - seed) / 4));
const add = { op: TensorOperation.ADD, dtype: 0, params: [], inputs: [big(3), big(40)] };

function tensorRequestTree(r: { op: number; params: number[]; inputs: Tensor[] }, paramNames: string[]): Tree {
  const tree: Tree = {
    'konomi56k.tensor.op': hex8(r.op),
    'konomi56k.tensor.dtype': '0',
    'konomi56k.tensor.input_count': String(r.inputs.length),
    'konomi56k.tensor.param_count': String(r.params.length),
  };
  r.params.forEach((p, i) => (tree[`konomi56k.tensor.${paramNames[i]!}`] = String(p)));
  const inputs = r.inputs.map(tensorTree);
  tree['konomi56k.tensor.input'] = inputs.length === 1 ? inputs[0]! : inputs;
  return tree;
}

const REQ = 0;
const REP = Flag.REPLY;
const ERR = Flag.REPLY | Flag.ERROR;

/** Every opcode, request and reply; seqs are unique so each reassembly key is too. */
const cases: Case[] = [
  hello(1, REQ, requestA),
  hello(1, REP, { name: 'bridge', window: 8 }),
  {
    message: { flags: REQ, opcode: Opcode.PING, seq: 2, channel: 3, payload: Uint8Array.from([1, 2, 3, 0x7e]) },
    payload: { 'konomi56k.data': '01:02:03:7e' },
    info: 'PING request seq=2 ch=3',
  },
  {
    message: { flags: REP, opcode: Opcode.PING, seq: 2, channel: 3, payload: Uint8Array.from([1, 2, 3, 0x7e]) },
    payload: { 'konomi56k.data': '01:02:03:7e' },
    info: 'PING reply seq=2 ch=3',
  },
  {
    message: { flags: Flag.NOREPLY, opcode: Opcode.PING, seq: 3, channel: 0, payload: new Uint8Array(0) },
    payload: { 'konomi56k.data': '' },
    info: 'PING request seq=3 ch=0 len=0 NOREPLY',
  },
  {
    message: { flags: REQ, opcode: Opcode.BLOCK_GET, seq: 4, channel: 1, payload: encodeBlockGetRequest({ x: 1, y: 2, z: 999 }) },
    payload: { 'konomi56k.x': '1', 'konomi56k.y': '2', 'konomi56k.z': '999' },
    info: '(1,2,999)',
  },
  {
    message: { flags: REP, opcode: Opcode.BLOCK_GET, seq: 4, channel: 1, payload: encodeBlockGetReply({ active: true, value: 3.25, hash }) },
    payload: { 'konomi56k.active': '1', 'konomi56k.value': '3.25', 'konomi56k.hash': hex(hash) },
    info: 'active 3.25',
  },
  {
    message: { flags: REQ, opcode: Opcode.BLOCK_SET, seq: 5, channel: 1, payload: encodeBlockSetRequest({ x: 126, y: 125, z: 65535, value: -1.5 }) },
    payload: { 'konomi56k.x': '126', 'konomi56k.y': '125', 'konomi56k.z': '65535', 'konomi56k.value': '-1.5' },
    info: '(126,125,65535) = -1.5',
  },
  {
    // Above 2^53: the ledger index is a full u64.
    message: { flags: REP, opcode: Opcode.BLOCK_SET, seq: 5, channel: 1, payload: encodeBlockSetReply({ index: 2n ** 60n + 7n, hash }) },
    payload: { 'konomi56k.ledger_index': String(2n ** 60n + 7n), 'konomi56k.hash': hex(hash) },
    info: `index ${2n ** 60n + 7n}`,
  },
  {
    message: { flags: REQ, opcode: Opcode.LLM_QUERY, seq: 6, channel: 0, payload: encodeLlmQueryRequest({ x: 0, y: 0, z: 1, maxTokens: 32, prompt: 'What is κ?' }) },
    payload: { 'konomi56k.x': '0', 'konomi56k.y': '0', 'konomi56k.z': '1', 'konomi56k.max_tokens': '32', 'konomi56k.prompt': 'What is κ?' },
    info: '"What is κ?"',
  },
  {
    message: { flags: REP, opcode: Opcode.LLM_QUERY, seq: 6, channel: 0, payload: encodeLlmQueryReply({ kappa: 0.5, tokens: 3, text: 'κ ≈ ½ 🙂\nbye' }) },
    payload: { 'konomi56k.kappa': '0.5', 'konomi56k.tokens': '3', 'konomi56k.text': 'κ ≈ ½ 🙂\nbye' },
    // Info stays on one line.
    info: '"κ ≈ ½ 🙂\\nbye"',
  },
  {
    message: { flags: REQ, opcode: Opcode.LLM_TEACH, seq: 60, channel: 1, payload: encodeLlmTeachRequest({ x: 1, y: 2, z: 3, steps: 0, text: 'ls -l' }) },
    payload: { 'konomi56k.x': '1', 'konomi56k.y': '2', 'konomi56k.z': '3', 'konomi56k.teach.steps': '0', 'konomi56k.text': 'ls -l' },
    info: '(1,2,3) steps=0 "ls -l"',
  },
  {
    message: { flags: REP, opcode: Opcode.LLM_TEACH, seq: 60, channel: 1, payload: encodeLlmTeachReply({ steps: 100, bitsBefore: 6.25, bitsAfter: 4.5 }) },
    payload: { 'konomi56k.teach.steps': '100', 'konomi56k.teach.bits_before': '6.25', 'konomi56k.teach.bits_after': '4.5' },
    info: '100 steps 6.25 -> 4.5 bits/char',
  },
  {
    message: { flags: REQ, opcode: Opcode.CUBE_MSG, seq: 7, channel: 2, payload: encodeCubeMsgRequest({ cube: 1, vertex: Vertex.CENTRAL, text: 'think — Σκ' }) },
    payload: { 'konomi56k.cube': '1', 'konomi56k.vertex': '8', 'konomi56k.text': 'think — Σκ' },
    info: 'cube 1 CENTRAL "think — Σκ"',
  },
  {
    message: { flags: REQ, opcode: Opcode.CUBE_MSG, seq: 8, channel: 0, payload: encodeCubeMsgRequest({ cube: 2, vertex: Vertex.CUBE, text: '' }) },
    payload: { 'konomi56k.cube': '2', 'konomi56k.vertex': '255', 'konomi56k.text': '' },
    info: 'cube 2 CUBE',
  },
  {
    message: { flags: REP, opcode: Opcode.CUBE_MSG, seq: 7, channel: 2, payload: encodeCubeMsgReply({ vertex: Vertex.NWD, kappa: 1.25, text: `x${'κ'.repeat(25)}` }) },
    payload: { 'konomi56k.vertex': '3', 'konomi56k.kappa': '1.25', 'konomi56k.text': `x${'κ'.repeat(25)}` },
    // Info cuts long text at a character boundary (40 bytes would split a κ).
    info: `NWD κ=1.25 "x${'κ'.repeat(19)}…"`,
  },
  {
    message: { flags: REQ, opcode: Opcode.PROGRAM, seq: 20, channel: 0, payload: encodeProgramRequest({ operation: ProgramOperation.SAVE, name: 'life', text: '10 PRINT "κ"\n' }) },
    payload: { 'konomi56k.program.operation': '1', 'konomi56k.program.name': 'LIFE', 'konomi56k.program.text': '10 PRINT "κ"\n' },
    info: 'SAVE LIFE 14 bytes',
  },
  {
    message: { flags: REP, opcode: Opcode.PROGRAM, seq: 20, channel: 0, payload: encodeProgramReply({ operation: ProgramOperation.SAVE }) },
    payload: {},
    info: 'SAVE done',
  },
  {
    message: { flags: REQ, opcode: Opcode.PROGRAM, seq: 21, channel: 0, payload: encodeProgramRequest({ operation: ProgramOperation.LIST }) },
    payload: { 'konomi56k.program.operation': '3' },
    info: 'LIST',
  },
  {
    message: { flags: REP, opcode: Opcode.PROGRAM, seq: 21, channel: 0, payload: encodeProgramReply({ operation: ProgramOperation.LIST, programs: [{ name: 'LIFE', size: 14, updated: 1796428800 }] }) },
    payload: { 'konomi56k.program.count': '1', 'konomi56k.program.name': 'LIFE', 'konomi56k.program.size': '14', 'konomi56k.program.updated': '1796428800' },
    info: 'LIST 1 programs',
  },
  {
    message: { flags: REQ, opcode: Opcode.PROGRAM, seq: 22, channel: 0, payload: encodeProgramRequest({ operation: ProgramOperation.READ, name: 'big', offset: 32767 }) },
    payload: { 'konomi56k.program.operation': '6', 'konomi56k.program.name': 'BIG', 'konomi56k.program.offset': '32767' },
    info: 'READ BIG from 32767',
  },
  {
    message: { flags: REP, opcode: Opcode.PROGRAM, seq: 22, channel: 0, payload: encodeProgramReply({ operation: ProgramOperation.READ, size: 100000, text: 'κ\n' }) },
    payload: { 'konomi56k.program.size': '100000', 'konomi56k.program.text': 'κ\n' },
    info: 'READ 3 of 100000 bytes',
  },
  {
    message: { flags: REQ, opcode: Opcode.PROGRAM, seq: 23, channel: 0, payload: encodeProgramRequest({ operation: ProgramOperation.APPEND, name: 'big', text: '20 END\n' }) },
    payload: { 'konomi56k.program.operation': '5', 'konomi56k.program.name': 'BIG', 'konomi56k.program.text': '20 END\n' },
    info: 'APPEND BIG 7 bytes',
  },
  {
    message: { flags: REQ, opcode: Opcode.AGENTS, seq: 24, channel: 0, payload: new Uint8Array(0) },
    payload: {},
    info: 'which agents run?',
  },
  {
    message: {
      flags: REP,
      opcode: Opcode.AGENTS,
      seq: 24,
      channel: 0,
      payload: encodeAgentsReply([{ id: 1, name: 'LIFE', state: 'running', hosts: null, statements: 9, memoryBytes: 4096, lastLine: 'generation 2 alive 300' }]),
    },
    payload: { 'konomi56k.text': '1\tLIFE\trunning\t-\t9\t4096\tgeneration 2 alive 300\n' },
    info: '1 agents',
  },
  {
    message: { flags: REQ, opcode: Opcode.TENSOR_OP, seq: 9, channel: 2, payload: encodeTensorOpRequest(matmul) },
    payload: tensorRequestTree(matmul, []),
    info: 'matmul [2,2] [2,1]',
  },
  {
    message: { flags: REQ, opcode: Opcode.TENSOR_OP, seq: 10, channel: 0, payload: encodeTensorOpRequest(conv) },
    payload: tensorRequestTree(conv, ['stride', 'padding']),
    info: 'conv2d [1,1,2,2] [1,1,1,1] stride=1 padding=0',
  },
  {
    message: { flags: REQ, opcode: Opcode.TENSOR_OP, seq: 11, channel: 0, payload: encodeTensorOpRequest(pool) },
    payload: tensorRequestTree(pool, ['kernel', 'stride']),
    info: 'maxpool2d [1,1,2,2] kernel=2 stride=2',
  },
  {
    message: { flags: REQ, opcode: Opcode.TENSOR_OP, seq: 12, channel: 1, payload: encodeTensorOpRequest(relu) },
    payload: tensorRequestTree(relu, []),
    info: 'relu [3]',
  },
  {
    message: { flags: REP, opcode: Opcode.TENSOR_OP, seq: 9, channel: 2, payload: encodeTensorOpReply({ dtype: 0, output: tensor([2, 1], [-1.5, -2.5]) }) },
    payload: { 'konomi56k.tensor.dtype': '0', 'konomi56k.tensor.output': tensorTree(tensor([2, 1], [-1.5, -2.5])) },
    info: 'TENSOR_OP reply seq=9 ch=2 len=14 [2,1]',
  },
  {
    message: { flags: ERR, opcode: Opcode.BLOCK_GET, seq: 13, channel: 1, payload: encodeErrorPayload({ code: 2, message: 'x 1000 outside 0..999 — κ' }) },
    payload: { 'konomi56k.error.code': '2', 'konomi56k.error.message': 'x 1000 outside 0..999 — κ' },
    info: 'BLOCK_GET ERROR seq=13 ch=1 len=29 OUT_OF_RANGE "x 1000 outside 0..999 — κ"',
  },
  {
    // An unknown code is shown as such, never hidden.
    message: { flags: ERR, opcode: Opcode.TENSOR_OP, seq: 14, channel: 0, payload: encodeErrorPayload({ code: 0x42, message: 'from the future' }) },
    payload: { 'konomi56k.error.code': '66', 'konomi56k.error.message': 'from the future' },
    info: 'UNKNOWN(66) "from the future"',
  },
  {
    message: { flags: ERR, opcode: Opcode.HELLO, seq: 15, channel: 0, payload: encodeErrorPayload({ code: 8, message: 'wrong token' }) },
    payload: { 'konomi56k.error.code': '8', 'konomi56k.error.message': 'wrong token' },
    info: 'UNAUTHORIZED "wrong token"',
  },
  {
    message: { flags: Flag.NOREPLY, opcode: Opcode.NAK, seq: 0, channel: 0, payload: new Uint8Array(0) },
    payload: {},
    info: 'NAK',
  },
  {
    message: { flags: REQ, opcode: 0x55, seq: 16, channel: 0, payload: Uint8Array.from([0xaa]) },
    payload: { 'konomi56k.data': 'aa' },
    info: '0x55 request seq=16',
  },
];

function header(m: Message, fragment: number, more: boolean, length: number): Tree {
  const flags = m.flags | (more ? Flag.MORE : 0);
  return {
    'konomi56k.version': '1',
    'konomi56k.flags': hex8(flags),
    'konomi56k.flags_tree': {
      'konomi56k.flags.reply': String(flags & Flag.REPLY ? 1 : 0),
      'konomi56k.flags.error': String(flags & Flag.ERROR ? 1 : 0),
      'konomi56k.flags.more': String(more ? 1 : 0),
      'konomi56k.flags.noreply': String(flags & Flag.NOREPLY ? 1 : 0),
    },
    'konomi56k.opcode': hex8(m.opcode),
    'konomi56k.seq': String(m.seq),
    'konomi56k.channel': String(m.channel),
    'konomi56k.fragment': String(fragment),
    'konomi56k.length': String(length),
    'konomi56k.crc.ok': '1',
  };
}

/** Writes through a tapped memory line the way the bridge sees it: 'in' from the peer, 'out' from the bridge. */
class CaptureRig {
  readonly capture = new FrameCapture();
  readonly blocks: Uint8Array[] = [];
  readonly expected: Expected[] = [];
  private readonly lines = new Map<string, { peer: Line; bridge: Line }>();

  constructor(names: string[]) {
    this.capture.subscribe((block) => {
      this.blocks.push(block);
      return true;
    });
    for (const name of names) {
      const [peer, bridgeEnd] = createLinePair([`peer-of-${name}`, name]);
      this.lines.set(name, { peer, bridge: this.capture.tap(bridgeEnd) });
    }
  }

  /** Sends the wire bytes of frames (in the order given) and records what tshark must show for each. */
  async send(line: string, direction: 'in' | 'out', frames: Uint8Array[], expected: Omit<Expected, 'src' | 'dst'>[]): Promise<void> {
    const ends = this.lines.get(line)!;
    for (const wire of frames) {
      (direction === 'in' ? ends.peer : ends.bridge).write(wire);
      // Memory lines deliver in a microtask: wait so packets land in the order written.
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const e of expected) {
      this.expected.push({ ...e, src: direction === 'in' ? line : BRIDGE, dst: direction === 'in' ? BRIDGE : line });
    }
  }

  /** A whole message as one frame per fragment, in order. */
  async message(line: string, direction: 'in' | 'out', c: Case): Promise<void> {
    const frames = new Fragmenter().split(c.message);
    expect(frames).toHaveLength(1);
    await this.send(line, direction, frames.map(encodeFrame), [
      { header: header(c.message, 0, false, c.message.payload.length), payload: c.payload, info: c.info },
    ]);
  }

  file(): Uint8Array {
    return Uint8Array.from(Buffer.concat(this.blocks));
  }
}

interface TsharkPacket {
  _source: { layers: { konomi56k?: Tree } };
}

/** The decoded fields alone: expert items (checked on their own) are dropped, with the subtrees they leave empty. */
function withoutExperts(tree: Tree): Tree {
  const out: Tree = {};
  for (const [key, value] of Object.entries(tree)) {
    if (key.startsWith('_ws.expert')) continue;
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.map((v) => (typeof v === 'string' ? v : withoutExperts(v)));
    else {
      const inner = withoutExperts(value);
      if (!key.endsWith('_tree') || Object.keys(inner).length > 0) out[key] = inner;
    }
  }
  return out;
}

/** Every expert message anywhere in a packet's tree, in order. */
function expertMessages(tree: Tree | string | (string | Tree)[]): string[] {
  if (typeof tree === 'string') return [];
  if (Array.isArray(tree)) return tree.flatMap(expertMessages);
  return Object.entries(tree).flatMap(([key, value]) =>
    key === '_ws.expert.message' ? (Array.isArray(value) ? value.map(String) : [String(value)]) : expertMessages(value),
  );
}

function runTshark(file: string, args: string[]): string {
  return execFileSync('tshark', ['-n', '-2', '-X', `lua_script:${DISSECTOR}`, '-r', file, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const skip = tsharkMissing();

describe.skipIf(skip !== undefined)('the Wireshark dissector (docs/wireshark/konomi56k.lua) under tshark', () => {
  let dir: string;
  let file: string;
  let rig: CaptureRig;
  let packets: Tree[];
  let columns: string[][];
  let verbose: string;

  beforeAll(async () => {
    rig = new CaptureRig([LINE_A, LINE_B]);
    for (const c of cases) {
      await rig.message(LINE_A, c.message.flags & Flag.REPLY || c.message.opcode === Opcode.NAK ? 'out' : 'in', c);
    }

    // A TENSOR_OP request in three fragments (the peer's HELLO said max content 256), in order.
    const fragmentsIn = new Fragmenter({ maxContent: 256 }).split({ flags: REQ, opcode: Opcode.TENSOR_OP, seq: 40, channel: 1, payload: encodeTensorOpRequest(add) });
    expect(fragmentsIn).toHaveLength(3);
    const first = rig.expected.length + 1;
    await rig.send(LINE_A, 'in', fragmentsIn.map(encodeFrame), fragmentsIn.map((fr, i) => {
      const base = { header: header({ ...fr, flags: REQ }, i, i < 2, fr.payload.length), info: `frag=${i}` };
      return i < 2 ? { ...base, reassembledIn: first + 2 } : { ...base, payload: tensorRequestTree(add, []), reassembled: { frames: [first, first + 1, first + 2] }, info: 'add [8,8] [8,8]' };
    }));

    // A TENSOR_OP reply on the other line in four fragments sent out of order (3, 0, 0 again, 1, 2),
    // with a frame of the same seq and channel on the first line in between: keys must not mix.
    const output = big(11);
    const replyMessage: Message = { flags: REP, opcode: Opcode.TENSOR_OP, seq: 40, channel: 1, payload: encodeTensorOpReply({ dtype: 0, output }) };
    const fragmentsOut = new Fragmenter({ maxContent: 80 }).split(replyMessage);
    expect(fragmentsOut).toHaveLength(4);
    const at = rig.expected.length + 1;
    const frag = (i: number): Omit<Expected, 'src' | 'dst'> => ({ header: header(replyMessage, i, i < 3, fragmentsOut[i]!.payload.length), info: `frag=${i}` });
    await rig.send(LINE_B, 'out', [3, 0, 0].map((i) => encodeFrame(fragmentsOut[i]!)), [
      { ...frag(3), reassembledIn: at + 5 },
      { ...frag(0), reassembledIn: at + 5 },
      { ...frag(0), info: 'repeated fragment' },
    ]);
    const interloper: Message = { flags: REP, opcode: Opcode.PING, seq: 40, channel: 1, payload: Uint8Array.from([9]) };
    await rig.send(LINE_A, 'out', [encodeFrame({ ...interloper, fragment: 0 })], [
      { header: header(interloper, 0, false, 1), payload: { 'konomi56k.data': '09' }, info: 'PING reply seq=40 ch=1' },
    ]);
    await rig.send(LINE_B, 'out', [1, 2].map((i) => encodeFrame(fragmentsOut[i]!)), [
      { ...frag(1), reassembledIn: at + 5 },
      {
        ...frag(2),
        payload: { 'konomi56k.tensor.dtype': '0', 'konomi56k.tensor.output': tensorTree(output) },
        reassembled: { frames: [at + 1, at + 4, at + 5, at] },
        info: `[reassembled ${replyMessage.payload.length} bytes from 4 fragments] [8,8]`,
      },
    ]);

    dir = mkdtempSync(join(tmpdir(), 'konomi-dissector-'));
    file = join(dir, 'capture.pcapng');
    writeFileSync(file, rig.file());
    const json = JSON.parse(runTshark(file, ['-T', 'json', '--no-duplicate-keys', '-J', 'konomi56k'])) as TsharkPacket[];
    packets = json.map((p) => withoutExperts(p._source.layers.konomi56k ?? {}));
    columns = runTshark(file, ['-T', 'fields', '-E', 'separator=/t', '-e', '_ws.col.Source', '-e', '_ws.col.Destination', '-e', '_ws.col.Info'])
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    verbose = runTshark(file, ['-V']);
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a capture holding a frame of every opcode, from both lines', () => {
    const { interfaces, packets: raw } = readPcapng(rig.file());
    expect(interfaces.map((i) => i.name)).toEqual([LINE_A, LINE_B]);
    const opcodes = new Set(raw.map((p) => p.data[1]));
    for (const op of Object.values(Opcode)) expect(opcodes).toContain(op);
    expect(packets).toHaveLength(rig.expected.length);
    expect(verbose).not.toMatch(/Lua Error|Malformed|Expert Info \(Error/);
  });

  it('decodes the header and every payload field to the values that were encoded (UTF-8 text included)', () => {
    rig.expected.forEach((e, i) => {
      const got = packets[i]!;
      const where = `frame ${i + 1} (${e.info})`;
      for (const [key, value] of Object.entries(e.header)) expect(got[key], `${where}: ${key}`).toEqual(value);
      if (e.payload && !e.reassembled) expect(got['konomi56k.payload_tree'] ?? {}, where).toEqual(e.payload);
      if (e.reassembled) expect(got['konomi56k.reassembled_tree'], where).toEqual(e.payload);
    });
  });

  it('reassembles fragmented messages in and out of order, and points each fragment at its message', () => {
    rig.expected.forEach((e, i) => {
      const got = packets[i]!;
      const where = `frame ${i + 1} (${e.info})`;
      if (e.reassembled) {
        expect(got['konomi56k.reassembled.frame'], where).toEqual(e.reassembled.frames.map(String));
        expect(got['konomi56k.reassembled.count'], where).toBe(String(e.reassembled.frames.length));
      } else {
        expect(got['konomi56k.reassembled_tree'], where).toBeUndefined();
      }
      expect(got['konomi56k.reassembled_in'], where).toEqual(e.reassembledIn === undefined ? undefined : String(e.reassembledIn));
    });
    expect(rig.expected.filter((e) => e.reassembled)).toHaveLength(2);
  });

  it('lists at most max_elements elements per tensor and sums up the rest (a preference)', () => {
    const json = JSON.parse(runTshark(file, ['-o', 'konomi56k.max_elements:4', '-T', 'json', '--no-duplicate-keys', '-J', 'konomi56k'])) as TsharkPacket[];
    const at = rig.expected.findIndex((e) => e.reassembled && e.payload?.['konomi56k.tensor.output']);
    const output = json[at]!._source.layers.konomi56k!['konomi56k.reassembled_tree'] as Tree;
    const t = output['konomi56k.tensor.output'] as Tree;
    expect(t['konomi56k.tensor.count']).toBe('64');
    expect(t['konomi56k.tensor.element']).toEqual([...big(11).data.subarray(0, 4)].map(String));
    expect(String(t['konomi56k.tensor.unlisted'])).toBe(hex(new Uint8Array(encodeTensorOpReply({ dtype: 0, output: big(11) }).subarray(6 + 16))));
  });

  it('fills the Source and Destination columns with the line and the bridge, and summarises each frame in Info', () => {
    expect(columns).toHaveLength(rig.expected.length);
    rig.expected.forEach((e, i) => {
      const [src, dst, info] = columns[i]!;
      expect([src, dst], `frame ${i + 1}`).toEqual([e.src, e.dst]);
      expect(info, `frame ${i + 1}`).toContain(e.info);
    });
    expect(verbose).toContain('Prompt: What is κ?');
    expect(verbose).not.toContain('\ufffd');
  });

  it('flags malformed payloads as PROTOCOL.md defines them, and decodes ERROR messages leniently', async () => {
    const bad = new CaptureRig([LINE_A]);
    const raw = (opcode: number, flags: number, seq: number, payload: number[], fragment = 0): Uint8Array =>
      encodeFrame({ flags, opcode, seq, channel: 0, fragment, payload: Uint8Array.from(payload) });
    const frames: [Uint8Array, string[]][] = [
      [raw(Opcode.CUBE_MSG, REQ, 1, [0, 1, 9, 0x68, 0xff]), ['BAD_PAYLOAD: vertex 9 is not 0..8 or 255', 'BAD_PAYLOAD: text is not valid UTF-8']],
      [raw(Opcode.BLOCK_GET, REQ, 2, [0, 1, 0, 2, 0, 3, 4]), ['BAD_PAYLOAD: BLOCK_GET request: 1 extra bytes']],
      [raw(Opcode.TENSOR_OP, REQ, 3, [0x10, 0, 1, 0, 1, 0, 4, 0x3f, 0x80, 0, 0, 0x40, 0, 0, 0]), ['BAD_PAYLOAD: shape [4] needs 16 bytes, 8 left']],
      [raw(Opcode.TENSOR_OP, REQ, 4, [0x01, 0, 1, 0]), ['BAD_PAYLOAD: matmul takes 2 inputs, not 1']],
      [raw(Opcode.TENSOR_OP, REQ, 5, [0x77, 0, 1, 0]), ['UNSUPPORTED: tensor operation 0x77']],
      [raw(Opcode.HELLO, REQ, 6, [1, 0x10, 0, 0, 0, 0, 0]), ['BAD_PAYLOAD: window outside 1..64']],
      [raw(Opcode.HELLO, REQ, 7, [2, 0x10, 0, 8, 10, 0x61, 0x62]), ['UNSUPPORTED: protocol version 2', 'BAD_PAYLOAD: HELLO request: name needs 10 bytes, 2 left']],
      [raw(Opcode.LLM_QUERY, REQ, 8, [0, 0, 0, 0, 0, 0, 0x01, 0x01, 0x68]), ['BAD_PAYLOAD: max tokens outside 1..256']],
      [raw(Opcode.BLOCK_GET, ERR, 9, []), ['BAD_PAYLOAD: ERROR reply: empty payload']],
      [raw(Opcode.BLOCK_GET, ERR, 10, [6, 0x6e, 0x6f, 0xff]), ['NOT_FOUND: no\ufffd']],
      [raw(Opcode.PING, REQ | Flag.MORE, 11, [1]), []],
      [raw(Opcode.TENSOR_OP, REQ, 11, [2], 1), ['BAD_PAYLOAD: fragments disagree: another opcode']],
    ];
    await bad.send(LINE_A, 'in', frames.map(([wire]) => wire), []);
    const path = join(dir, 'malformed.pcapng');
    writeFileSync(path, bad.file());
    const json = JSON.parse(runTshark(path, ['-T', 'json', '--no-duplicate-keys', '-J', 'konomi56k'])) as TsharkPacket[];
    expect(json).toHaveLength(frames.length);
    json.forEach((p, i) => {
      const messages = expertMessages(p._source.layers.konomi56k ?? {}).filter((m) => !m.startsWith('fragment '));
      expect(messages, `frame ${i + 1}`).toEqual(frames[i]![1]);
    });
    // A garbled ERROR message never hides the code: it is decoded with U+FFFD, not refused.
    const lenient = withoutExperts(json[9]!._source.layers.konomi56k!)['konomi56k.payload_tree'];
    expect(lenient).toEqual({ 'konomi56k.error.code': '6', 'konomi56k.error.message': 'no\ufffd' });
  });
});
