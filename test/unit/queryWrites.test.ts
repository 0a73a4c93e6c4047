/**
 * Writing queries declare what they write (`store/queries/writes.ts`): a query whose code writes
 * SQL must be declared, or the worker would neither mark the database dirty after it (its change
 * lost at the next start) nor drop the rows the dashboard keeps in memory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUERIES, WRITE_QUERIES, WRITES_OUTSIDE_KEPT_ROWS, type QueryName } from '../../src/core/store/queries/registry';

const WRITES_SQL = /\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|REPLACE\s+INTO|DROP\s+TABLE|CREATE\s+TABLE)\b/i;

test('every query whose code writes is declared with the tables it writes', () => {
  const writing = (Object.keys(QUERIES) as QueryName[]).filter((name) => WRITES_SQL.test(QUERIES[name].toString()));
  assert.ok(writing.length >= 5, `the check sees the writing queries (${writing.join(', ')})`);
  for (const name of writing) assert.ok(WRITE_QUERIES.has(name), `${name} writes but is not in its module's writeQueries`);
});

test('only writes outside the events, sessions and hourly rollup leave the kept rows valid', () => {
  assert.deepEqual([...WRITES_OUTSIDE_KEPT_ROWS].sort(), ['assignCodexOrdinals', 'clearImportState', 'recordOtelCounters', 'recordRateLimits', 'setImportState']);
  for (const name of ['recalcCosts', 'clearAll', 'pruneEventsBefore', 'rebuildAggregates'] as const) assert.ok(WRITE_QUERIES.has(name) && !WRITES_OUTSIDE_KEPT_ROWS.has(name), name);
});
