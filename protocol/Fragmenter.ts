import { Flag, HEADER_SIZE, CRC_SIZE, MAX_CONTENT, MAX_FRAGMENTS, MAX_PAYLOAD, MIN_CONTENT } from './constants.js';
import { encodeFrame } from './encodeFrame.js';
import type { Frame } from './Frame.js';
import type { Message } from './Message.js';
import { ProtocolError } from './ProtocolError.js';

/**
 * Splits a message into frames of at most `maxPayload` bytes sharing one seq: fragment
 * indexes 0.., MORE on all but the last. An empty payload is one frame. Payloads are
 * views of the message payload (no copy).
 */
export class Fragmenter {
  private maxPayloadValue = MAX_PAYLOAD;

  constructor(options: { maxContent?: number } = {}) {
    if (options.maxContent !== undefined) this.maxContent = options.maxContent;
  }

  /** Largest content per frame; lowered to what the peer accepts after HELLO. */
  get maxContent(): number {
    return this.maxPayloadValue + HEADER_SIZE + CRC_SIZE;
  }

  set maxContent(value: number) {
    if (!Number.isInteger(value) || value <= MIN_CONTENT || value > MAX_CONTENT) {
      throw new ProtocolError('INVALID_ARGUMENT', `max content ${value} outside ${MIN_CONTENT + 1}..${MAX_CONTENT}`);
    }
    this.maxPayloadValue = value - HEADER_SIZE - CRC_SIZE;
  }

  get maxPayload(): number {
    return this.maxPayloadValue;
  }

  /** Largest message payload that fits in MAX_FRAGMENTS frames at the current size. */
  get maxMessage(): number {
    return this.maxPayloadValue * MAX_FRAGMENTS;
  }

  split(message: Message): Frame[] {
    const { payload } = message;
    const size = this.maxPayloadValue;
    const count = Math.max(1, Math.ceil(payload.length / size));
    if (count > MAX_FRAGMENTS) {
      throw new ProtocolError('TOO_LARGE', `message of ${payload.length} bytes needs ${count} fragments (max ${MAX_FRAGMENTS})`);
    }
    const base = message.flags & ~Flag.MORE;
    const frames: Frame[] = [];
    for (let i = 0; i < count; i++) {
      const last = i === count - 1;
      frames.push({
        flags: last ? base : base | Flag.MORE,
        opcode: message.opcode,
        seq: message.seq,
        channel: message.channel,
        fragment: i,
        payload: payload.subarray(i * size, Math.min(payload.length, (i + 1) * size)),
      });
    }
    return frames;
  }

  /** The wire bytes of every fragment, in order. */
  encode(message: Message): Uint8Array[] {
    // Most messages are one frame: skip the frame list and the payload view.
    if (message.payload.length <= this.maxPayloadValue) {
      const { flags, opcode, seq, channel, payload } = message;
      return [encodeFrame({ flags: flags & ~Flag.MORE, opcode, seq, channel, fragment: 0, payload })];
    }
    return this.split(message).map(encodeFrame);
  }
}
