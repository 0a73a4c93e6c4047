/**
 * Re-evaluates session statuses when time alone changes them: one timer, set for the next idle or
 * end threshold crossing of any session (not a poll), re-armed whenever the sessions change. Pure;
 * the clock and timers are injectable.
 */
import type { AgentsTreeModel } from './agentsTreeModel';
import { realTimers, type Timers } from './updateCoalescer';

/** setTimeout's longest delay; a later crossing re-arms when this one fires. */
const MAX_TIMER_MS = 0x7fffffff;

export class StatusClock {
  private handle: unknown = null;
  private dueAt: number | null = null;
  private disposed = false;

  /** @param onChange gets the ids of sessions whose status changed with time. */
  constructor(
    private readonly model: AgentsTreeModel,
    private readonly onChange: (sessionIds: string[]) => void,
    private readonly timers: Timers = realTimers,
    private readonly now: () => number = Date.now,
  ) {}

  /** When the timer fires next (ms since the epoch), or null when no session can still change. */
  get nextAt(): number | null {
    return this.dueAt;
  }

  /** Ages the sessions to now and arms the timer for the next crossing; call after the sessions changed. */
  schedule(): void {
    if (this.disposed) return;
    const changed = this.model.reevaluate(this.now());
    const next = this.model.nextStatusChangeAt();
    if (next !== this.dueAt || changed.length) {
      if (this.handle !== null) this.timers.clear(this.handle);
      this.handle = null;
      this.dueAt = next;
      if (next !== null) {
        this.handle = this.timers.set(() => {
          this.handle = null;
          this.dueAt = null;
          this.schedule();
        }, Math.min(MAX_TIMER_MS, Math.max(0, next - this.now())));
      }
    }
    if (changed.length) this.onChange(changed);
  }

  dispose(): void {
    this.disposed = true;
    if (this.handle !== null) this.timers.clear(this.handle);
    this.handle = null;
    this.dueAt = null;
  }
}
