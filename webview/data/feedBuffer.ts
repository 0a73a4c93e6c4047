/**
 * The live feed's rows, newest first, bounded. Live events arrive at the new end, older pages
 * (cursor pagination) at the old end; an event already present (a running tool call completed
 * later) is updated in place. Index 0 is the newest row.
 */
import type { StoredEvent } from '../../src/core/contracts/events';

export class FeedBuffer {
  /** Ascending by arrival: live events. */
  private newer: StoredEvent[] = [];
  /** Descending: pages loaded from the API (newest first). */
  private older: StoredEvent[] = [];
  private readonly byId = new Map<number, StoredEvent>();
  private readonly revisions = new WeakMap<StoredEvent, number>();
  /** Rows dropped from the old end because of the cap. */
  dropped = 0;

  constructor(readonly cap = 100_000) {}

  get length(): number {
    return this.newer.length + this.older.length;
  }

  /** Row `i`, 0 = newest. */
  at(i: number): StoredEvent | undefined {
    const n = this.newer.length;
    return i < n ? this.newer[n - 1 - i] : this.older[i - n];
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  get(id: number): StoredEvent | undefined {
    return this.byId.get(id);
  }

  /** How often an event was updated in place (a running tool call completed): render keys. */
  revision(e: StoredEvent): number {
    return this.revisions.get(e) ?? 0;
  }

  /** Add live events (oldest first). Returns how many rows were added at the top. */
  pushNewest(events: StoredEvent[]): number {
    let added = 0;
    for (const e of events) {
      const existing = this.byId.get(e.id);
      if (existing) {
        Object.assign(existing, e);
        this.revisions.set(existing, this.revision(existing) + 1);
        continue;
      }
      this.newer.push(e);
      this.byId.set(e.id, e);
      added++;
    }
    this.trim();
    return added;
  }

  /** Add an older page (newest first), e.g. the next page of `GET /api/events`. */
  appendOlder(events: StoredEvent[]): number {
    let added = 0;
    for (const e of events) {
      if (this.byId.has(e.id)) continue;
      this.older.push(e);
      this.byId.set(e.id, e);
      added++;
    }
    this.trim();
    return added;
  }

  clear(): void {
    this.newer = [];
    this.older = [];
    this.byId.clear();
    this.dropped = 0;
  }

  private trim(): void {
    let excess = this.length - this.cap;
    if (excess <= 0) return;
    this.dropped += excess;
    const fromOlder = Math.min(excess, this.older.length);
    for (let k = 0; k < fromOlder; k++) this.byId.delete(this.older.pop()!.id);
    excess -= fromOlder;
    if (excess > 0) {
      for (const e of this.newer.splice(0, excess)) this.byId.delete(e.id);
    }
  }
}

/** Collects items and hands them over once per animation frame (bounded while frames stall). */
export class FrameBatcher<T> {
  private pending: T[] = [];
  private scheduled = false;
  dropped = 0;

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly schedule: (cb: () => void) => void,
    private readonly maxPending = 100_000,
  ) {}

  push(item: T): void {
    this.pending.push(item);
    if (this.pending.length > this.maxPending) {
      const over = this.pending.length - this.maxPending;
      this.pending.splice(0, over);
      this.dropped += over;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.run());
    }
  }

  private run(): void {
    this.scheduled = false;
    const items = this.pending;
    this.pending = [];
    if (items.length) this.flush(items);
  }
}
