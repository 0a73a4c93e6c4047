import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredEvent } from '../../src/core/contracts/events';
import { signal } from '@preact/signals';
import { buildQueryString, DASHBOARD_STARTUP_REQUESTS, TIME_ZONE_PLACEHOLDER, type ApiQuery, type HostToWebview, type WebviewToHost } from '../../src/core/contracts/webview';
import type { DataSource } from '../../webview/data/dataSource';
import { FeedBuffer, FrameBatcher } from '../../webview/data/feedBuffer';
import { matchesFilter } from '../../webview/data/eventFilter';
import { AppState, localTimeZone, parseHash, routeHash } from '../../webview/data/appState';
import { ANSWER_MAX_AGE_MS, AnswerCache } from '../../webview/data/answerCache';
import type { SseMessage } from '../../src/core/contracts/sse';
import { toCsv, toJson } from '../../webview/lib/exportData';
import { formatDuration, formatTokens, formatUsd } from '../../webview/lib/format';
import { VscodeDataSource } from '../../webview/data/vscodeDataSource';
import { storedEvent } from '../helpers/storedEvent';

const ev = (id: number, over: Partial<StoredEvent> = {}) => storedEvent(id, { status: 'running', project: 'p', ...over });

test('feed buffer: newest first, older pages at the end, completions in place, bounded from the old end', () => {
  const b = new FeedBuffer(5);
  b.appendOlder([ev(10), ev(9), ev(8)]);
  assert.equal(b.pushNewest([ev(11), ev(12)]), 2);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => b.at(i)?.id), [12, 11, 10, 9, 8]);
  const before = b.at(1)!;
  assert.equal(b.pushNewest([ev(11, { status: 'success', duration_ms: 30 })]), 0, 'a completion adds no row');
  assert.equal(b.at(1)!.status, 'success');
  assert.equal(b.revision(before), 1);
  assert.equal(b.pushNewest([ev(13), ev(14)]), 2);
  assert.equal(b.length, 5);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => b.at(i)?.id), [14, 13, 12, 11, 10]);
  assert.equal(b.dropped, 2);
  assert.equal(b.has(8), false);
  b.pushNewest([ev(15), ev(16), ev(17), ev(18), ev(19), ev(20)]);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => b.at(i)?.id), [20, 19, 18, 17, 16], 'trims live rows once older pages are gone');
  assert.equal(b.get(14), undefined);
});

test('feed buffer: by event time, live and paged events put in their place whatever order they come in', () => {
  const at = (id: number, ms: number) => ev(id, { created_at: new Date(1_700_000_000_000 + ms).toISOString() });
  const b = new FeedBuffer(100);
  b.appendOlder([at(1, 500), at(2, 400)]);
  // Live: one newest, one (an import's) older than everything, one between, one equal in time (ties by id).
  assert.equal(b.pushNewest([at(10, 900), at(11, 100), at(12, 450), at(13, 500)]), 2, 'rows above the previous top');
  const ids = () => Array.from({ length: b.length }, (_, i) => b.at(i)!.id);
  assert.deepEqual(ids(), [10, 13, 1, 12, 2, 11]);
  // A page that overlaps what live events brought.
  assert.equal(b.appendOlder([at(12, 450), at(3, 300), at(4, 50)]), 2);
  assert.deepEqual(ids(), [10, 13, 1, 12, 2, 3, 11, 4]);
  for (const [i, id] of ids().entries()) assert.equal(b.indexOf(id), i);
  assert.equal(b.indexOf(99), -1);
});

test('frame batcher: one flush per scheduled frame, bounded while frames stall', () => {
  const frames: (() => void)[] = [];
  const flushed: number[][] = [];
  const fb = new FrameBatcher<number>((xs) => flushed.push(xs), (cb) => frames.push(cb), 3);
  for (let i = 0; i < 5; i++) fb.push(i);
  assert.equal(frames.length, 1, 'one frame requested for many items');
  frames.shift()!();
  assert.deepEqual(flushed, [[2, 3, 4]]);
  assert.equal(fb.dropped, 2);
  fb.push(9);
  frames.shift()!();
  assert.deepEqual(flushed[1], [9]);
});

test('event filter: any value within a key, every key', () => {
  const e = ev(1, { agent_type: 'codex', model: 'gpt-5', tool_name: null });
  assert.equal(matchesFilter(e, {}), true);
  assert.equal(matchesFilter(e, { agent_type: ['claude-code', 'codex'] }), true);
  assert.equal(matchesFilter(e, { agent_type: ['codex'], model: ['gpt-4'] }), false);
  assert.equal(matchesFilter(e, { tool_name: ['Bash'] }), false, 'a missing value does not match');
});

