/**
 * The live feed's rows, newest first by event time (`created_at`, ties by id), bounded. Live events
 * arrive mostly at the new end and older pages (cursor pagination, same order) at the old end, but
 * either may belong anywhere (an import sends events from old transcripts live): each row is put in
 * its place. An event already present (a running tool call completed later) is updated in place.
 * Index 0 is the newest row.
 */
import type { StoredEvent } from '../../src/core/contracts/events';

/** > 0 when `a` is newer than `b` (the feed's order: event time, then id). */
export function compareEvents(a: StoredEvent, b: StoredEvent): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id;
}

/** First index of `rows` (sorted by `before`) at which `e` goes, by binary search. */
function insertionIndex(rows: StoredEvent[], e: StoredEvent, before: (x: StoredEvent, y: StoredEvent) => boolean): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(rows[mid], e)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const newerFirst = (x: StoredEvent, y: StoredEvent) => compareEvents(x, y) > 0;
const olderFirst = (x: StoredEvent, y: StoredEvent) => compareEvents(x, y) < 0;

export class FeedBuffer {
  /** Ascending: the newest rows (live events land here, mostly at the end). */
  private newer: StoredEvent[] = [];
  /** Descending: the older rows (pages of the API land here, mostly at the end). Every row of `newer` is newer. */
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

  /** The row index of a held event, or -1. */
  indexOf(id: number): number {
    const e = this.byId.get(id);
    if (!e) return -1;
    const n = this.newer.length;
    const i = insertionIndex(this.newer, e, olderFirst);
    if (this.newer[i] === e) return n - 1 - i;
    const j = insertionIndex(this.older, e, newerFirst);
    return this.older[j] === e ? n + j : -1;
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

  /** Add live events (any order). Returns how many rows were added above the previous newest row. */
  pushNewest(events: StoredEvent[]): number {
    return this.add(events, false).above;
  }

  /** Add an older page (newest first), e.g. the next page of `GET /api/events?order=created_at`. Returns the rows added. */
  appendOlder(events: StoredEvent[]): number {
    return this.add(events, true).added;
  }

  private add(events: StoredEvent[], page: boolean): { above: number; added: number } {
    const top = this.at(0);
    let above = 0;
    let added = 0;
    const toOlder: StoredEvent[] = [];
    for (const e of events) {
      const existing = this.byId.get(e.id);
      if (existing) {
        if (page) continue;
        Object.assign(existing, e);
        this.revisions.set(existing, this.revision(existing) + 1);
        continue;
      }
      this.byId.set(e.id, e);
      added++;
      if (top && compareEvents(e, top) > 0) above++;
      const o = this.older;
      const n = this.newer;
      const inOlder = o.length > 0 && compareEvents(e, o[0]) < 0;
      const inNewer = !inOlder && n.length > 0 && compareEvents(e, n[0]) > 0;
      if (inOlder || (!inNewer && page)) toOlder.push(e);
      else if (!n.length || compareEvents(e, n[n.length - 1]) > 0) n.push(e);
      else n.splice(insertionIndex(n, e, olderFirst), 0, e);
    }
    if (toOlder.length) this.mergeOlder(toOlder);
    this.trim();
    return { above, added };
  }

  /** Put rows into `older` in order: appended when all are older than its end, else merged. */
  private mergeOlder(rows: StoredEvent[]): void {
    rows.sort((a, b) => compareEvents(b, a));
    const o = this.older;
    if (!o.length || compareEvents(rows[0], o[o.length - 1]) < 0) {
      for (const e of rows) o.push(e);
      return;
    }
    const merged: StoredEvent[] = new Array(o.length + rows.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < o.length && j < rows.length) merged[k++] = compareEvents(o[i], rows[j]) > 0 ? o[i++] : rows[j++];
    while (i < o.length) merged[k++] = o[i++];
    while (j < rows.length) merged[k++] = rows[j++];
    this.older = merged;
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
