/**
 * The one mechanism that keeps the dashboard's heavy answers ready. A dashboard re-asks the Costs
 * and Tools aggregates on every view switch, and on a large database a first or changed answer takes
 * 0.1-1 s; the store caches answers while nothing changed (`Store.cached`), and this computes them
 * ahead, into that cache, so a switch finds them done:
 *
 * - what: questions a dashboard wants kept ready (`want`): the views' own requests as they come,
 *   and a view's first requests (`VIEW_DEFAULT_REQUESTS`) when a dashboard opens the overview;
 *   each is dropped `KEEP_FOR_MS` after it was last wanted, at most `MAX_WANTED` are kept;
 * - when: a question never computed, or computed before the last write, is computed again once no
 *   dashboard read has come for `QUIET_MS` (a user's own request never waits behind this), one
 *   pass at most every `EVERY_MS` (a pass per write of a fast stream would slow ingest). After a
 *   write it is only recomputed while a dashboard is connected (nobody would see it otherwise);
 * - the signal: `userRequest()`, called for each dashboard read by a middleware that `app.ts`
 *   installs in front of every route (ingest, hooks and the SSE stream are not reads);
 * - at start: `runNow` asks a list before the server listens, alone and bounded in time.
 */
export interface WarmerDeps {
  /** Changes whenever stored data may have changed (`Store.generation`). */
  generation(): number;
  /** Dashboards connected now (SSE clients). */
  dashboards(): number;
  now?: () => number;
}

interface Wanted {
  lastWanted: number;
  computedGen: number | null;
  compute: () => Promise<unknown>;
}

export const QUIET_MS = 500;
export const EVERY_MS = 2000;
export const KEEP_FOR_MS = 10 * 60_000;
export const MAX_WANTED = 16;

export class Warmer {
  private readonly wanted = new Map<string, Wanted>();
  private lastUserRequest = -Infinity;
  private lastPass = -Infinity;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: WarmerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A dashboard read arrived: warm work waits until reads have been quiet for `QUIET_MS`. */
  userRequest(): void {
    this.lastUserRequest = this.now();
  }

  /**
   * Keep the answer of `key` ready (`compute` answers it through the store's cache); `computedNow`:
   * its answer was just computed (by `runNow`), so nothing is due until the next write.
   */
  want(key: string, compute: () => Promise<unknown>, computedNow = false): void {
    const had = this.wanted.get(key);
    this.wanted.delete(key);
    const computedGen = computedNow ? this.deps.generation() : (had?.computedGen ?? null);
    this.wanted.set(key, { lastWanted: this.now(), computedGen, compute });
    while (this.wanted.size > MAX_WANTED) this.wanted.delete(this.wanted.keys().next().value!);
    if (!this.timer) {
      this.timer = setInterval(() => void this.pass(), QUIET_MS / 2);
      this.timer.unref();
    }
  }

  /** Whether `key` is kept ready now. */
  isWanted(key: string): boolean {
    return this.wanted.has(key);
  }

  /** Ask each of `steps` in turn now, stopping after `maxMs`; failures are left to real requests. */
  async runNow(steps: (() => Promise<unknown>)[], maxMs: number): Promise<void> {
    const until = this.now() + maxMs;
    try {
      for (const step of steps) {
        if (this.now() > until) return;
        await step();
      }
    } catch {
      /* the request itself reports it */
    }
  }

  /** One pass over the wanted questions (called by the timer; public for tests with a fake clock). */
  async pass(): Promise<void> {
    const now = this.now();
    for (const [k, w] of this.wanted) if (now - w.lastWanted > KEEP_FOR_MS) this.wanted.delete(k);
    if (!this.wanted.size) {
      this.stop();
      return;
    }
    if (this.running || now - this.lastPass < EVERY_MS || !this.quiet()) return;
    const gen = this.deps.generation();
    const connected = this.deps.dashboards() > 0;
    // Most recently wanted first (the map keeps the order in which keys were last wanted).
    const due = [...this.wanted.values()].reverse().filter((w) => w.computedGen === null || (w.computedGen !== gen && connected));
    if (!due.length) return;
    this.running = true;
    this.lastPass = now;
    try {
      for (const w of due) {
        if (!this.quiet()) return;
        const at = this.deps.generation();
        await w.compute();
        w.computedGen = at;
      }
    } catch {
      /* the request itself reports it; the next write tries again */
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private quiet(): boolean {
    return this.now() - this.lastUserRequest >= QUIET_MS;
  }
}