test('routes round-trip through the location hash', () => {
  assert.deepEqual(parseHash('#/costs'), { view: 'costs', sessionId: null });
  assert.deepEqual(parseHash('#/nope'), { view: 'overview', sessionId: null });
  const r = { view: 'sessions' as const, sessionId: 'a/b c#d' };
  assert.deepEqual(parseHash(routeHash(r)), r);
});

test('a Costs or Tools period round-trips through the location hash; a bad one is the default', () => {
  for (const period of [{ id: 'all' as const }, { id: '90d' as const }, { id: 'custom' as const, from: '2025-01-02', to: '2025-03-04' }]) {
    const r = { view: 'tools' as const, sessionId: null, period };
    assert.deepEqual(parseHash(routeHash(r)), r);
  }
  assert.equal(routeHash({ view: 'costs', sessionId: null, period: { id: 'all' } }), '#/costs?period=all');
  assert.deepEqual(parseHash('#/costs?period=custom&from=2025-03-04&to=2025-01-02'), { view: 'costs', sessionId: null, period: { id: 'custom' } }, 'a backwards range is dropped');
  assert.deepEqual(parseHash('#/costs?period=year'), { view: 'costs', sessionId: null });
  assert.deepEqual(parseHash('#/feed?period=all'), { view: 'feed', sessionId: null }, 'only Costs and Tools keep one');
});

test('CSV quotes, neutralizes formulas; JSON keeps numbers', () => {
  const t = { name: 'by_model', columns: ['key', 'cost_usd'], rows: [['=HYPERLINK("x")', 1.5], ['a,b', null]] as (string | number | null)[][] };
  assert.equal(toCsv(t), 'key,cost_usd\n"\'=HYPERLINK(""x"")",1.5\n"a,b",\n');
  assert.deepEqual(JSON.parse(toJson([t], { period: '7d' })), { period: '7d', by_model: [{ key: '=HYPERLINK("x")', cost_usd: 1.5 }, { key: 'a,b', cost_usd: null }] });
});

test('formatting', () => {
  assert.equal(formatUsd(1234.567), '$1,234.57');
  assert.equal(formatUsd(0.00421), '$0.0042');
  assert.equal(formatUsd(null), '—');
  assert.equal(formatTokens(950), '950');
  assert.equal(formatTokens(45_600), '45.6k');
  assert.equal(formatTokens(1_234_000), '1.23M');
  assert.equal(formatDuration(420), '420 ms');
  assert.equal(formatDuration(245_000), '4m 05s');
});

test('VS Code bridge: ready first, answers matched by request id, SSE forwarded, reconnect resyncs', async () => {
  const posted: WebviewToHost[] = [];
  const target = new EventTarget();
  (globalThis as { window?: unknown }).window = target;
  try {
    const ds = new VscodeDataSource({ postMessage: (m) => posted.push(m), getState: () => undefined, setState: () => {} });
    const got: string[] = [];
    ds.onMessage((m) => got.push(m.type));
    let resyncs = 0;
    ds.onResync(() => resyncs++);
    ds.start();
    assert.deepEqual(posted[0], { type: 'ready' });
    const send = (m: HostToWebview) => target.dispatchEvent(new MessageEvent('message', { data: m }));
    const a = ds.get('/api/stats', { tz: 'UTC' });
    const b = ds.get('/api/sessions');
    const [reqA, reqB] = posted.slice(1) as Extract<WebviewToHost, { type: 'api_get' }>[];
    assert.equal(reqA.path, '/api/stats');
    assert.deepEqual(reqA.query, { tz: 'UTC' });
    send({ type: 'api_response', request_id: reqB.request_id, ok: false, status: 404, error: 'no such session' });
    send({ type: 'api_response', request_id: reqA.request_id, ok: true, status: 200, body: { n: 7 } });
    assert.deepEqual(await a, { n: 7 });
    await assert.rejects(b, /no such session/);
    send({ type: 'sse', message: { type: 'hello', server_version: '1', at: 'now' } });
    send({ type: 'connection', state: 'connected' });
    send({ type: 'connection', state: 'disconnected' });
    send({ type: 'connection', state: 'connected' });
    send({ type: 'resync' });
    assert.deepEqual(got, ['hello']);
    assert.equal(resyncs, 3);
    assert.equal(ds.connection.value, 'connected');
  } finally {
    delete (globalThis as { window?: unknown }).window;
  }
});

