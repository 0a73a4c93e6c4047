/**
 * Distinct values for the dashboard's filter menus (`GET /api/filter-options`), all from small
 * tables: event types, tools and models from `event_values` (every value an event was stored
 * with; a value whose events retention pruned stays listed, as its usage stays in the Costs
 * view), agents from `agents`, projects and branches from the indexes of `sessions`.
 */
import type { FilterOptions } from '../../contracts/api';
import { EVENT_SOURCES } from '../../contracts/eventSources';
import type { SqlDb } from '../sqlDb';
import type { EventValueColumn } from '../insert';

const MAX_VALUES = 500;

/** The values an events column has held (`event_values`, kept by every insert). */
function eventValues(db: SqlDb, col: EventValueColumn): string[] {
  return column(db, `SELECT value AS v FROM event_values WHERE col = '${col}' ORDER BY value LIMIT ${MAX_VALUES}`);
}

function column(db: SqlDb, sql: string): string[] {
  return db.all<{ v: string }>(sql).map((r) => r.v);
}

/**
 * The distinct non-empty projects or branches of the sessions, in order: one seek a value in the
 * partial index `sessions_<col>` (schema version 11), not a scan of every session.
 */
export function sessionValuesSql(col: 'project' | 'branch'): string {
  const of = `FROM sessions WHERE ${col} IS NOT NULL AND ${col} != ''`;
  return `WITH RECURSIVE d(v, n) AS (
       SELECT (SELECT MIN(${col}) ${of}), 1
       UNION ALL
       SELECT (SELECT MIN(${col}) ${of} AND ${col} > d.v), n + 1 FROM d WHERE d.v IS NOT NULL AND n < ${MAX_VALUES})
     SELECT v FROM d WHERE v IS NOT NULL`;
}

export const queries = {
  filterOptions(db: SqlDb, _p: Record<string, never> = {}): FilterOptions {
    return {
      agent_types: column(db, `SELECT agent_type AS v FROM agents ORDER BY v LIMIT ${MAX_VALUES}`),
      event_types: eventValues(db, 'event_type'),
      tool_names: eventValues(db, 'tool_name'),
      models: eventValues(db, 'model'),
      projects: column(db, sessionValuesSql('project')),
      branches: column(db, sessionValuesSql('branch')),
      // `source` has no index and only four values; listing them all keeps this query cheap.
      sources: [...EVENT_SOURCES],
    };
  },
};

export const writeQueries = {} as const;
