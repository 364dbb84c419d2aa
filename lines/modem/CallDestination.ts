import type { Line } from '../../protocol/Line.js';

/** How a call attempt ended when it did not connect. */
export type CallFailure = 'BUSY' | 'NO_ANSWER' | 'NO_CARRIER';

/** What a destination reports back to the dialling modem. */
export interface CallCallbacks {
  /**
   * The far end answered. `line` carries the call's data; closing it hangs up. `speed` is the
   * caller's receive rate in bit/s (CONNECT 56000 on a V.90 call) and `sendSpeed` the other way.
   */
  answered(line: Line, speed: number, sendSpeed: number): void;
  failed(reason: CallFailure): void;
  /** The far end rings (once per ring): the dialling modem reports the ringback as `RINGING`. */
  ringing?(): void;
}

/** A call in progress toward a destination; the caller may give up before it is answered. */
export interface CallAttempt {
  cancel(): void;
}

/** Something a phonebook number leads to: another modem, the packet port, a console line. */
export interface CallDestination {
  call(from: string, callbacks: CallCallbacks): CallAttempt;
}
