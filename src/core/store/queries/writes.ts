/**
 * What a writing query changes: each query module exports \`writeQueries\`, naming every query of
 * its own that writes and the tables it writes. The registry derives from these which queries mark
 * the database dirty (to be snapshotted) and which may leave the rows the dashboard keeps in memory
 * (\`memoRows.ts\`) valid: those that touch none of \`KEPT_ROW_TABLES\`.
 */

/** The tables (and the search index) a query can write. */
export type StoreTable =
  | 'events'
  | 'sessions'
  | 'usage_hourly'
  | 'agents'
  | 'import_state'
  | 'rate_limits'
  | 'otel_counters'
  | 'otel_codex_responses'
  | 'event_values'
  | 'search';

/** A module's writing queries, each with the tables it writes. */
export type WriteDeclarations<Q> = Partial<Record<keyof Q, readonly StoreTable[]>>;

/** The tables whose rows the dashboard's queries keep in memory between writes (\`changeLog.ts\`). */
export const KEPT_ROW_TABLES: readonly StoreTable[] = ['events', 'sessions', 'usage_hourly'];
