/** Restart policy of the supervisor: exponential backoff, and give up after a crash storm. Pure. */
export interface BackoffPolicy {
  /** Delay before the first restart. */
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Crashes within `windowMs` after which the supervisor stops restarting. */
  maxCrashes: number;
  windowMs: number;
  /** A run that stayed healthy this long resets the backoff. */
  stableAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  maxCrashes: 5,
  windowMs: 3 * 60_000,
  stableAfterMs: 60_000,
};

export type CrashDecision = { action: 'restart'; delayMs: number; attempt: number } | { action: 'give-up'; crashes: number };

/** Remembers recent crashes and decides what to do about the next one. */
export class CrashTracker {
  private crashes: number[] = [];
  private attempt = 0;

  constructor(private readonly policy: BackoffPolicy = DEFAULT_BACKOFF) {}

  /** A run ended unexpectedly at `now` after having started at `startedAt`. */
  onCrash(now: number, startedAt: number | null): CrashDecision {
    if (startedAt !== null && now - startedAt >= this.policy.stableAfterMs) this.attempt = 0;
    this.crashes = this.crashes.filter((t) => now - t < this.policy.windowMs);
    this.crashes.push(now);
    if (this.crashes.length >= this.policy.maxCrashes) return { action: 'give-up', crashes: this.crashes.length };
    const delayMs = Math.min(this.policy.maxMs, this.policy.initialMs * this.policy.factor ** this.attempt);
    this.attempt++;
    return { action: 'restart', delayMs, attempt: this.attempt };
  }

  reset(): void {
    this.crashes = [];
    this.attempt = 0;
  }
}