test('the app starts with exactly the requests the page preloads (same URLs, same order)', async () => {
  const asked: string[] = [];
  const ds: DataSource = {
    async get<T>(path: string, query?: ApiQuery): Promise<T> {
      asked.push(`${path}${buildQueryString(query)}`);
      return (path === '/api/events' ? { events: [], next_cursor: null } : path === '/api/sessions' ? { sessions: [] } : {}) as T;
    },
    onMessage: () => () => undefined,
    onResync: () => () => undefined,
    save: () => undefined,
    connection: signal('connected'),
    start: () => undefined,
  };
  const app = new AppState(ds, { host: 'browser', version: '' }, () => undefined);
  await app.refresh();
  const tz = new URLSearchParams({ tz: localTimeZone() }).toString().slice(3);
  assert.deepEqual(
    asked,
    DASHBOARD_STARTUP_REQUESTS.map((r) => `${r.path}${buildQueryString(r.query)}`.split(TIME_ZONE_PLACEHOLDER).join(tz)),
  );
});

test('answer cache: an answer is reused while nothing changed, for at most its age, and the cache is bounded', () => {
  const c = new AnswerCache();
  c.keep('/api/stats/cost{"by":"day"}', { total: 1 }, 3, 1_000);
  assert.deepEqual(c.fresh('/api/stats/cost{"by":"day"}', 3, 1_000 + ANSWER_MAX_AGE_MS), { data: { total: 1 }, at: 1_000 });
  assert.equal(c.fresh('/api/stats/cost{"by":"model"}', 3, 1_000), null, 'another question');
  assert.equal(c.fresh('/api/stats/cost{"by":"day"}', 4, 1_001), null, 'the data changed since it was asked');
  assert.equal(c.fresh('/api/stats/cost{"by":"day"}', 3, 1_001), null, 'a stale answer is dropped, not kept for later');
  c.keep('old', 1, 0, 5_000);
  c.keep('new', 2, 0, 10_000);
  assert.equal(c.fresh('old', 0, 5_000 + ANSWER_MAX_AGE_MS + 1), null, 'too old');
  for (let i = 0; i < 100; i++) c.keep(`k${i}`, i, 0, 10_000);
  assert.equal(c.fresh('new', 0, 10_000), null, 'the oldest went beyond the bound');
  assert.equal(c.fresh('k99', 0, 10_000)?.data, 99);
  assert.equal(c.fresh('k36', 0, 10_000)?.data, 36, '64 answers are kept');
  assert.equal(c.fresh('k35', 0, 10_000), null);
  const asked = c.generation();
  c.clear();
  c.keep('late', 'asked before a write, answered after it', 0, 10_000, asked);
  assert.equal(c.fresh('late', 0, 10_000), null, 'data changed while the answer was on its way');
  c.keep('late', 'asked after it', 0, 10_000, c.generation());
  assert.equal(c.fresh('late', 0, 10_000)?.data, 'asked after it');
});

test('app state: any message about written data drops the kept answers at once; hello and progress do not', () => {
  let deliver: (m: SseMessage) => void = () => undefined;
  const ds: DataSource = {
    get: async <T>() => ({}) as T,
    onMessage: (l) => ((deliver = l), () => undefined),
    onResync: () => () => undefined,
    save: () => undefined,
    connection: signal('connected'),
    start: () => undefined,
  };
  const app = new AppState(ds, { host: 'browser', version: '' }, (cb) => cb());
  const keep = () => app.answers.keep('q', 'answer', app.dataTick.peek(), Date.now());
  const kept = () => app.answers.fresh('q', app.dataTick.peek()) !== null;
  keep();
  deliver({ type: 'hello', server_version: '1', at: new Date().toISOString() });
  deliver({ type: 'import_progress' } as SseMessage);
  assert.ok(kept(), 'nothing was written');
  deliver({ type: 'event', event: ev(1) });
  assert.ok(!kept(), 'an event was stored: the answer may be stale before any stats message');
  keep();
  deliver({ type: 'session_update', session: { session_id: 's', last_event_at: new Date().toISOString() } } as unknown as SseMessage);
  assert.ok(!kept());
  keep();
  deliver({ type: 'import_done' } as unknown as SseMessage);
  assert.ok(!kept());
});
