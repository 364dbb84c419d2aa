import type { Line } from '../../protocol/Line.js';
import type { CallAttempt, CallCallbacks, CallDestination } from './CallDestination.js';
import { V90_SPEEDS, type CallSpeeds } from './LineProfileSpeeds.js';

/**
 * A destination that answers at once by opening a Line: the bridge's packet port, a TCP
 * service, a guest console that needs no ringing. A failure to open is NO CARRIER.
 */
export class LineDestination implements CallDestination {
  constructor(
    private readonly open: (from: string) => Line | Promise<Line>,
    private readonly speeds: CallSpeeds = V90_SPEEDS,
  ) {}

  call(from: string, callbacks: CallCallbacks): CallAttempt {
    let cancelled = false;
    Promise.resolve()
      .then(() => this.open(from))
      .then(
        (line) => {
          if (cancelled) line.close();
          else callbacks.answered(line, this.speeds.down, this.speeds.up);
        },
        () => {
          if (!cancelled) callbacks.failed('NO_CARRIER');
        },
      );
    return { cancel: () => { cancelled = true; } };
  }
}
