import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signal } from '@preact/signals';
import type { ConnectionState } from '../../webview/data/dataSource';
import { trackStaleSince } from '../../webview/data/staleness';
import { distinctIdLabels } from '../../webview/lib/idLabels';
import { DEFAULT_SESSION_SORT, modelLabel, nextSessionSort } from '../../webview/views/Sessions';

test('feed session labels: the shortest distinct ending, never the shared prefix', () => {
  const ids = ['demo-1-live-0', 'demo-1-live-1', 'demo-1-live-2', 'demo-1-live-2-sub866846', 'demo-1-3-4-30a70r', 'demo-1-3-4-30a70r-sub858892', 'demo-1-3-4-30a70r-sub104381'];
  const labels = distinctIdLabels([...ids, 'demo-1-live-0']);
  assert.deepEqual(
    ids.map((id) => labels.get(id)),
    ['…live-0', '…live-1', '…live-2', '…sub866846', '…30a70r', '…sub858892', '…sub104381'],
  );
  assert.equal(new Set(labels.values()).size, ids.length, 'every label is different');
  const uuids = ['3f2a9c1e-4b5d-4e6f-8a9b-0c1d2e3f4a5b', '3f2a9c1e-4b5d-4e6f-8a9b-99aa88bb77cc'];
  assert.deepEqual([...distinctIdLabels(uuids).values()], ['…0c1d2e3f4a5b', '…99aa88bb77cc']);
  // An id that ends another one has no distinct ending: it is shown whole.
  assert.deepEqual([...distinctIdLabels(['alpha-beta', 'x-alpha-beta']).values()], ['alpha-beta', 'x-alpha-beta']);
  assert.deepEqual([...distinctIdLabels(['only-one-session-id']).values()], ['only-one-session-id']);
  // Endings shorter than six characters are not enough on their own.
  assert.equal(distinctIdLabels(['run-a-1', 'run-b-2']).get('run-a-1'), 'run-a-1');
});

test('stale since: set when the live connection is lost after it was up, cleared when it is back', () => {
  const conn = signal<ConnectionState>('connecting');
  let t = 1000;
  const stale = trackStaleSince(conn, () => t);
  assert.equal(stale.since.value, null, 'not stale while first connecting');
  conn.value = 'connected';
  assert.equal(stale.since.value, null);
  t = 2000;
  conn.value = 'connecting';
  assert.equal(stale.since.value, 2000);
  t = 3000;
  conn.value = 'disconnected';
  assert.equal(stale.since.value, 2000, 'stale since the first loss, not the latest retry');
  conn.value = 'connected';
  assert.equal(stale.since.value, null);
  stale.dispose();
  const refused = signal<ConnectionState>('connecting');
  const never = trackStaleSince(refused, () => 5000);
  refused.value = 'disconnected';
  assert.equal(never.since.value, 5000, 'refused before ever connecting');
  never.dispose();
});

test('sessions sort: a click sorts a new column in its natural direction, a second click reverses it', () => {
  assert.deepEqual(DEFAULT_SESSION_SORT, { key: 'last_event_at', dir: 'desc' });
  assert.deepEqual(nextSessionSort(DEFAULT_SESSION_SORT, 'last_event_at'), { key: 'last_event_at', dir: 'asc' });
  assert.deepEqual(nextSessionSort(DEFAULT_SESSION_SORT, 'cost_usd'), { key: 'cost_usd', dir: 'desc' });
  assert.deepEqual(nextSessionSort(DEFAULT_SESSION_SORT, 'project'), { key: 'project', dir: 'asc' });
  assert.deepEqual(nextSessionSort({ key: 'project', dir: 'asc' }, 'project'), { key: 'project', dir: 'desc' });
  assert.equal(modelLabel('claude-sonnet-4-5-20250929'), 'claude-sonnet-4-5');
  assert.equal(modelLabel('gpt-5.1-codex'), 'gpt-5.1-codex');
});
