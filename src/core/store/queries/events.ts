/**
 * Event queries: the filtered, newest-first event list of `GET /api/events` with keyset
 * pagination by id, and the filter-to-SQL builder the other query modules share. List filters are
 * bound as one JSON array per column (`IN (SELECT value FROM json_each(?))`), so the statement
 * text, and hence the prepared-statement cache, does not grow with the number of values.
 */
import type { EventOrder, EventsPage } from '../../contracts/api';
import type { SqlValue } from 'sql.js';
import type { SqlDb } from '../sqlDb';
import { recordToStoredEvent, type EventRecord } from '../records';
import { encodeCursor } from './cursor';

export const EVENT_LIST_COLUMNS = ['agent_type', 'session_id', 'event_type', 'tool_name', 'model', 'project', 'branch', 'source'] as const;
export type EventListColumn = (typeof EVENT_LIST_COLUMNS)[number];

/** Filters on stored events; times are epoch ms, `until` exclusive. */
export type EventQueryFilter = { [K in EventListColumn]?: string[] } & {
  since?: number | null;
  until?: number | null;
  /** Who sent the events: answered by a team store only (`team/pgRead.ts`); the local routes refuse it. */
  person?: string[];
  /** The machine the events came from: a team store only, as `person`. */
  machine?: string[];
};

export interface SqlWhere {
  clauses: string[];
  params: SqlValue[];
}

/**
 * WHERE clauses for a filter on the events table (aliased `alias`). A session holds few events, so
 * with a session filter the planner is steered to the session index (a unary + on a column keeps
 * SQLite from using that column's index). `newestFirst` does the same for the other list columns:
 * a page in id order then walks the table backwards and stops at the page size, instead of
 * sorting every row of a common event type or tool.
 */
export function eventFilterWhere(f: EventQueryFilter, alias = 'e', newestFirst = false): SqlWhere {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  const bySession = !!f.session_id?.length;
  for (const col of EVENT_LIST_COLUMNS) {
    const values = f[col];
    if (!values || !values.length) continue;
    const ref = (bySession || newestFirst) && col !== 'session_id' ? `+${alias}.${col}` : `${alias}.${col}`;
    if (values.length === 1) {
      clauses.push(`${ref} = ?`);
      params.push(values[0]);
    } else {
      clauses.push(`${ref} IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(values));
    }
  }
  const time = bySession ? `+${alias}.created_at` : `${alias}.created_at`;
  if (f.since != null) {
    clauses.push(`${time} >= ?`);
    params.push(f.since);
  }
  if (f.until != null) {
    clauses.push(`${time} < ?`);
    params.push(f.until);
  }
  return { clauses, params };
}

export function whereSql(clauses: string[]): string {
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}

export const EVENT_SELECT = 'SELECT e.*, payload(e.payload_off, e.payload_len, e.id) AS metadata FROM events e';

export const EVENTS_CURSOR = 'events';
/** The cursor of the event-time order: `[created_at, id]` of the last row. */
export const EVENTS_BY_TIME_CURSOR = 'events:created_at';

export interface ListEventsParams {
  filter: EventQueryFilter;
  /** `created_at`: by event time (epoch ms), newest first, ties by id; default by id. */
  order?: EventOrder;
  /** From the cursor: only events with a smaller id (with `order: 'created_at'`, among those of `before_at`). */
  before_id?: number | null;
  /** From an event-time cursor: only events before this time, or at it with a smaller id. */
  before_at?: number | null;
  /** Only events with a larger id, oldest first (how `push` reads the store); `order` and the cursor do not apply. */
  after_id?: number | null;
  /** Events to skip first (the original AgentMonitor's paging; the cursor is cheaper). */
  offset?: number;
  limit: number;
}

export const queries = {
  listEvents(db: SqlDb, p: ListEventsParams): EventsPage {
    const w = eventFilterWhere(p.filter, 'e', true);
    const byTime = p.order === 'created_at';
    if (p.after_id != null) {
      w.clauses.push('e.id > ?');
      w.params.push(p.after_id);
    } else if (byTime && p.before_at != null && p.before_id != null) {
      // A range on created_at (its index walks backwards from there), ties broken by id.
      w.clauses.push('e.created_at <= ? AND (e.created_at < ? OR e.id < ?)');
      w.params.push(p.before_at, p.before_at, p.before_id);
    } else if (p.before_id != null) {
      w.clauses.push('e.id < ?');
      w.params.push(p.before_id);
    }
    const limit = Math.max(1, Math.min(1000, Math.floor(p.limit)));
    const offset = Math.max(0, Math.floor(p.offset ?? 0));
    const order = p.after_id != null ? 'e.id' : byTime ? 'e.created_at DESC, e.id DESC' : 'e.id DESC';
    const rows = db.all<EventRecord>(`${EVENT_SELECT} ${whereSql(w.clauses)} ORDER BY ${order} LIMIT ? OFFSET ?`, [...w.params, limit + 1, offset]);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      events: page.map(recordToStoredEvent),
      next_cursor: !more || p.after_id != null ? null : byTime ? encodeCursor(EVENTS_BY_TIME_CURSOR, [last.created_at, last.id]) : encodeCursor(EVENTS_CURSOR, [last.id]),
    };
  },
};

export const writeQueries = {} as const;
