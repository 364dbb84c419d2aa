import { CoreError } from '../errors/CoreError.js';

/** ISA-88 / PackML states. Acting states (…ing) finish with `complete()`. */
export type PackMlState =
  | 'Idle'
  | 'Starting'
  | 'Execute'
  | 'Completing'
  | 'Complete'
  | 'Holding'
  | 'Held'
  | 'Unholding'
  | 'Suspending'
  | 'Suspended'
  | 'Unsuspending'
  | 'Stopping'
  | 'Stopped'
  | 'Aborting'
  | 'Aborted'
  | 'Clearing'
  | 'Resetting';

export type PackMlCommand = 'start' | 'hold' | 'unhold' | 'suspend' | 'unsuspend' | 'stop' | 'abort' | 'clear' | 'reset' | 'complete';

const COMMANDED: Partial<Record<PackMlState, Partial<Record<PackMlCommand, PackMlState>>>> = {
  Idle: { start: 'Starting' },
  Execute: { hold: 'Holding', suspend: 'Suspending', complete: 'Completing' },
  Held: { unhold: 'Unholding' },
  Suspended: { unsuspend: 'Unsuspending' },
  Complete: { reset: 'Resetting' },
  Stopped: { reset: 'Resetting' },
  Aborted: { clear: 'Clearing' },
};

/** Where each acting state goes when its action is done ("state complete"). */
const ACTING_DONE: Partial<Record<PackMlState, PackMlState>> = {
  Starting: 'Execute',
  Completing: 'Complete',
  Holding: 'Held',
  Unholding: 'Execute',
  Suspending: 'Suspended',
  Unsuspending: 'Execute',
  Stopping: 'Stopped',
  Aborting: 'Aborted',
  Clearing: 'Stopped',
  Resetting: 'Idle',
};

const NOT_STOPPABLE: ReadonlySet<PackMlState> = new Set(['Stopping', 'Stopped', 'Aborting', 'Aborted', 'Clearing']);
const NOT_ABORTABLE: ReadonlySet<PackMlState> = new Set(['Aborting', 'Aborted']);

export const PACKML_STATES: readonly PackMlState[] = [
  'Idle', 'Starting', 'Execute', 'Completing', 'Complete', 'Holding', 'Held', 'Unholding', 'Suspending',
  'Suspended', 'Unsuspending', 'Stopping', 'Stopped', 'Aborting', 'Aborted', 'Clearing', 'Resetting',
];

/**
 * The PackML state machine. `fire(command)` from a wait state enters an acting state;
 * `fire('complete')` from an acting state (or from Execute) moves on. Anything else is an
 * INVALID_TRANSITION and leaves the state unchanged.
 */
export class PackMlMachine {
  private current: PackMlState;

  constructor(initial: PackMlState = 'Idle') {
    if (!PACKML_STATES.includes(initial)) throw new CoreError('BAD_VALUE', `unknown PackML state ${String(initial)}`);
    this.current = initial;
  }

  get state(): PackMlState {
    return this.current;
  }

  /** The state `command` would lead to, or undefined when it is not allowed now. */
  target(command: PackMlCommand): PackMlState | undefined {
    const s = this.current;
    if (command === 'abort') return NOT_ABORTABLE.has(s) ? undefined : 'Aborting';
    if (command === 'stop') return NOT_STOPPABLE.has(s) ? undefined : 'Stopping';
    if (command === 'complete') return COMMANDED[s]?.complete ?? ACTING_DONE[s];
    return COMMANDED[s]?.[command];
  }

  fire(command: PackMlCommand): PackMlState {
    const next = this.target(command);
    if (next === undefined) {
      throw new CoreError('INVALID_TRANSITION', `'${String(command)}' is not allowed in state ${this.current}`);
    }
    this.current = next;
    return next;
  }

  /** Fires `command` and completes every acting state it passes through; actions here are instantaneous. */
  run(command: PackMlCommand): PackMlState {
    this.fire(command);
    while (ACTING_DONE[this.current] !== undefined) this.current = ACTING_DONE[this.current]!;
    return this.current;
  }
}
