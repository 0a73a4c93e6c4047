/**
 * Collects live changes and delivers them as one batch after a short quiet delay, so a burst of
 * SSE messages repaints the tree and the status bar once. Pure; the timer is injectable.
 */
export interface ChangeBatch {
  /** A full snapshot was loaded: repaint everything. */
  full: boolean;
  /** Sessions whose row changed. */
  sessions: Set<string>;
  /** Sessions whose activity list changed. */
  activity: Set<string>;
  stats: boolean;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

function emptyBatch(): ChangeBatch {
  return { full: false, sessions: new Set(), activity: new Set(), stats: false };
}

export class UpdateCoalescer {
  private pending: ChangeBatch = emptyBatch();
  private handle: unknown = null;
  private firstAt = 0;

  /**
   * @param delayMs quiet time after the last change before flushing
   * @param maxDelayMs upper bound from the first change, so a steady stream still repaints
   */
  constructor(
    private readonly flush: (batch: ChangeBatch) => void,
    private readonly delayMs = 150,
    private readonly maxDelayMs = 1000,
    private readonly timers: Timers = realTimers,
    private readonly now: () => number = Date.now,
  ) {}

  full(): void {
    this.pending.full = true;
    this.schedule();
  }

  session(id: string): void {
    this.pending.sessions.add(id);
    this.schedule();
  }

  activity(sessionId: string): void {
    this.pending.activity.add(sessionId);
    this.schedule();
  }

  stats(): void {
    this.pending.stats = true;
    this.schedule();
  }

  /** Delivers what is pending now (used on dispose and by tests). */
  flushNow(): void {
    if (this.handle !== null) this.timers.clear(this.handle);
    this.handle = null;
    const b = this.pending;
    this.pending = emptyBatch();
    if (b.full || b.stats || b.sessions.size || b.activity.size) this.flush(b);
  }

  dispose(): void {
    if (this.handle !== null) this.timers.clear(this.handle);
    this.handle = null;
    this.pending = emptyBatch();
  }

  private schedule(): void {
    const t = this.now();
    if (this.handle === null) this.firstAt = t;
    else this.timers.clear(this.handle);
    const wait = Math.max(0, Math.min(this.delayMs, this.firstAt + this.maxDelayMs - t));
    this.handle = this.timers.set(() => {
      this.handle = null;
      this.flushNow();
    }, wait);
  }
}
