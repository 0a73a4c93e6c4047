/**
 * Every named query the store worker can run. The main thread calls them with
 * `store.query(name, params)`; each function receives the worker's SqlDb. All SQL lives under
 * `src/core/store/`. A module declares its writing queries and the tables they write in its
 * `writeQueries` (`writes.ts`); those writes are not journaled: only use them for state that can
 * be rebuilt, such as import offsets, or that is re-derived on recalc.
 */
import * as aggregates from './aggregates';
import * as importState from './importState';
import * as usageMonitor from './usageMonitor';
import * as events from './events';
import * as stats from './stats';
import * as cost from './cost';
import * as tools from './tools';
import * as sessions from './sessions';
import * as transcript from './transcript';
import * as search from './search';
import * as filterOptions from './filterOptions';
import * as otelMetrics from './otelMetrics';
import * as pricing from './pricing';
import * as payloads from './payloads';
import * as demoSessions from './demoSessions';
import { KEPT_ROW_TABLES, type StoreTable } from './writes';

export const QUERIES = {
  ...aggregates.queries,
  ...importState.queries,
  ...usageMonitor.queries,
  ...events.queries,
  ...stats.queries,
  ...cost.queries,
  ...tools.queries,
  ...sessions.queries,
  ...transcript.queries,
  ...search.queries,
  ...filterOptions.queries,
  ...otelMetrics.queries,
  ...pricing.queries,
  ...payloads.queries,
  ...demoSessions.queries,
};

export type QueryName = keyof typeof QUERIES;
export type QueryParams<K extends QueryName> = Parameters<(typeof QUERIES)[K]>[1];
export type QueryResult<K extends QueryName> = ReturnType<(typeof QUERIES)[K]>;

/** Every writing query with the tables it writes (`writes.ts`). */
const WRITES: Partial<Record<QueryName, readonly StoreTable[]>> = {
  ...aggregates.writeQueries,
  ...importState.writeQueries,
  ...usageMonitor.writeQueries,
  ...events.writeQueries,
  ...stats.writeQueries,
  ...cost.writeQueries,
  ...tools.writeQueries,
  ...sessions.writeQueries,
  ...transcript.writeQueries,
  ...search.writeQueries,
  ...filterOptions.writeQueries,
  ...otelMetrics.writeQueries,
  ...pricing.writeQueries,
  ...payloads.writeQueries,
  ...demoSessions.writeQueries,
};

/** Queries that write: the worker marks the database dirty after them. */
export const WRITE_QUERIES = new Set(Object.keys(WRITES) as QueryName[]);

/**
 * Writes that touch none of the tables whose rows the dashboard keeps in memory: logged as
 * touching nothing (`changeLog.ts`), so those rows (`memoRows.ts`) stay valid across them (import
 * offsets move with every pass of a followed log file).
 */
export const WRITES_OUTSIDE_KEPT_ROWS = new Set([...WRITE_QUERIES].filter((q) => !WRITES[q]!.some((t) => KEPT_ROW_TABLES.includes(t))));
