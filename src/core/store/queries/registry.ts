/**
 * Every named query the store worker can run. The main thread calls them with
 * `store.query(name, params)`; each function receives the worker's SqlDb. All SQL lives under
 * `src/core/store/`. Functions that write must be listed in `WRITE_QUERIES` so the worker marks
 * the database dirty (those writes are not journaled: only use them for state that can be
 * rebuilt, such as import offsets, or that is re-derived on recalc).
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

export const WRITE_QUERIES = new Set<QueryName>([...aggregates.writeQueries, ...importState.writeQueries, ...otelMetrics.writeQueries, ...pricing.writeQueries]);

/**
 * Writes that touch neither `events`, `sessions` nor `usage_hourly`: logged as touching nothing
 * (`changeLog.ts`), so the rows the dashboard's queries keep in memory (`memoRows.ts`) stay valid
 * across them (import offsets move with every pass of a followed log file).
 */
export const WRITES_OUTSIDE_KEPT_ROWS = new Set<QueryName>([...importState.writeQueries, ...otelMetrics.writeQueries]);
