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

export const QUERIES = {
  ...aggregates.queries,
  ...importState.queries,
  ...usageMonitor.queries,
};

export type QueryName = keyof typeof QUERIES;
export type QueryParams<K extends QueryName> = Parameters<(typeof QUERIES)[K]>[1];
export type QueryResult<K extends QueryName> = ReturnType<(typeof QUERIES)[K]>;

export const WRITE_QUERIES = new Set<QueryName>([...aggregates.writeQueries, ...importState.writeQueries]);
