import { FemtoError } from './FemtoError.js';

/** Entries of an instance's matrix P (16 × 16). */
export const LESSON_MATRIX = 256;
/** Entries of a taught instance's output bias: one per token of the 512-token vocabulary. */
export const LESSON_BIAS = 512;
/** Version byte of the stored form; a reader refuses any other. */
export const LESSON_VERSION = 1;
const HEADER = 24;
/** Bytes of a stored lesson: a 24-byte header, P (256 int8) and the bias (512 int8). */
export const LESSON_BYTES = HEADER + LESSON_MATRIX + LESSON_BIAS;

/**
 * What teaching left in one instance: its own parameters (the matrix P, now learned, and an
 * output bias over the vocabulary, both int8 with one scale each: 768 bytes of parameters) and
 * what the teaching measured. The shared base is not in it: it stays frozen.
 */
export interface FemtoLesson {
  readonly matrix: Int8Array;
  readonly matrixScale: number;
  readonly bias: Int8Array;
  readonly biasScale: number;
  /** Optimiser steps run. */
  readonly steps: number;
  /** Bytes of the text taught (the last teaching). */
  readonly textBytes: number;
  /** Bits per character of the taught text under the instance before and after this teaching. */
  readonly bitsBefore: number;
  readonly bitsAfter: number;
}

/**
 * The stored form (version 1), little-endian:
 *   u8 version, u8 reserved (0), u16 steps, u32 textBytes,
 *   f32 matrixScale, f32 biasScale, f32 bitsBefore, f32 bitsAfter,
 *   i8[256] P (row-major), i8[512] bias.
 * Floats go through f32, so a lesson read back is the lesson the instance uses (encodeLesson
 * rounds them the same way the instance does when taught: FemtoTeacher stores them as f32).
 */
export function encodeLesson(l: FemtoLesson): Uint8Array {
  if (l.matrix.length !== LESSON_MATRIX || l.bias.length !== LESSON_BIAS) {
    throw new FemtoError('OUT_OF_RANGE', `a lesson has ${LESSON_MATRIX} matrix and ${LESSON_BIAS} bias entries`);
  }
  const out = new Uint8Array(LESSON_BYTES);
  const v = new DataView(out.buffer);
  v.setUint8(0, LESSON_VERSION);
  v.setUint16(2, Math.min(0xffff, l.steps), true);
  v.setUint32(4, l.textBytes, true);
  v.setFloat32(8, l.matrixScale, true);
  v.setFloat32(12, l.biasScale, true);
  v.setFloat32(16, l.bitsBefore, true);
  v.setFloat32(20, l.bitsAfter, true);
  out.set(new Uint8Array(l.matrix.buffer, l.matrix.byteOffset, LESSON_MATRIX), HEADER);
  out.set(new Uint8Array(l.bias.buffer, l.bias.byteOffset, LESSON_BIAS), HEADER + LESSON_MATRIX);
  return out;
}

/** Reads a stored lesson; FemtoError BAD_WEIGHTS if it is not a version-1 lesson. */
export function decodeLesson(bytes: Uint8Array): FemtoLesson {
  if (bytes.length !== LESSON_BYTES) throw new FemtoError('BAD_WEIGHTS', `a lesson is ${LESSON_BYTES} bytes, got ${bytes.length}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint8(0) !== LESSON_VERSION) throw new FemtoError('BAD_WEIGHTS', `lesson version ${v.getUint8(0)}; this build reads ${LESSON_VERSION}`);
  const scales = [v.getFloat32(8, true), v.getFloat32(12, true)];
  if (!scales.every((s) => Number.isFinite(s) && s >= 0)) throw new FemtoError('BAD_WEIGHTS', 'lesson scales must be finite and ≥ 0');
  return {
    steps: v.getUint16(2, true),
    textBytes: v.getUint32(4, true),
    matrixScale: scales[0] as number,
    biasScale: scales[1] as number,
    bitsBefore: v.getFloat32(16, true),
    bitsAfter: v.getFloat32(20, true),
    matrix: Int8Array.from(bytes.subarray(HEADER, HEADER + LESSON_MATRIX), (b) => (b << 24) >> 24),
    bias: Int8Array.from(bytes.subarray(HEADER + LESSON_MATRIX, LESSON_BYTES), (b) => (b << 24) >> 24),
  };
}
