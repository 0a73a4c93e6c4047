import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DashboardInitialState, DashboardOpenRequest, HostToWebview } from '../../src/core/contracts/webview';
import { isRouteHash, startHash, targetHash } from '../../webview/data/router';
import { parseHash, routeHash } from '../../webview/data/appState';
import { VscodeDataSource } from '../../webview/data/vscodeDataSource';

const page = (extra: Partial<DashboardInitialState> = {}): DashboardInitialState => ({ host: 'vscode', version: '1', ...extra });
const open = (request_id: string, session_id: string): DashboardOpenRequest => ({ request_id, view: 'sessions', session_id });

test('route hashes: pages, not elements; a session wins over a view', () => {
  assert.equal(isRouteHash('#/costs'), true);
  assert.equal(isRouteHash('#main'), false);
  assert.equal(isRouteHash(''), false);
  assert.equal(targetHash({ view: 'tools' }), '#/tools');
  assert.equal(targetHash({ view: 'costs', session_id: 'a/b' }), '#/sessions/a%2Fb');
  assert.equal(targetHash({}), '');
});

test('first page: an explicit open request wins over the restored location, once', () => {
  const request = open('r1', 's-1');
  // a new page, or one restored on the Costs view: the request wins
  assert.equal(startHash('', undefined, page({ open_request: request })), '#/sessions/s-1');
  assert.equal(startHash('', { hash: '#/costs' }, page({ open_request: request })), '#/sessions/s-1');
  assert.equal(startHash('', { hash: '#/costs', applied_request_id: 'r0' }, page({ open_request: request })), '#/sessions/s-1');
  // the same page reloaded after the request was applied (and the user moved on): where it was
  assert.equal(startHash('', { hash: '#/tools', applied_request_id: 'r1' }, page({ open_request: request })), '#/tools');
  // no request: location hash, then saved hash, then the initial target; element fragments ignored
  assert.equal(startHash('#/feed', { hash: '#/tools' }, page({ view: 'costs' })), '#/feed');
  assert.equal(startHash('#main', { hash: '#/tools' }, page({ view: 'costs' })), '#/tools');
  assert.equal(startHash('', { hash: '#main' }, page({ view: 'costs' })), '#/costs');
  assert.equal(startHash('', undefined, page({ view: 'costs', session_id: 's-2' })), '#/sessions/s-2');
  assert.equal(startHash('', undefined, page()), '');
});

test('VS Code bridge: a navigate message reaches the open-request listeners', () => {
  const target = new EventTarget();
  (globalThis as { window?: unknown }).window = target;
  try {
    const ds = new VscodeDataSource({ postMessage: () => {}, getState: () => undefined, setState: () => {} });
    const got: DashboardOpenRequest[] = [];
    ds.onOpenRequest((r) => got.push(r));
    ds.start();
    const request = open('r2', 's-3');
    target.dispatchEvent(new MessageEvent('message', { data: { type: 'navigate', request } satisfies HostToWebview }));
    assert.deepEqual(got, [request]);
  } finally {
    delete (globalThis as { window?: unknown }).window;
  }
});

test("the Sessions list's filters, search and order round-trip through the hash; invalid values are left out", () => {
  const list = { q: 'fix bug', agent_type: 'codex', status: 'active' as const, project: '/work/a b', min_cost: '1.5', sort: 'cost_usd' as const, dir: 'asc' as const };
  const hash = routeHash({ view: 'sessions', sessionId: null, list });
  assert.equal(hash, '#/sessions?q=fix+bug&agent_type=codex&status=active&project=%2Fwork%2Fa+b&min_cost=1.5&sort=cost_usd&dir=asc');
  assert.deepEqual(parseHash(hash), { view: 'sessions', sessionId: null, list });
  assert.equal(routeHash({ view: 'sessions', sessionId: null, list: {} }), '#/sessions');
  assert.deepEqual(parseHash('#/sessions?status=gone&min_cost=-1&sort=nope&dir=up&q='), { view: 'sessions', sessionId: null });
  assert.deepEqual(parseHash('#/sessions?sort=tokens&dir=sideways'), { view: 'sessions', sessionId: null, list: { sort: 'tokens' } });
  // A session's page keeps its own query (the event of a search hit).
  assert.deepEqual(parseHash('#/sessions/abc?event=7&status=active'), { view: 'sessions', sessionId: 'abc', eventId: 7 });
});
