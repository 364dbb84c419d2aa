import type { Clock } from '../../protocol/Clock.js';
import { isCoreError } from '../../core/errors/CoreError.js';
import type { KappaTick } from '../../core/orchestrator/types.js';
import { silentLogger, type Logger } from '../util/Logger.js';

/** How often the bridge ticks the κ field unless told otherwise (`konomi start --kappa-tick MS`). */
export const DEFAULT_KAPPA_TICK_MS = 1000;

/** What the ticker drives: KonomiService.tickKappa (a tick, announced and committed when it moved something). */
export interface KappaTickTarget {
  tickKappa(): Promise<KappaTick>;
}

/**
 * Drives the κ field from a clock: the core keeps no timer, the bridge calls one tick every
 * `intervalMs` on the clock it is given (the host's timers, or a ManualClock in tests). The next
 * tick is scheduled only after the previous one's commit, so a slow store never piles ticks up.
 * While the system is not running (held, stopped) ticks are skipped; other failures are logged
 * once and ticking goes on.
 */
export class KappaTicker {
  private handle: unknown;
  private running = false;
  private count = 0;
  private failing = false;

  constructor(
    private readonly target: KappaTickTarget,
    private readonly clock: Clock,
    readonly intervalMs: number = DEFAULT_KAPPA_TICK_MS,
    private readonly logger: Logger = silentLogger,
  ) {
    if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new RangeError(`κ tick interval must be a positive integer of ms, got ${intervalMs}`);
  }

  /** Ticks done since start. */
  get ticks(): number {
    return this.count;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      void this.tick().finally(() => this.schedule());
    }, this.intervalMs);
  }

  private async tick(): Promise<void> {
    try {
      await this.target.tickKappa();
      this.count++;
      this.failing = false;
    } catch (err) {
      if (isCoreError(err) && err.code === 'NOT_RUNNING') return;
      if (!this.failing) this.logger.error(`κ tick failed: ${err instanceof Error ? err.message : String(err)}`);
      this.failing = true;
    }
  }
}
