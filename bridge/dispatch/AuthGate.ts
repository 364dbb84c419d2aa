import type { Disposable } from '../../protocol/Disposable.js';
import type { Line } from '../../protocol/Line.js';
import { ErrorCode, Flag, Opcode } from '../../protocol/constants.js';
import { encodeFrame } from '../../protocol/encodeFrame.js';
import type { Frame } from '../../protocol/Frame.js';
import { FrameDecoder } from '../../protocol/FrameDecoder.js';
import { encodeErrorPayload } from '../../protocol/payloads/errorPayload.js';

/**
 * Sits between a remote line and its Session until the peer has presented the token: the
 * Session answers PING by itself, so without this gate an unauthenticated peer could still
 * get echoes. Frames are decoded here and passed on re-encoded (byte-identical for valid
 * frames); PING requests are answered UNAUTHORIZED while `authorized()` is false; corrupt
 * frames are dropped (a remote peer gets no NAK before it has authenticated). Fragments are
 * refused the same way, so an unauthenticated peer cannot make the Session hold partial
 * messages in reassembly memory.
 */
export class AuthGate implements Line {
  private readonly decoder = new FrameDecoder();
  private readonly listeners = new Set<(chunk: Uint8Array) => void>();

  constructor(
    private readonly inner: Line,
    private readonly authorized: () => boolean,
  ) {
    this.decoder.onFrame((frame) => {
      if (this.authorized() || !gated(frame)) {
        const wire = encodeFrame(frame);
        for (const listener of this.listeners) listener(wire);
        return;
      }
      // Replies and NOREPLY requests are dropped silently; requests hear why.
      if ((frame.flags & (Flag.REPLY | Flag.NOREPLY)) !== 0) return;
      const message = frame.opcode === Opcode.PING ? 'present the bridge token in HELLO first' : 'fragmented messages need the bridge token in HELLO first';
      const payload = encodeErrorPayload({ code: ErrorCode.UNAUTHORIZED, message });
      inner.write(encodeFrame({ ...frame, flags: Flag.REPLY | Flag.ERROR, fragment: 0, payload }));
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

/** Frames an unauthenticated peer may not get past the gate: PING requests and any fragment. */
function gated(frame: Frame): boolean {
  const fragmented = (frame.flags & Flag.MORE) !== 0 || frame.fragment !== 0;
  return fragmented || ((frame.flags & Flag.REPLY) === 0 && frame.opcode === Opcode.PING);
}
