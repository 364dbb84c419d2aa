/**
 * Builds tests/vectors/frames.json, the golden vectors shared with the C guest.
 * Run: npx tsx tests/vectors/generate.ts   (tests/vectors/vectors.test.ts checks the file is current)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ErrorCode,
  Flag,
  Fragmenter,
  MAX_PAYLOAD,
  Opcode,
  crc16,
  encodeContent,
  encodeFrame,
  type ErrorCodeName,
  type Frame,
} from '../../protocol/index.js';
import { encodeFromFields, toHex, type Fields, type PayloadKind } from './payloadFields.js';

export const VECTORS_PATH = fileURLToPath(new URL('./frames.json', import.meta.url));

interface PayloadCase {
  name: string;
  opcode: number;
  kind: PayloadKind;
  fields: Fields;
}

const HASH = '7e7d00112233445566778899aabbccddeeff0102030405060708090a0b0c7d7e';

const payloadCases: PayloadCase[] = [
  {
    name: 'hello request',
    opcode: Opcode.HELLO,
    kind: 'request',
    fields: { version: 1, max_content: 4096, window: 8, name: 'xp10', token_hex: '', vertices: [] },
  },
  {
    name: 'hello reply with token and vertices',
    opcode: Opcode.HELLO,
    kind: 'reply',
    fields: {
      version: 1,
      max_content: 1024,
      window: 4,
      name: 'bridge',
      token_hex: '7e7d0102',
      vertices: [
        { cube: 1, vertex: 0, channel: 1 },
        { cube: 1, vertex: 8, channel: 2 },
      ],
    },
  },
  { name: 'ping request', opcode: Opcode.PING, kind: 'request', fields: { data_hex: '68656c6c6f' } },
  { name: 'ping reply', opcode: Opcode.PING, kind: 'reply', fields: { data_hex: '68656c6c6f' } },
  { name: 'block_get request', opcode: Opcode.BLOCK_GET, kind: 'request', fields: { x: 1, y: 2, z: 3 } },
  {
    name: 'block_get reply active',
    opcode: Opcode.BLOCK_GET,
    kind: 'reply',
    fields: { active: true, value: 3.25, hash_hex: HASH },
  },
  {
    name: 'block_get reply inactive',
    opcode: Opcode.BLOCK_GET,
    kind: 'reply',
    fields: { active: false, value: 0, hash_hex: '00'.repeat(32) },
  },
  { name: 'block_set request', opcode: Opcode.BLOCK_SET, kind: 'request', fields: { x: 126, y: 125, z: 65535, value: -1.5 } },
  { name: 'block_set reply', opcode: Opcode.BLOCK_SET, kind: 'reply', fields: { index: '42', hash_hex: HASH } },
  {
    name: 'llm_query request',
    opcode: Opcode.LLM_QUERY,
    kind: 'request',
    fields: { x: 0, y: 0, z: 1, max_tokens: 32, prompt: 'What is κ?' },
  },
  { name: 'llm_query reply', opcode: Opcode.LLM_QUERY, kind: 'reply', fields: { kappa: 0.5, tokens: 3, text: 'a b c' } },
  { name: 'cube_msg request', opcode: Opcode.CUBE_MSG, kind: 'request', fields: { cube: 1, vertex: 8, text: 'think' } },
  { name: 'cube_msg request whole cube', opcode: Opcode.CUBE_MSG, kind: 'request', fields: { cube: 2, vertex: 255, text: 'all' } },
  { name: 'cube_msg reply', opcode: Opcode.CUBE_MSG, kind: 'reply', fields: { vertex: 3, kappa: 1.25, text: 'ok' } },
  {
    name: 'tensor_op matmul request',
    opcode: Opcode.TENSOR_OP,
    kind: 'request',
    fields: {
      op: 1,
      dtype: 0,
      params: [],
      inputs: [
        { shape: [2, 2], data: [1, 2, 3, 4] },
        { shape: [2, 1], data: [0.5, -1] },
      ],
    },
  },
  {
    name: 'tensor_op conv2d request',
    opcode: Opcode.TENSOR_OP,
    kind: 'request',
    fields: {
      op: 4,
      dtype: 0,
      params: [1, 0],
      inputs: [
        { shape: [1, 1, 2, 2], data: [1, 2, 3, 4] },
        { shape: [1, 1, 1, 1], data: [2] },
      ],
    },
  },
  {
    name: 'tensor_op relu request',
    opcode: Opcode.TENSOR_OP,
    kind: 'request',
    fields: { op: 0x10, dtype: 0, params: [], inputs: [{ shape: [3], data: [-1, 0, 2.5] }] },
  },
  { name: 'tensor_op reply', opcode: Opcode.TENSOR_OP, kind: 'reply', fields: { dtype: 0, output: { shape: [2, 1], data: [-1.5, -2.5] } } },
  ...(Object.keys(ErrorCode) as ErrorCodeName[]).map(
    (name): PayloadCase => ({
      name: `error ${name}`,
      opcode: Opcode.BLOCK_GET,
      kind: 'error',
      fields: { code: ErrorCode[name], message: `${name.toLowerCase()} example` },
    }),
  ),
  {
    name: 'hello request with boot id',
    opcode: Opcode.HELLO,
    kind: 'request',
    fields: { version: 1, max_content: 4096, window: 8, name: 'xp10', token_hex: '', vertices: [], boot_id: 0x7e7d1234 },
  },
  { name: 'llm_teach request', opcode: Opcode.LLM_TEACH, kind: 'request', fields: { x: 1, y: 2, z: 3, steps: 100, text: 'Permission is hereby granted' } },
  { name: 'llm_teach request default steps', opcode: Opcode.LLM_TEACH, kind: 'request', fields: { x: 65535, y: 0, z: 7, steps: 0, text: 'ls -l' } },
  // Bits are f32 on the wire: values exact in f32, so the fields read back equal.
  { name: 'llm_teach reply', opcode: Opcode.LLM_TEACH, kind: 'reply', fields: { steps: 100, bits_before: 6.25, bits_after: 4.5 } },
  { name: 'program save request', opcode: Opcode.PROGRAM, kind: 'request', fields: { operation: 1, name: 'HELLO-2', text: '10 PRINT "κ"\n20 END\n' } },
  { name: 'program load request', opcode: Opcode.PROGRAM, kind: 'request', fields: { operation: 2, name: 'HELLO-2' } },
  { name: 'program list request', opcode: Opcode.PROGRAM, kind: 'request', fields: { operation: 3 } },
  { name: 'program delete request', opcode: Opcode.PROGRAM, kind: 'request', fields: { operation: 4, name: 'OLD_1' } },
  { name: 'program save reply', opcode: Opcode.PROGRAM, kind: 'reply', fields: { operation: 1 } },
  { name: 'program load reply', opcode: Opcode.PROGRAM, kind: 'reply', fields: { operation: 2, text: '10 PRINT "κ"\n20 END\n' } },
  {
    name: 'program list reply',
    opcode: Opcode.PROGRAM,
    kind: 'reply',
    fields: {
      operation: 3,
      programs: [
        { name: 'HELLO-2', size: 21, updated: 1796428800 },
        { name: 'LIFE', size: 1234, updated: 1796428801 },
      ],
    },
  },
  { name: 'program list reply empty', opcode: Opcode.PROGRAM, kind: 'reply', fields: { operation: 3, programs: [] } },
  { name: 'program delete reply', opcode: Opcode.PROGRAM, kind: 'reply', fields: { operation: 4 } },
  { name: 'program append request', opcode: Opcode.PROGRAM, kind: 'request', fields: { operation: 5, name: 'BIG', text: '30 REM κ\n' } },
  { name: 'program append reply', opcode: Opcode.PROGRAM, kind: 'reply', fields: { operation: 5 } },
  { name: 'program read request', opcode: Opcode.PROGRAM, kind: 'request', fields: { operation: 6, name: 'BIG', offset: 32767 } },
  { name: 'program read reply', opcode: Opcode.PROGRAM, kind: 'reply', fields: { operation: 6, size: 100000, text: '30 REM κ\n' } },
  { name: 'agents request', opcode: Opcode.AGENTS, kind: 'request', fields: {} },
  {
    name: 'agents reply',
    opcode: Opcode.AGENTS,
    kind: 'reply',
    fields: {
      agents: [
        { id: 1, name: 'LIFE', state: 'running', hosts: null, statements: 123456, memoryBytes: 20480, lastLine: 'generation 7 alive 301' },
        { id: 2, name: 'ECHO', state: 'ended', hosts: { cube: 1, vertex: 5 }, statements: 42, memoryBytes: 3072, lastLine: 'heard κ' },
      ],
    },
  },
];

/** Wraps already-built content (header, payload, CRC) in flags with escapes. */
function escapeFrame(content: Uint8Array): Uint8Array {
  const out = [0x7e];
  for (const b of content) {
    if (b === 0x7e || b === 0x7d) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  out.push(0x7e);
  return new Uint8Array(out);
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** The first single-byte payload whose CRC contains `byte` at `position` (0 high, 1 low). */
function payloadWithCrcByte(byte: number, position: 0 | 1): Uint8Array {
  for (let v = 0; v < 0x10000; v++) {
    const payload = new Uint8Array([v >>> 8, v & 0xff]);
    const frame: Frame = { flags: 0, opcode: Opcode.PING, seq: 9, channel: 0, fragment: 0, payload };
    const content = encodeContent(frame);
    const crc = crc16(content, 0, content.length - 2);
    if (((position === 0 ? crc >>> 8 : crc) & 0xff) === byte) return payload;
  }
  throw new Error('no payload found');
}

const kindFlags = (kind: PayloadKind): number =>
  kind === 'request' ? 0 : kind === 'reply' ? Flag.REPLY : Flag.REPLY | Flag.ERROR;

interface NamedFrame extends Frame {
  name: string;
}

function frameCases(): NamedFrame[] {
  const frames: NamedFrame[] = payloadCases.map((c, i) => ({
    name: c.name,
    flags: kindFlags(c.kind),
    opcode: c.opcode,
    seq: 100 + i,
    channel: i % 3,
    fragment: 0,
    payload: encodeFromFields(c.opcode, c.kind, c.fields),
  }));
  const f = (name: string, flags: number, opcode: number, seq: number, channel: number, payload: Uint8Array): NamedFrame => ({
    name,
    flags,
    opcode,
    seq,
    channel,
    fragment: 0,
    payload,
  });
  frames.push(
    f('nak', Flag.NOREPLY, Opcode.NAK, 0, 0, new Uint8Array(0)),
    f('noreply ping', Flag.NOREPLY, Opcode.PING, 5, 0, new Uint8Array([1, 2, 3])),
    f('empty ping', 0, Opcode.PING, 1, 0, new Uint8Array(0)),
    f('unsupported opcode request', 0, 0x55, 6, 0, new Uint8Array([0xaa])),
    f('escape 7e 7d in seq', 0, Opcode.PING, 0x7e7d, 0, new Uint8Array([0])),
    f('escape 7e in channel', 0, Opcode.PING, 7, 0x7e, new Uint8Array(0)),
    f('escape 7e in length (126 bytes)', 0, Opcode.PING, 8, 0, pattern(0x7e, 3)),
    f('escape 7d in length (125 bytes)', 0, Opcode.PING, 8, 0, pattern(0x7d, 3)),
    f('escape in payload', 0, Opcode.PING, 10, 0, new Uint8Array([0x7e, 0x7d, 0x5e, 0x5d, 0x7e])),
    f('escape 7e in crc high byte', 0, Opcode.PING, 9, 0, payloadWithCrcByte(0x7e, 0)),
    f('escape 7d in crc low byte', 0, Opcode.PING, 9, 0, payloadWithCrcByte(0x7d, 1)),
    f('max size content', 0, Opcode.TENSOR_OP, 11, 1, pattern(MAX_PAYLOAD, 7)),
    f('max size content all flags', Flag.REPLY, Opcode.PING, 12, 0, new Uint8Array(MAX_PAYLOAD).fill(0x7e)),
    f('seq 65535', 0, Opcode.PING, 0xffff, 255, new Uint8Array([0xff])),
  );
  return frames;
}

function messageCases() {
  const fragmenter = new Fragmenter();
  const m = (name: string, flags: number, opcode: number, seq: number, channel: number, payload: Uint8Array) => ({
    name,
    flags,
    opcode,
    seq,
    channel,
    payload_hex: toHex(payload),
    frames_wire_hex: fragmenter.encode({ flags, opcode, seq, channel, payload }).map(toHex),
  });
  return [
    m('single fragment', 0, Opcode.PING, 3, 0, pattern(10, 1)),
    m('2 fragments, last short', 0, Opcode.TENSOR_OP, 7, 0, pattern(MAX_PAYLOAD + 100, 2)),
    m('3 fragments, last short', 0, Opcode.LLM_QUERY, 0x7e7e, 2, pattern(2 * MAX_PAYLOAD + 5, 3)),
    m('2 full fragments', Flag.REPLY, Opcode.TENSOR_OP, 8, 1, pattern(2 * MAX_PAYLOAD, 4)),
    m('fragmented noreply', Flag.NOREPLY, Opcode.CUBE_MSG, 9, 3, pattern(MAX_PAYLOAD + 1, 5)),
  ];
}

type ErrorCounts = Partial<Record<'BAD_CRC' | 'TOO_SHORT' | 'TOO_LONG' | 'BAD_ESCAPE' | 'BAD_VERSION' | 'LENGTH_MISMATCH', number>>;

function streamCases() {
  const frameA: Frame = { flags: 0, opcode: Opcode.PING, seq: 1, channel: 0, fragment: 0, payload: new Uint8Array([0x7e, 1, 2]) };
  const frameB: Frame = { flags: Flag.REPLY, opcode: Opcode.PING, seq: 1, channel: 0, fragment: 0, payload: new Uint8Array([0x7d]) };
  const frameC: Frame = { flags: 0, opcode: Opcode.BLOCK_GET, seq: 2, channel: 1, fragment: 0, payload: new Uint8Array([0, 1, 0, 2, 0, 3]) };
  const wa = encodeFrame(frameA);
  const wb = encodeFrame(frameB);
  const wc = encodeFrame(frameC);
  const inner = (w: Uint8Array) => w.subarray(1, w.length - 1);
  const withByte = (w: Uint8Array, index: number, xor: number) => {
    const copy = w.slice();
    copy[index]! ^= xor;
    return copy;
  };
  /** A frame whose CRC is valid for content that breaks another rule. */
  const rawFrame = (content: number[]) => {
    const c = new Uint8Array([...content, 0, 0]);
    const crc = crc16(c, 0, c.length - 2);
    c[c.length - 2] = crc >>> 8;
    c[c.length - 1] = crc & 0xff;
    return escapeFrame(c);
  };
  const cat = (...parts: (Uint8Array | number[])[]) => {
    const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
    const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  };
  const content = (fr: Frame) => toHex(encodeContent(fr));
  const s = (name: string, wire: Uint8Array, frames: Frame[], errors: ErrorCounts, bytesDiscarded: number) => ({
    name,
    wire_hex: toHex(wire),
    frames_content_hex: frames.map(content),
    errors: { BAD_CRC: 0, TOO_SHORT: 0, TOO_LONG: 0, BAD_ESCAPE: 0, BAD_VERSION: 0, LENGTH_MISMATCH: 0, ...errors },
    bytes_discarded: bytesDiscarded,
  });
  const longRun = new Uint8Array(5000).fill(0x41);
  return [
    s('three frames back to back', cat(wa, wb, wc), [frameA, frameB, frameC], {}, 0),
    s('frames sharing one flag', cat(wa, inner(wb), [0x7e], inner(wc), [0x7e]), [frameA, frameB, frameC], {}, 0),
    s('runs of flags', cat([0x7e, 0x7e, 0x7e], wa, [0x7e, 0x7e], wb, [0x7e, 0x7e, 0x7e, 0x7e]), [frameA, frameB], {}, 0),
    s('garbage before the first flag', cat([0x01, 0x02, 0x7d, 0x5e, 0xff], wa), [frameA], {}, 5),
    s('garbage between frames (too short)', cat(wa, [0x01, 0x02, 0x03], wb), [frameA, frameB], { TOO_SHORT: 1 }, 3),
    s(
      'garbage between frames (bad crc)',
      cat(wa, [0x10, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34], wb),
      [frameA, frameB],
      { BAD_CRC: 1 },
      10,
    ),
    s('bad crc then valid frame', cat(withByte(wa, 4, 0x01), wb), [frameB], { BAD_CRC: 1 }, wa.length - 2),
    s('truncated frame then valid frame', cat(wa.subarray(0, wa.length - 3), wb), [frameB], { BAD_CRC: 1 }, wa.length - 4),
    s('truncated header then valid frame', cat(wa.subarray(0, 5), wc), [frameC], { TOO_SHORT: 1 }, 4),
    s('bad escape then valid frame', cat([0x7e, 0x10, 0x02, 0x7d, 0x41, 0x00, 0x01], wb), [frameB], { BAD_ESCAPE: 1 }, 6),
    s('escape before flag aborts the frame', cat([0x7e, 0x10, 0x02, 0x7d], wb), [frameB], { BAD_ESCAPE: 1 }, 3),
    s('too long then valid frame', cat([0x7e], longRun, wc), [frameC], { TOO_LONG: 1 }, 5000),
    s('bad version', cat(rawFrame([0x21, 0x02, 0, 1, 0, 0, 0, 0]), wa), [frameA], { BAD_VERSION: 1 }, 10),
    s('length mismatch', cat(rawFrame([0x10, 0x02, 0, 1, 0, 0, 0, 5, 1, 2]), wa), [frameA], { LENGTH_MISMATCH: 1 }, 12),
    s(
      'every error then every frame',
      cat(
        [0x55, 0x55],
        withByte(wa, 3, 0x80),
        [0x7e, 0x7d, 0x00, 0x7e],
        rawFrame([0x31, 0x02, 0, 1, 0, 0, 0, 0]),
        wa,
        [0x7e, 1, 0x7e],
        wb,
        wc,
      ),
      [frameA, frameB, frameC],
      { BAD_CRC: 1, BAD_ESCAPE: 1, BAD_VERSION: 1, TOO_SHORT: 1 },
      2 + (wa.length - 2) + 2 + 10 + 1,
    ),
  ];
}

export function buildVectors() {
  return {
    version: 1,
    crc16: [
      { name: 'check', data_hex: toHex(new TextEncoder().encode('123456789')), crc: crc16(new TextEncoder().encode('123456789')).toString(16).padStart(4, '0') },
      { name: 'empty', data_hex: '', crc: 'ffff' },
      { name: 'one zero byte', data_hex: '00', crc: crc16(new Uint8Array([0])).toString(16).padStart(4, '0') },
      { name: 'flag and escape', data_hex: '7e7d', crc: crc16(new Uint8Array([0x7e, 0x7d])).toString(16).padStart(4, '0') },
    ],
    frames: frameCases().map((fr) => ({
      name: fr.name,
      flags: fr.flags,
      opcode: fr.opcode,
      seq: fr.seq,
      channel: fr.channel,
      fragment: fr.fragment,
      payload_hex: toHex(fr.payload),
      content_hex: toHex(encodeContent(fr)),
      wire_hex: toHex(encodeFrame(fr)),
    })),
    messages: messageCases(),
    streams: streamCases(),
    payloads: payloadCases.map((c) => ({
      name: c.name,
      opcode: c.opcode,
      kind: c.kind,
      fields: c.fields,
      payload_hex: toHex(encodeFromFields(c.opcode, c.kind, c.fields)),
    })),
  };
}

export function renderVectors(): string {
  return `${JSON.stringify(buildVectors(), null, 2)}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(VECTORS_PATH, renderVectors());
  console.log(`wrote ${VECTORS_PATH}`);
}
