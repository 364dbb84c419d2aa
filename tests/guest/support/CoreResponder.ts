import { decodeLlmTeachRequest, encodeLlmTeachReply } from '../../../protocol/payloads/llmTeach.js';
import {
  ErrorCode,
  Flag,
  FrameDecoder,
  Opcode,
  decodeBlockGetRequest,
  decodeBlockSetRequest,
  decodeCubeMsgRequest,
  decodeLlmQueryRequest,
  decodeTensorOpRequest,
  encodeBlockGetReply,
  encodeBlockSetReply,
  encodeCubeMsgReply,
  encodeErrorPayload,
  encodeFrame,
  encodeHello,
  encodeLlmQueryReply,
  encodeTensorOpReply,
  makeHello,
  type Frame,
  type Line,
} from '../../../protocol/index.js';

/** What the responder answers for a request: a payload, an error, or nothing at all. */
export type Answer = { payload: Uint8Array } | { error: number; message: string } | 'silent';
export type Override = (frame: Frame) => Answer | undefined;

interface PendingRequest {
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A tiny stand-in for the Konomi core on the far end of XP10's COM1, built from the
 * protocol package's codec (not its Session, so the tests see XP10's own retransmits and
 * NAKs): it answers every opcode with a recognisable result, records every frame, and can
 * send requests into XP10 and await the replies.
 */
export class CoreResponder {
  readonly received: Frame[] = [];
  readonly decodeErrors: string[] = [];
  override: Override | undefined;
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, PendingRequest>();
  private nextSeq = 1000;

  constructor(private readonly line: Line) {
    this.decoder.onFrame((frame) => this.onFrame({ ...frame, payload: frame.payload.slice() }));
    this.decoder.onError((event) => this.decodeErrors.push(event.code));
    line.onData((chunk) => this.decoder.push(chunk));
  }

  /** Frames XP10 sent with this opcode (requests and replies). */
  framesWith(opcode: number): Frame[] {
    return this.received.filter((f) => f.opcode === opcode);
  }

  /** Writes a frame as-is (for garbage and corruption tests). */
  writeRaw(bytes: Uint8Array): void {
    this.line.write(bytes);
  }

  /** Sends a request into XP10 and resolves with its reply frame. */
  request(opcode: number, payload: Uint8Array, options: { channel?: number; timeoutMs?: number } = {}): Promise<Frame> {
    const seq = this.nextSeq++ & 0xffff;
    const frame: Frame = { flags: 0, opcode, seq, channel: options.channel ?? 0, fragment: 0, payload };
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`no reply to ${opcode} seq ${seq}`));
      }, options.timeoutMs ?? 5000);
      this.pending.set(seq, { resolve, reject, timer });
      this.line.write(encodeFrame(frame));
    });
  }

  private onFrame(frame: Frame): void {
    this.received.push(frame);
    if (frame.opcode === Opcode.NAK) return;
    if (frame.flags & Flag.REPLY) {
      const waiter = this.pending.get(frame.seq);
      if (!waiter) return;
      this.pending.delete(frame.seq);
      clearTimeout(waiter.timer);
      waiter.resolve(frame);
      return;
    }
    const answer = this.override?.(frame) ?? defaultAnswer(frame);
    if (answer === 'silent') return;
    const isError = 'error' in answer;
    const payload = isError ? encodeErrorPayload({ code: answer.error, message: answer.message }) : answer.payload;
    const flags = Flag.REPLY | (isError ? Flag.ERROR : 0);
    this.line.write(encodeFrame({ flags, opcode: frame.opcode, seq: frame.seq, channel: frame.channel, fragment: 0, payload }));
  }
}

const HASH = Uint8Array.from({ length: 32 }, (_, i) => i);

function defaultAnswer(frame: Frame): Answer {
  const p = frame.payload;
  switch (frame.opcode) {
    case Opcode.HELLO:
      return { payload: encodeHello(makeHello({ name: 'test-core' })) };
    case Opcode.PING:
      return { payload: p };
    case Opcode.BLOCK_GET: {
      const at = decodeBlockGetRequest(p);
      return { payload: encodeBlockGetReply({ active: true, value: at.x + at.y + at.z + 0.5, hash: HASH }) };
    }
    case Opcode.BLOCK_SET: {
      decodeBlockSetRequest(p);
      return { payload: encodeBlockSetReply({ index: 41n, hash: HASH }) };
    }
    case Opcode.LLM_QUERY: {
      const q = decodeLlmQueryRequest(p);
      return { payload: encodeLlmQueryReply({ kappa: 0.75, tokens: 3, text: `echo(${q.prompt}) at ${q.x},${q.y},${q.z}` }) };
    }
    case Opcode.LLM_TEACH: {
      // Says what it received: bits before = text length, after = z / 2, steps as asked (0: 100).
      const q = decodeLlmTeachRequest(p);
      return { payload: encodeLlmTeachReply({ steps: q.steps === 0 ? 100 : q.steps, bitsBefore: q.text.length, bitsAfter: q.z / 2 }) };
    }
    case Opcode.CUBE_MSG: {
      const m = decodeCubeMsgRequest(p);
      return { payload: encodeCubeMsgReply({ vertex: m.vertex === 0xff ? 8 : m.vertex, kappa: 1.25, text: `cube ${m.cube} says ${m.text}` }) };
    }
    case Opcode.TENSOR_OP:
      return tensorAnswer(p);
    default:
      return { error: ErrorCode.UNSUPPORTED, message: 'unknown opcode' };
  }
}

/** relu and matmul, enough to see XP10's inline tensors arrive intact. */
function tensorAnswer(payload: Uint8Array): Answer {
  const request = decodeTensorOpRequest(payload);
  const [a, b] = request.inputs;
  if (request.op === 0x10 && a) {
    return { payload: encodeTensorOpReply({ dtype: 0, output: { shape: a.shape, data: a.data.map((v) => Math.max(0, v)) } }) };
  }
  if (request.op === 0x01 && a && b && a.shape.length === 2 && b.shape.length === 2) {
    const [n, k] = a.shape as [number, number];
    const m = b.shape[1]!;
    if (b.shape[0] !== k) return { error: ErrorCode.BAD_PAYLOAD, message: 'matmul shapes do not agree' };
    const out = new Float32Array(n * m);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) for (let t = 0; t < k; t++) out[i * m + j]! += a.data[i * k + t]! * b.data[t * m + j]!;
    return { payload: encodeTensorOpReply({ dtype: 0, output: { shape: [n, m], data: out } }) };
  }
  return { error: ErrorCode.UNSUPPORTED, message: 'test core only does relu and matmul' };
}
