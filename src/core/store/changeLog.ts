/**
 * What recent writes touched, so that reads kept in memory (the cost breakdowns' range memos) can
 * be brought up to date instead of read again. Each entry spans SQLite's `total_changes()` before
 * and after one write, which every insert, update and delete on the connection moves. A reader at
 * `from` catches up to `to` only through an unbroken chain of entries: a write that is not logged
 * here (retention, re-pricing, clearing, a failed batch) breaks the chain and forces a full read.
 */
import type { SqlDb } from './sqlDb';

export interface Touched {
  sessions: Set<string>;
  /** Hour starts (epoch ms) of the `usage_hourly` rows written. */
  hours: Set<number>;
  /** Row ids of tool calls inserted or updated. */
  toolEvents: Set<number>;
}

interface ChangeEntry {
  before: number;
  after: number;
  sessions: string[];
  hours: number[];
  toolEvents: number[];
  /** Touched more than patching is worth: a reader must read again. */
  tooBig: boolean;
}

/** Enough for the writes between two refreshes of a dashboard view (every 3 s at most). */
const MAX_ENTRIES = 64;
/** Beyond this many touched sessions, hours or tool calls, reading again is as cheap as patching. */
const MAX_TOUCHED = 5_000;

const logs = new WeakMap<SqlDb, ChangeEntry[]>();

export function totalChanges(db: SqlDb): number {
  return db.get<{ n: number }>('SELECT total_changes() AS n')!.n;
}

/** Log a write that moved `total_changes()` from `before` to `after`. */
export function recordChange(db: SqlDb, before: number, after: number, touched: { sessions?: string[]; hours?: number[]; toolEvents?: number[] } = {}): void {
  if (after === before) return;
  let log = logs.get(db);
  if (!log) logs.set(db, (log = []));
  const sessions = touched.sessions ?? [];
  const hours = touched.hours ?? [];
  const toolEvents = touched.toolEvents ?? [];
  // A bulk write is not worth patching: log that it happened, not what it touched.
  if (sessions.length > MAX_TOUCHED || hours.length > MAX_TOUCHED || toolEvents.length > MAX_TOUCHED) log.push({ before, after, sessions: [], hours: [], toolEvents: [], tooBig: true });
  else log.push({ before, after, sessions, hours, toolEvents, tooBig: false });
  if (log.length > MAX_ENTRIES) log.splice(0, log.length - MAX_ENTRIES);
}

/** Run a write that touches neither events, sessions nor usage_hourly, logged as touching nothing. */
export function touchingNothing<T>(db: SqlDb, write: () => T): T {
  const before = totalChanges(db);
  const result = write();
  recordChange(db, before, totalChanges(db));
  return result;
}

/** Everything the writes from `from` to `to` touched; null when they are not all logged. */
export function touchedBetween(db: SqlDb, from: number, to: number): Touched | null {
  const log = logs.get(db);
  if (!log) return null;
  let i = log.findIndex((e) => e.before === from);
  if (i < 0) return null;
  const out: Touched = { sessions: new Set(), hours: new Set(), toolEvents: new Set() };
  let at = from;
  for (; i < log.length && at !== to; i++) {
    const e = log[i];
    if (e.before !== at || e.tooBig) return null;
    for (const s of e.sessions) out.sessions.add(s);
    for (const h of e.hours) out.hours.add(h);
    for (const id of e.toolEvents) out.toolEvents.add(id);
    if (out.sessions.size > MAX_TOUCHED || out.hours.size > MAX_TOUCHED || out.toolEvents.size > MAX_TOUCHED) return null;
    at = e.after;
  }
  return at === to ? out : null;
}
