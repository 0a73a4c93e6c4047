import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordChange, touchedBetween } from '../../src/core/store/changeLog';
import type { SqlDb } from '../../src/core/store/sqlDb';

/** The log only uses the database as a key. */
const newDb = () => ({}) as SqlDb;

test('writes are caught up through an unbroken chain, and only through one', () => {
  const db = newDb();
  recordChange(db, 0, 3, { sessions: ['a'], hours: [1], toolEvents: [10] });
  recordChange(db, 3, 5, { sessions: ['b', 'a'] });
  recordChange(db, 5, 6);
  const t = touchedBetween(db, 0, 6)!;
  assert.deepEqual([[...t.sessions], [...t.hours], [...t.toolEvents]], [['a', 'b'], [1], [10]]);
  assert.deepEqual([...touchedBetween(db, 3, 5)!.sessions], ['b', 'a']);
  assert.equal(touchedBetween(db, 0, 7), null, 'a write after the last logged one');
  assert.equal(touchedBetween(db, 1, 6), null, 'a state no logged write started from');
  recordChange(db, 8, 9, { sessions: ['c'] });
  assert.equal(touchedBetween(db, 6, 9), null, 'an unlogged write between 6 and 8');
  assert.equal(touchedBetween(newDb(), 0, 3), null, 'another database');
});

test('a write that touched too much, or one evicted from the log, means reading again', () => {
  const db = newDb();
  recordChange(db, 0, 1, { toolEvents: Array.from({ length: 6000 }, (_, i) => i) });
  recordChange(db, 1, 2, { sessions: ['a'] });
  assert.equal(touchedBetween(db, 0, 2), null);
  assert.deepEqual([...touchedBetween(db, 1, 2)!.sessions], ['a']);
  for (let i = 2; i < 200; i++) recordChange(db, i, i + 1, { hours: [i] });
  assert.equal(touchedBetween(db, 1, 200), null, 'the start of the chain was evicted');
  assert.equal(touchedBetween(db, 190, 200)!.hours.size, 10);
});
