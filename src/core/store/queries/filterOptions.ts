/**
 * Distinct values for the dashboard's filter menus (`GET /api/filter-options`). Indexed columns
 * of `events` are read with a skip scan (one index seek per distinct value, not a scan of every
 * row); the rest come from the small `agents`, `sessions` and `usage_hourly` tables.
 */
import type { FilterOptions } from '../../contracts/api';
import { EVENT_SOURCES } from '../../contracts/events';
import type { SqlDb } from '../sqlDb';

const MAX_VALUES = 500;

/** Distinct non-null values of an indexed events column, in order, via repeated index seeks. */
function distinctIndexed(db: SqlDb, col: 'event_type' | 'tool_name' | 'model'): string[] {
  return db
    .all<{ v: string }>(
      `WITH RECURSIVE d(v, n) AS (
         SELECT (SELECT MIN(${col}) FROM events WHERE ${col} IS NOT NULL), 1
         UNION ALL
         SELECT (SELECT MIN(${col}) FROM events WHERE ${col} > d.v), n + 1 FROM d WHERE d.v IS NOT NULL AND n < ${MAX_VALUES})
       SELECT v FROM d WHERE v IS NOT NULL`,
    )
    .map((r) => r.v);
}

function column(db: SqlDb, sql: string): string[] {
  return db.all<{ v: string }>(sql).map((r) => r.v);
}

export const queries = {
  filterOptions(db: SqlDb, _p: Record<string, never> = {}): FilterOptions {
    const nonEmpty = (col: string, table: string) =>
      `SELECT DISTINCT ${col} AS v FROM ${table} WHERE ${col} IS NOT NULL AND ${col} != '' ORDER BY v LIMIT ${MAX_VALUES}`;
    return {
      agent_types: column(db, `SELECT agent_type AS v FROM agents ORDER BY v LIMIT ${MAX_VALUES}`),
      event_types: distinctIndexed(db, 'event_type'),
      tool_names: distinctIndexed(db, 'tool_name'),
      models: distinctIndexed(db, 'model'),
      projects: column(db, nonEmpty('project', 'sessions')),
      branches: column(db, nonEmpty('branch', 'sessions')),
      // `source` has no index and only four values; listing them all keeps this query cheap.
      sources: [...EVENT_SOURCES],
    };
  },
};

export const writeQueries = [] as const;
