import { readFileSync } from 'node:fs';
import crc16ccitt from 'crc/calculators/crc16ccitt';
import { describe, expect, it } from 'vitest';
import {
  FRAME_ERROR_CODES,
  FrameDecoder,
  Fragmenter,
  Reassembler,
  crc16,
  encodeContent,
  encodeFrame,
  type Frame,
  type FrameErrorCode,
} from '../../protocol/index.js';
import { VECTORS_PATH, renderVectors } from './generate.js';
import { decodeToFields, encodeFromFields, fromHex, toHex, type Fields, type PayloadKind } from './payloadFields.js';

interface Vectors {
  version: number;
  crc16: { name: string; data_hex: string; crc: string }[];
  frames: (Omit<Frame, 'payload'> & { name: string; payload_hex: string; content_hex: string; wire_hex: string })[];
  messages: { name: string; flags: number; opcode: number; seq: number; channel: number; payload_hex: string; frames_wire_hex: string[] }[];
  streams: { name: string; wire_hex: string; frames_content_hex: string[]; errors: Record<FrameErrorCode, number>; bytes_discarded: number }[];
  payloads: { name: string; opcode: number; kind: PayloadKind; fields: Fields; payload_hex: string }[];
}

const text = readFileSync(VECTORS_PATH, 'utf8');
const vectors = JSON.parse(text) as Vectors;

interface DecodeResult {
  contents: string[];
  frames: Frame[];
  errors: Record<FrameErrorCode, number>;
  bytesDiscarded: number;
  maxBuffered: number;
}

/** Decodes `wire` fed as the given chunks. */
function decode(chunks: Uint8Array[]): DecodeResult {
  const decoder = new FrameDecoder();
  const contents: string[] = [];
  const frames: Frame[] = [];
  decoder.onFrame((frame, content) => {
    contents.push(toHex(content));
    frames.push({ ...frame, payload: frame.payload.slice() });
  });
  let maxBuffered = 0;
  for (const chunk of chunks) {
    decoder.push(chunk);
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
  }
  return { contents, frames, errors: { ...decoder.stats.errors }, bytesDiscarded: decoder.stats.bytesDiscarded, maxBuffered };
}

function signature(r: DecodeResult): string {
  return JSON.stringify([r.contents, r.errors, r.bytesDiscarded, r.maxBuffered <= 4096]);
}

/**
 * Cuts `wire` in two at every position, and also feeds it byte by byte; returns the cut
 * positions (-1 for byte by byte) whose outcome differs from `expected`.
 */
function failingSplits(wire: Uint8Array, expected: string): number[] {
  const failures: number[] = [];
  for (let k = 1; k < wire.length; k++) {
    if (signature(decode([wire.subarray(0, k), wire.subarray(k)])) !== expected) failures.push(k);
  }
  if (signature(decode(Array.from(wire, (b) => new Uint8Array([b])))) !== expected) failures.push(-1);
  return failures;
}

describe('tests/vectors/frames.json', () => {
  it('is what generate.ts produces (run `npx tsx tests/vectors/generate.ts` after codec changes)', () => {
    expect(text).toBe(renderVectors());
  });

  it('uses lowercase hex without spaces everywhere', () => {
    const hexValues = text.match(/"[a-z_]*hex": "[^"]*"/g) ?? [];
    expect(hexValues.length).toBeGreaterThan(100);
    for (const value of hexValues) expect(value).toMatch(/"[a-z_]*hex": "([0-9a-f]{2})*"$/);
  });

  it('crc16 vectors match both our table and the crc package', () => {
    for (const v of vectors.crc16) {
      const data = fromHex(v.data_hex);
      expect(crc16(data).toString(16).padStart(4, '0'), v.name).toBe(v.crc);
      expect(crc16ccitt(data).toString(16).padStart(4, '0'), v.name).toBe(v.crc);
    }
    expect(vectors.crc16[0]?.crc).toBe('29b1');
  });

  it('covers every opcode, error code, escape position and the maximum size', () => {
    const opcodes = new Set(vectors.frames.map((f) => f.opcode));
    for (const op of [0x01, 0x02, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x7f]) expect(opcodes.has(op)).toBe(true);
    expect(vectors.payloads.filter((p) => p.kind === 'error').length).toBe(9);
    expect(vectors.frames.some((f) => f.content_hex.length === 4096 * 2)).toBe(true);
    const escapedCrc = vectors.frames.filter((f) => /7d5[de]7e$/.test(f.wire_hex) || /7d5[de][0-9a-f]{2}7e$/.test(f.wire_hex));
    expect(escapedCrc.length).toBeGreaterThanOrEqual(2);
    expect(vectors.messages.map((m) => m.frames_wire_hex.length)).toEqual(expect.arrayContaining([2, 3]));
  });

  describe.each(vectors.frames)('frame $name', (v) => {
    const payload = fromHex(v.payload_hex);
    const frame: Frame = { flags: v.flags, opcode: v.opcode, seq: v.seq, channel: v.channel, fragment: v.fragment, payload };

    it('encodes to the vector', () => {
      expect(toHex(encodeContent(frame))).toBe(v.content_hex);
      expect(toHex(encodeFrame(frame))).toBe(v.wire_hex);
    });

    it('decodes, whole and at every chunk boundary', () => {
      const wire = fromHex(v.wire_hex);
      const whole = decode([wire]);
      expect(whole.contents).toEqual([v.content_hex]);
      expect(whole.frames[0]).toEqual(frame);
      expect(whole.bytesDiscarded).toBe(0);
      expect(failingSplits(wire, signature(whole))).toEqual([]);
    });
  });

  describe.each(vectors.messages)('message $name', (v) => {
    it('fragments to the vector and reassembles', () => {
      const payload = fromHex(v.payload_hex);
      const wires = new Fragmenter().encode({ flags: v.flags, opcode: v.opcode, seq: v.seq, channel: v.channel, payload });
      expect(wires.map(toHex)).toEqual(v.frames_wire_hex);
      const decoded = decode(v.frames_wire_hex.map(fromHex)).frames;
      const reassembler = new Reassembler();
      const results = decoded.map((f) => reassembler.push(f, 0));
      const last = results.at(-1);
      expect(results.slice(0, -1).every((r) => r.status === 'pending')).toBe(true);
      expect(last?.status).toBe('complete');
      if (last?.status === 'complete') {
        expect(toHex(last.message.payload)).toBe(v.payload_hex);
        expect(last.message).toMatchObject({ flags: v.flags, opcode: v.opcode, seq: v.seq, channel: v.channel });
      }
    });
  });

  describe.each(vectors.streams)('stream $name', (v) => {
    it('yields the listed frames and errors at every chunk boundary', () => {
      const wire = fromHex(v.wire_hex);
      expect(Object.keys(v.errors).sort()).toEqual([...FRAME_ERROR_CODES].sort());
      const whole = decode([wire]);
      expect(whole.contents).toEqual(v.frames_content_hex);
      expect(whole.errors).toEqual(v.errors);
      expect(whole.bytesDiscarded).toBe(v.bytes_discarded);
      expect(failingSplits(wire, signature(whole))).toEqual([]);
    });
  });

  describe.each(vectors.payloads)('payload $name', (v) => {
    it('encodes from its fields and decodes back to them', () => {
      expect(toHex(encodeFromFields(v.opcode, v.kind, v.fields))).toBe(v.payload_hex);
      expect(decodeToFields(v.opcode, v.kind, fromHex(v.payload_hex), v.fields)).toEqual(v.fields);
    });
  });
});
