import type { Clock } from './Clock.js';
import type { Fragmenter } from './Fragmenter.js';
import type { SessionEvent, SessionStats } from './Session.js';

/**
 * What a Session shares with its two halves (SessionSender, SessionResponder): the line's write
 * side with its counters and pacing estimate, the fragmenter sized by the peer's HELLO, the
 * clock, the event stream and whether the session is closed. Tests give each half a small
 * in-memory port of their own.
 */
export interface SessionPort {
  /** The session's name, for messages. */
  readonly name: string;
  readonly stats: SessionStats;
  readonly clock: Clock;
  readonly fragmenter: Fragmenter;
  /** Writes one encoded frame to the line (counted, and paced in the estimate). */
  write(wire: Uint8Array): void;
  /** When the bytes written so far have left the line (now on an unpaced line). */
  sentAt(): number;
  /** How long these frames take to leave the line (0 on an unpaced line). */
  txTime(wires: Uint8Array[]): number;
  emit(event: SessionEvent): void;
  /** Why the session is closed, or undefined while it is open. */
  closedCode(): 'LINE_CLOSED' | 'SESSION_CLOSED' | undefined;
}
