import type { Disposable } from './Disposable.js';

/**
 * A duplex byte stream between two peers: a serial port, a TCP socket, a WebSocket,
 * an emulated UART or an in-memory pair. Everything that speaks the 56k protocol
 * takes a Line by constructor, so real transports and in-memory ones are interchangeable.
 *
 * Contract:
 * - `write` never throws on a closed line; the bytes are dropped and the line's
 *   `onClose` listeners have already been (or will be) called.
 * - Listeners registered with `onData` receive chunks in order; a chunk is only valid
 *   during the call (implementations may reuse its buffer), so copy what you keep.
 * - `onClose` fires exactly once, whether the peer or this side closed the line.
 */
export interface Line {
  /** A short human-readable name for logs, e.g. `tcp:127.0.0.1:53122`. */
  readonly name: string;
  readonly isOpen: boolean;
  write(data: Uint8Array): void;
  onData(listener: (chunk: Uint8Array) => void): Disposable;
  onClose(listener: (reason?: Error) => void): Disposable;
  close(): void;
}
