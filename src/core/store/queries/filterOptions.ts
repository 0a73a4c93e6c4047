/**
 * Distinct values for the dashboard's filter menus (`GET /api/filter-options`), all from small
 * tables: event types, tools and models from `event_values` (every value an event was stored
 * with; a value whose events retention pruned stays listed, as its usage stays in the Costs
 * view), agents, projects and branches from `agents` and `sessions`.
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

export const queries = {
  filterOptions(db: SqlDb, _p: Record<string, never> = {}): FilterOptions {
    const nonEmpty = (col: string, table: string) =>
      `SELECT DISTINCT ${col} AS v FROM ${table} WHERE ${col} IS NOT NULL AND ${col} != '' ORDER BY v LIMIT ${MAX_VALUES}`;
    return {
      agent_types: column(db, `SELECT agent_type AS v FROM agents ORDER BY v LIMIT ${MAX_VALUES}`),
      event_types: eventValues(db, 'event_type'),
      tool_names: eventValues(db, 'tool_name'),
      models: eventValues(db, 'model'),
      projects: column(db, nonEmpty('project', 'sessions')),
      branches: column(db, nonEmpty('branch', 'sessions')),
      // `source` has no index and only four values; listing them all keeps this query cheap.
      sources: [...EVENT_SOURCES],
    };
  },
};

export const writeQueries = {} as const;
