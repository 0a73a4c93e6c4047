/**
 * "AgentMonitor: Search Sessions" (issue 17): a search answer becomes quick-pick items whose target
 * is the hit's session at its event; the dashboard panel passes that event to the page (its open
 * request), which opens `#/sessions/<id>?event=<n>`; a malformed event id is dropped, never sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { SearchPage } from '../../src/core/contracts/api';
import { INITIAL_STATE_ELEMENT_ID, type DashboardInitialState } from '../../src/core/contracts/webview';
import { searchPickItems, searchQueryProblem } from '../../src/extension/model/searchPick';
import { targetHash } from '../../webview/data/router';
import { fakeVscode, installFakeVscode, panels } from '../helpers/fakeVscode';

installFakeVscode();

const page: SearchPage = {
  results: [
    { session_id: '5df58c72-10ee-4455-8525-dd0ff3c62090', event_id: 17, at: '2026-11-24T00:53:51.605Z', kind: 'answer', snippet: 'README.md has a few dozen bytes.' },
    { session_id: 'codex-1', event_id: 3, at: '2026-11-24T00:52:50.000Z', kind: 'tool', snippet: 'ls -la' },
  ],
  next_cursor: 'abc',
};

test('search hits become quick-pick items that open the hit in its session', () => {
  const found = searchPickItems(page)!;
  assert.equal(found.more, true);
  assert.deepEqual(
    found.items.map((i) => [i.label, i.description, i.target]),
    [
      ['README.md has a few dozen bytes.', 'Answer · session 5df58c72-10ee-4455-8525-dd0ff3c62090', { view: 'sessions', session_id: '5df58c72-10ee-4455-8525-dd0ff3c62090', event_id: 17 }],
      ['ls -la', 'Tool · session codex-1', { view: 'sessions', session_id: 'codex-1', event_id: 3 }],
    ],
  );
  assert.equal(targetHash(found.items[0].target), '#/sessions/5df58c72-10ee-4455-8525-dd0ff3c62090?event=17');
  assert.equal(searchPickItems({ error: 'q is required' }), null);
  assert.deepEqual(searchPickItems({ results: [{ session_id: 1 }], next_cursor: null }), { items: [], more: false });
  assert.equal(searchQueryProblem('  dozen '), null);
  assert.match(searchQueryProblem('   ')!, /words/);
  assert.match(searchQueryProblem('"*"')!, /word/);
  assert.match(searchQueryProblem('a'.repeat(201))!, /200/);
});

test('the dashboard panel hands the hit to the page; a malformed event id is dropped', async () => {
  const { DashboardPanelHost } = await import('../../src/extension/panel/dashboardPanel');
  const live = { status: { state: 'connected', url: 'http://127.0.0.1:3142' }, client: null, onMessage: () => ({ dispose() {} }), onDidChangeStatus: () => ({ dispose() {} }) };
  const request = (target: Record<string, unknown>) => {
    const host = new DashboardPanelHost(fakeVscode.Uri.file(path.resolve(__dirname, '../..')) as never, live as never, () => 'http://127.0.0.1:3142');
    host.register();
    host.show(target as never);
    const m = new RegExp(`id="${INITIAL_STATE_ELEMENT_ID}">([^<]*)<`).exec(panels.at(-1)!.webview.html);
    host.dispose();
    return (JSON.parse(m![1]!.replace(/\\u003c/g, '<')) as DashboardInitialState).open_request;
  };
  const ok = request({ view: 'sessions', session_id: 'codex-1', event_id: 3 })!;
  assert.equal(targetHash(ok), '#/sessions/codex-1?event=3');
  for (const event_id of ['3', -1, 1.5, Number.NaN]) {
    const r = request({ view: 'sessions', session_id: 'codex-1', event_id })!;
    assert.equal('event_id' in r, false, String(event_id));
    assert.equal(targetHash(r), '#/sessions/codex-1');
  }
  assert.equal('event_id' in request({ view: 'costs', event_id: 3 })!, false, 'an event needs its session');
});
