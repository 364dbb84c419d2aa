import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { ErrorCode, Flag, Opcode } from '../../protocol/constants.js';
import { encodeFrame } from '../../protocol/encodeFrame.js';
import { FrameDecoder } from '../../protocol/FrameDecoder.js';
import { encodeErrorPayload } from '../../protocol/payloads/errorPayload.js';

/**
 * Sits between a remote line and its Session until the peer has presented the token: the
 * Session answers PING by itself, so without this gate an unauthenticated peer could still
 * get echoes. Frames are decoded here and passed on re-encoded (byte-identical for valid
 * frames); PING requests are answered UNAUTHORIZED while `authorized()` is false; corrupt
 * frames are dropped (a remote peer gets no NAK before it has authenticated).
 */
export class AuthGate implements Line {
  private readonly decoder = new FrameDecoder();
  private readonly listeners = new Set<(chunk: Uint8Array) => void>();

  constructor(
    private readonly inner: Line,
    private readonly authorized: () => boolean,
  ) {
    this.decoder.onFrame((frame) => {
      const isRequest = (frame.flags & Flag.REPLY) === 0;
      if (isRequest && frame.opcode === Opcode.PING && (frame.flags & Flag.NOREPLY) === 0 && !this.authorized()) {
        const payload = encodeErrorPayload({ code: ErrorCode.UNAUTHORIZED, message: 'present the bridge token in HELLO first' });
        inner.write(encodeFrame({ ...frame, flags: Flag.REPLY | Flag.ERROR, fragment: 0, payload }));
        return;
      }
      if (isRequest && frame.opcode === Opcode.PING && !this.authorized()) return;
      const wire = encodeFrame(frame);
      for (const listener of this.listeners) listener(wire);
    });
    inner.onData((chunk) => this.decoder.push(chunk));
  }

  get name(): string {
    return this.inner.name;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  write(data: Uint8Array): void {
    this.inner.write(data);
  }

  onData(listener: (chunk: Uint8Array) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  onClose(listener: (reason?: Error) => void): Disposable {
    return this.inner.onClose(listener);
  }

  close(): void {
    this.inner.close();
  }
}
