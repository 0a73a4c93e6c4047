/**
 * The rows the cost breakdowns group, per range: `usage_hourly` rows and the sessions overlapping
 * the range. The Costs view asks four breakdowns of one range at once (by day, model, project and
 * session) and refreshes them while agents write, so the rows are kept in memory (`memoRows.ts`)
 * and patched after an insert batch from the sessions and hours it touched.
 */
import type { SqlValue } from 'sql.js';
import type { SqlDb } from '../sqlDb';
import { whereSql } from './events';
import { indexOf, memoRows, readAll, replaceById, type MemoKind } from './memoRows';

/** Columns of `rollupInRange` rows. */
export const R = { hour: 0, agent: 1, model: 2, project: 3, events: 4, requests: 5, tin: 6, tout: 7, cread: 8, cwrite: 9, cost: 10, unpriced: 11 } as const;
/** Columns of `sessionsInRange` rows. */
export const S = { id: 0, started: 1, last: 2, events: 3, tin: 4, tout: 5, cread: 6, cwrite: 7, cost: 8, unpriced: 9, agent: 10, project: 11, model: 12 } as const;

const ROLLUP_COLUMNS = 'hour, agent_type, model, project, events, requests, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens';
const SESSION_COLUMNS = `session_id, started_at, last_event_at, event_count, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens,
  agent_type, COALESCE(project, ''), COALESCE(model, '')`;

interface Range {
  since: number | null;
  until: number | null;
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

function compareRollup(a: SqlValue[], b: SqlValue[]): number {
  for (let i = 0; i <= R.project; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const rollup: MemoKind<Range> = {
  memo: null,
  read(db, { since, until }) {
    const w = rangeWhere(since, until, 'hour', 'hour');
    return readAll(db, `SELECT ${ROLLUP_COLUMNS} FROM usage_hourly ${whereSql(w.clauses)} ORDER BY hour, agent_type, model, project`, w.params);
  },
  patch(m, touched) {
    const { since, until } = m.params;
    const hours = [...touched.hours].filter((h) => (since === null || h >= since) && (until === null || h < until));
    if (!hours.length) return true;
    const set = new Set(hours);
    const fresh = readAll(m.db, `SELECT ${ROLLUP_COLUMNS} FROM usage_hourly WHERE hour IN (SELECT value FROM json_each(?))`, [JSON.stringify(hours)]);
    m.rows = m.rows.filter((r) => !set.has(r[R.hour] as number)).concat(fresh).sort(compareRollup);
    return true;
  },
};

const sessions: MemoKind<Range> = {
  memo: null,
  read(db, { since, until }) {
    const w = rangeWhere(since, until, 'started_at', 'last_event_at');
    return readAll(db, `SELECT ${SESSION_COLUMNS} FROM sessions ${whereSql(w.clauses)}`, w.params);
  },
  patch(m, touched) {
    if (!touched.sessions.size) return true;
    const w = rangeWhere(m.params.since, m.params.until, 'started_at', 'last_event_at');
    const ids = [...touched.sessions];
    const fresh = readAll(m.db, `SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_id IN (SELECT value FROM json_each(?)) ${w.clauses.map((c) => `AND ${c}`).join(' ')}`, [
      JSON.stringify(ids),
      ...w.params,
    ]);
    replaceById(m.rows, indexOf(m, S.id), S.id, ids, fresh);
    return true;
  },
};

/** The `usage_hourly` rows of hours in [since, until), in key order. */
export function rollupInRange(db: SqlDb, since: number | null, until: number | null): SqlValue[][] {
  return memoRows(rollup, db, `${since}:${until}`, { since, until });
}

/** The sessions whose [started_at, last_event_at] overlaps [since, until), in no set order. */
export function sessionsInRange(db: SqlDb, since: number | null, until: number | null): SqlValue[][] {
  return memoRows(sessions, db, `${since}:${until}`, { since, until });
}
