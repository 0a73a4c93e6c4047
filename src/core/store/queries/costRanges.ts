/**
 * The rows the cost breakdowns group, per range: `usage_hourly` rows and the sessions overlapping
 * the range. The Costs view asks four breakdowns of one range at once (by day, model, project and
 * session) and refreshes them while agents write, so the rows are kept in memory per range and
 * brought up to date after each write from what it touched (`changeLog.ts`): the sessions and the
 * hours of an insert batch are read again, nothing else. A write the log cannot account for
 * (retention, re-pricing, clearing) makes the next use read the whole range again. One range is
 * kept per kind.
 */
import type { SqlValue } from 'sql.js';
import { totalChanges, touchedBetween, type Touched } from '../changeLog';
import type { SqlDb } from '../sqlDb';
import { whereSql } from './events';

/** Columns of `rollupInRange` rows. */
export const R = { hour: 0, agent: 1, model: 2, project: 3, events: 4, requests: 5, tin: 6, tout: 7, cread: 8, cwrite: 9, cost: 10, unpriced: 11 } as const;
/** Columns of `sessionsInRange` rows. */
export const S = { id: 0, started: 1, last: 2, events: 3, tin: 4, tout: 5, cread: 6, cwrite: 7, cost: 8, unpriced: 9, agent: 10, project: 11, model: 12 } as const;

const ROLLUP_COLUMNS = 'hour, agent_type, model, project, events, requests, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens';
const SESSION_COLUMNS = `session_id, started_at, last_event_at, event_count, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens,
  agent_type, COALESCE(project, ''), COALESCE(model, '')`;

interface Memo {
  db: SqlDb;
  changes: number;
  since: number | null;
  until: number | null;
  rows: SqlValue[][];
}

interface Kind {
  memo: Memo | null;
  read(db: SqlDb, since: number | null, until: number | null): SqlValue[][];
  /** Bring `m.rows` up to date with what the writes touched; false to read the range again. */
  patch(m: Memo, touched: Touched): boolean;
}

function rangeRows(kind: Kind, db: SqlDb, since: number | null, until: number | null): SqlValue[][] {
  const changes = totalChanges(db);
  const m = kind.memo;
  if (m && m.db === db && m.since === since && m.until === until) {
    if (m.changes === changes) return m.rows;
    const touched = touchedBetween(db, m.changes, changes);
    if (touched && kind.patch(m, touched)) {
      m.changes = changes;
      return m.rows;
    }
  }
  const rows = kind.read(db, since, until);
  kind.memo = { db, changes, since, until, rows };
  return rows;
}

function rangeWhere(since: number | null, until: number | null, startCol: string, endCol: string): { clauses: string[]; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  if (since !== null) {
    clauses.push(`${endCol} >= ?`);
    params.push(since);
  }
  if (until !== null) {
    clauses.push(`${startCol} < ?`);
    params.push(until);
  }
  return { clauses, params };
}

function readAll(db: SqlDb, sql: string, params: SqlValue[]): SqlValue[][] {
  const rows: SqlValue[][] = [];
  db.each(sql, params, (r) => rows.push(r));
  return rows;
}

function compareRollup(a: SqlValue[], b: SqlValue[]): number {
  for (let i = 0; i <= R.project; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const rollup: Kind = {
  memo: null,
  read(db, since, until) {
    const w = rangeWhere(since, until, 'hour', 'hour');
    return readAll(db, `SELECT ${ROLLUP_COLUMNS} FROM usage_hourly ${whereSql(w.clauses)} ORDER BY hour, agent_type, model, project`, w.params);
  },
  patch(m, touched) {
    const hours = [...touched.hours].filter((h) => (m.since === null || h >= m.since) && (m.until === null || h < m.until));
    if (!hours.length) return true;
    const set = new Set(hours);
    const fresh = readAll(m.db, `SELECT ${ROLLUP_COLUMNS} FROM usage_hourly WHERE hour IN (SELECT value FROM json_each(?))`, [JSON.stringify(hours)]);
    m.rows = m.rows.filter((r) => !set.has(r[R.hour] as number)).concat(fresh).sort(compareRollup);
    return true;
  },
};

const sessionIndex = new WeakMap<Memo, Map<string, number>>();

const sessions: Kind = {
  memo: null,
  read(db, since, until) {
    const w = rangeWhere(since, until, 'started_at', 'last_event_at');
    return readAll(db, `SELECT ${SESSION_COLUMNS} FROM sessions ${whereSql(w.clauses)}`, w.params);
  },
  patch(m, touched) {
    if (!touched.sessions.size) return true;
    let index = sessionIndex.get(m);
    if (!index) {
      index = new Map(m.rows.map((r, i) => [r[S.id] as string, i]));
      sessionIndex.set(m, index);
    }
    const w = rangeWhere(m.since, m.until, 'started_at', 'last_event_at');
    const ids = [...touched.sessions];
    const fresh = new Map(
      readAll(m.db, `SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_id IN (SELECT value FROM json_each(?)) ${w.clauses.map((c) => `AND ${c}`).join(' ')}`, [
        JSON.stringify(ids),
        ...w.params,
      ]).map((r) => [r[S.id] as string, r]),
    );
    for (const id of ids) {
      const row = fresh.get(id);
      const at = index.get(id);
      if (row && at !== undefined) m.rows[at] = row;
      else if (row) {
        index.set(id, m.rows.length);
        m.rows.push(row);
      } else if (at !== undefined) {
        // Out of the range now: the last row takes its place.
        const last = m.rows.pop()!;
        index.delete(id);
        if (at < m.rows.length) {
          m.rows[at] = last;
          index.set(last[S.id] as string, at);
        }
      }
    }
    return true;
  },
};

/** The `usage_hourly` rows of hours in [since, until), in key order. */
export function rollupInRange(db: SqlDb, since: number | null, until: number | null): SqlValue[][] {
  return rangeRows(rollup, db, since, until);
}

/** The sessions whose [started_at, last_event_at] overlaps [since, until), in no set order. */
export function sessionsInRange(db: SqlDb, since: number | null, until: number | null): SqlValue[][] {
  return rangeRows(sessions, db, since, until);
}
