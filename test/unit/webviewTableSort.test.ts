import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSort, sortRows } from '../../webview/lib/tableSort';

const rows = [
  { name: 'Read', calls: 12, p95: 40 },
  { name: 'bash', calls: 3, p95: null },
  { name: 'Edit', calls: 12, p95: 5 },
  { name: 'Task10', calls: 1, p95: 900 },
  { name: 'Task9', calls: 7, p95: 10 },
];
const names = (rs: typeof rows) => rs.map((r) => r.name);

test('table sort: numbers by value, names as read (case ignored, numbers inside by value), ties in the given order', () => {
  assert.deepEqual(names(sortRows(rows, (r) => r.calls, 'desc')), ['Read', 'Edit', 'Task9', 'bash', 'Task10']);
  assert.deepEqual(names(sortRows(rows, (r) => r.calls, 'asc')), ['Task10', 'bash', 'Task9', 'Read', 'Edit']);
  assert.deepEqual(names(sortRows(rows, (r) => r.name, 'asc')), ['bash', 'Edit', 'Read', 'Task9', 'Task10']);
  assert.deepEqual(names(sortRows(rows, (r) => r.name, 'desc')), ['Task10', 'Task9', 'Read', 'Edit', 'bash']);
});

test('table sort: missing values last both ways; the input is not changed', () => {
  const before = names(rows);
  assert.deepEqual(names(sortRows(rows, (r) => r.p95, 'asc')), ['Edit', 'Task9', 'Read', 'Task10', 'bash']);
  assert.deepEqual(names(sortRows(rows, (r) => r.p95, 'desc')), ['Task10', 'Read', 'Task9', 'Edit', 'bash']);
  assert.deepEqual(names(rows), before);
});

test('next sort: a new column in its first direction, the sorted one reversed', () => {
  assert.deepEqual(nextSort({ key: 'calls', dir: 'desc' }, 'name', ['name']), { key: 'name', dir: 'asc' });
  assert.deepEqual(nextSort({ key: 'name', dir: 'asc' }, 'p95', ['name']), { key: 'p95', dir: 'desc' });
  assert.deepEqual(nextSort({ key: 'p95', dir: 'desc' }, 'p95', ['name']), { key: 'p95', dir: 'asc' });
});
