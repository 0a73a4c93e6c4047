/**
 * The one storage contract (issue 25): the same events into a local sql.js server and into a team
 * server on a real PostgreSQL give the same answers on every read route a team server serves.
 *
 * The events: the real Claude Code and Codex captures (test/shared/fixtures/captured) imported into
 * a first local server and read back out of it, plus a small fleet of people; then the same batches
 * posted to a fresh local server and to a team server. Answers are compared whole, except what
 * differs by construction (`generated_at`, `received_at`, the team's `person`/`people`), with
 * costs to 1e-9 (PostgreSQL sums doubles in another order than SQLite).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { EventsPage, SessionsPage, SessionDetail, TeamCostBreakdown, FilterOptions, TranscriptPage, SearchPage, UsageMonitor } from '../../src/core/contracts/api';
import type { EventInput, StoredEvent } from '../../src/core/contracts/events';
import { silentLogger } from '../../src/core/log';
import { startServer, type RunningServer } from '../../src/core/server/server';
import { startTeamServer, type RunningTeamServer } from '../../src/core/team/teamServer';
import { CLAUDE_CAPTURE, CODEX_CAPTURE } from '../helpers/hookFixtures';
import { CAPTURED_CLAUDE_SESSION, CAPTURED_CODEX_SESSION } from '../helpers/capturedImport';
import { getJson, postgresSkipReason, postJson, SERVICE_TOKEN, startCluster } from '../helpers/postgres';
import { connectSse, type SseClient } from '../helpers/sse';
import { asInput, comparable as compare, sameAnswer } from '../helpers/teamCompare';
import { tmpDir } from '../helpers/tmp';

const skip = postgresSkipReason();
const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 20, 9, 0, 0);
const PEOPLE = ['ana@example.com', 'bo@example.com', 'cy@example.com'];


/** Three people's sessions over two days: tools (one failing, one running), models, a subagent, an ended session. */
function fleet(): EventInput[] {
  const out: EventInput[] = [];
  for (let i = 0; i < 90; i++) {
    const s = i % 6;
    const at = BASE + i * 0.4 * HOUR + s * 7_000;
    const common = {
      session_id: `fleet-${s}`,
      agent_type: s % 2 ? 'codex' : 'claude-code',
      project: `/work/proj-${s % 3}`,
      branch: i % 5 ? 'main' : 'feature',
      client_timestamp: new Date(at).toISOString(),
      metadata: { 'user.email': PEOPLE[s % 3], ...(s === 5 ? { parent_session_id: 'fleet-1' } : {}) },
    };
    const kind = i % 3;
    if (kind === 0) out.push({ ...common, event_id: `f-${i}`, event_type: 'llm_request', model: ['claude-sonnet-4-5', 'gpt-5', 'no-such-model'][i % 3 === 0 ? (i / 3) % 3 : 0], tokens_in: 900 + i * 13, tokens_out: 120 + i * 7, cache_read_tokens: i * 50 } as EventInput);
    else if (kind === 1) out.push({ ...common, event_id: `f-${i}`, event_type: 'tool_use', tool_name: ['Bash', 'Read', 'Edit'][i % 3], status: i % 7 === 1 ? 'error' : i === 88 ? 'running' : 'success', duration_ms: 100 + i * 11 } as EventInput);
    else out.push({ ...common, event_id: `f-${i}`, event_type: i % 4 === 2 ? 'user_prompt' : 'session_start' } as EventInput);
  }
  // What search tokenizes: accents, case, paths, addresses, punctuation, tool inputs, files.
  const said: [string, string, Record<string, unknown>][] = [
    ['user_prompt', 'claude-code', { prompt: "Fix the Café menu in src/core/store.ts, don't break naïve_users@example.com" }],
    ['response', 'claude-code', { text: 'Refactoring done: 3 files changed (CAFÉ-menu v2.1).' }],
    ['tool_use', 'codex', { input: { command: 'grep -rn TODO src/core && wc -l README.md' } }],
    ['file_change', 'codex', { file_path: '/work/proj-1/src/Store.TS' }],
    ['user_prompt', 'codex', { prompt: 'refactor the store; then the menu' }],
  ];
  said.forEach(([event_type, agent_type, metadata], i) => {
    const s = i % 2 ? 3 : 0;
    out.push({ session_id: `fleet-${s}`, agent_type, project: `/work/proj-${s % 3}`, event_type, event_id: `f-said-${i}`, tool_name: event_type === 'tool_use' ? 'Bash' : undefined, client_timestamp: new Date(BASE + (30 + i) * HOUR).toISOString(), metadata: { 'user.email': PEOPLE[0], ...metadata } } as EventInput);
  });
  // Usage blocks (5 h) with a request exactly at a block's end and later in that hour (the hour is
  // split), and one where the edge request is all the hour holds (no new block).
  const MIN = 60_000;
  [45 * HOUR + 5 * MIN, 50 * HOUR, 50 * HOUR + 10 * MIN, 58 * HOUR + MIN, 63 * HOUR].forEach((t, i) => {
    out.push({ session_id: 'fleet-2', agent_type: 'claude-code', project: '/work/proj-2', event_type: 'llm_request', event_id: `f-use-${i}`, model: 'claude-sonnet-4-5', tokens_in: 1000 + i, tokens_out: 10 * i, client_timestamp: new Date(BASE + t).toISOString(), metadata: { 'user.email': PEOPLE[2] } } as EventInput);
  });
  out.push({ session_id: 'fleet-4', agent_type: 'claude-code', event_type: 'session_end', event_id: 'f-end-4', client_timestamp: new Date(BASE + 40 * HOUR).toISOString(), metadata: { 'user.email': PEOPLE[1] } });
  return out;
}

/** What differs between the servers by construction: the team's people and machines, times of answering and receiving. */
const BY_CONSTRUCTION = new Set(['generated_at', 'received_at', 'person', 'people', 'machines']);
const comparable = (x: unknown): unknown => compare(x, BY_CONSTRUCTION);

/** A search page without event ids (a cursor only as there or not). */
function withoutIds(p: SearchPage): { results: Omit<SearchPage['results'][number], 'event_id'>[]; more: boolean } {
  return { results: p.results.map(({ event_id: _id, ...h }) => h), more: p.next_cursor !== null };
}

describe('one storage contract: the local store and the team store answer the same', { skip: skip ?? false }, () => {
  let source: RunningServer;
  let url = '';
  let local: RunningServer;
  let team: RunningTeamServer;
  const events: EventInput[] = [];

  before(async () => {
    const cluster = await startCluster();
    url = await cluster.createDatabase('team_read_contract');
    const dir = tmpDir();
    const claudeDirs = [path.join(CLAUDE_CAPTURE, 'claude-config')];
    const codexDirs = [path.join(CODEX_CAPTURE, 'codex-home')];
    const env = { HOME: dir } as NodeJS.ProcessEnv;
    source = await startServer({ port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'source.db'), watchLogs: false, claudeDirs, codexDirs }, { log: silentLogger, env });
    const sse = (await connectSse(`${source.url}/api/stream`)) as SseClient;
    const imported = await postJson<{ import_id: string }>(`${source.url}/api/import`, { claude_dirs: claudeDirs, codex_dirs: codexDirs });
    assert.equal(imported.status, 202);
    await sse.waitFor('import_done', (m) => m.summary.import_id === imported.body.import_id, 60_000);
    sse.close();
    const stored: StoredEvent[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page: EventsPage = (await getJson<EventsPage>(`${source.url}/api/events?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).body;
      stored.push(...page.events);
      cursor = page.next_cursor;
    }
    assert.ok(stored.length > 20, `the captures hold events (${stored.length})`);
    events.push(...stored.reverse().map(asInput), ...fleet());

    local = await startServer({ port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'local.db'), watchLogs: false }, { log: silentLogger, env });
    team = await startTeamServer({ port: 0, host: '127.0.0.1', token: SERVICE_TOKEN }, { databaseUrl: url, log: silentLogger });
    for (let i = 0; i < events.length; i += 100) {
      const batch = events.slice(i, i + 100);
      for (const base of [local.url, team.url]) assert.equal((await postJson(`${base}/api/events/batch`, batch)).status, 201);
    }
  });
  after(async () => {
    await source?.close();
    await local?.close();
    await team?.close();
  });

  const same = (route: string): Promise<unknown> => sameAnswer(local.url, team.url, route, BY_CONSTRUCTION);

  const since = encodeURIComponent(new Date(BASE - 30 * 24 * HOUR).toISOString());
  const routes = [
    '/api/stats?tz=UTC',
    '/api/stats?tz=America%2FNew_York',
    '/api/sessions?limit=50',
    '/api/sessions?status=active,idle&limit=50',
    '/api/sessions?nest=true&limit=50',
    '/api/sessions?sort=cost_usd&dir=desc&limit=50',
    '/api/sessions?sort=tokens&dir=asc&limit=50',
    '/api/sessions?sort=duration&limit=50',
    '/api/sessions?q=PROJ-1&limit=50',
    '/api/sessions?agent_type=codex&limit=50',
    '/api/sessions?parent_session_id=fleet-1',
    '/api/sessions?min_cost=0.001&limit=50',
    '/api/attention',
    `/api/sessions/${CAPTURED_CLAUDE_SESSION}`,
    `/api/sessions/${CAPTURED_CODEX_SESSION}`,
    '/api/sessions/fleet-1',
    '/api/sessions/fleet-4',
    `/api/sessions/${CAPTURED_CLAUDE_SESSION}/transcript?limit=1000`,
    `/api/sessions/${CAPTURED_CODEX_SESSION}/transcript?limit=1000`,
    '/api/sessions/fleet-1/transcript',
    `/api/sessions/${CAPTURED_CLAUDE_SESSION}/timeline`,
    '/api/sessions/fleet-1/timeline',
    '/api/events?limit=200&order=created_at',
    '/api/events?limit=100',
    '/api/events?agent_type=codex&event_type=tool_use&limit=100',
    `/api/events?session_id=${CAPTURED_CLAUDE_SESSION}&limit=1000`,
    `/api/events?since=${encodeURIComponent(new Date(BASE + 5 * HOUR).toISOString())}&until=${encodeURIComponent(new Date(BASE + 9 * HOUR).toISOString())}&limit=100`,
    '/api/filter-options',
    `/api/stats/cost?by=day&stack=model&since=${since}&tz=UTC`,
    `/api/stats/cost?by=day&stack=model&since=${since}&tz=America%2FNew_York`,
    `/api/stats/cost?by=model&since=${since}&tz=UTC`,
    `/api/stats/cost?by=project&since=${since}&tz=UTC`,
    `/api/stats/cost?by=session&limit=50&since=${since}&tz=UTC`,
    '/api/stats/cost?by=session&limit=3&tz=UTC',
    `/api/stats/cost?by=session&since=${encodeURIComponent(new Date(BASE + 7 * HOUR + 1234).toISOString())}&until=${encodeURIComponent(new Date(BASE + 20 * HOUR).toISOString())}&tz=UTC`,
    '/api/stats/cost?by=session&model=gpt-5&tz=UTC',
    '/api/stats/cost?by=session&agent_type=codex&limit=5&tz=UTC',
    '/api/stats/cost?by=agent&tz=UTC',
    `/api/stats/tools?since=${since}&tz=UTC&bucket=day`,
    `/api/stats/tools?since=${since}&tz=UTC&bucket=hour&agent_type=codex`,
    '/api/stats/pulse?minutes=60',
    ...[
      'dozen', 'project%20contains', 'list%20the%20files', 'wc', 'does-not-exist.txt', 'the', 'refactor', 'refactor*', 'ref*', 'cafe', 'CAF%C3%89', 'caf%C3%A9%20menu',
      'store', 'store.ts', 'src%20core', 'naive', 'users', 'example.com', 'v2', 'TODO', 'readme', 'proj*', 'no-such-word', 'the&agent_type=codex', 'the&project=%2Fwork%2Fproj-0',
      `the&since=${encodeURIComponent(new Date(BASE).toISOString())}`, `the&until=${encodeURIComponent(new Date(BASE + 31 * HOUR).toISOString())}`, 'the&limit=3',
    ].map((q) => `/api/search?q=${q}`),
    ...['', '&provider=openai', '&provider=google', '&agent_type=codex', '&block_hours=1', '&block_hours=24'].map((q) => `/api/stats/usage-monitor?lookback_hours=744&tz=UTC${q}`),
    '/api/stats/usage-monitor?lookback_hours=744&tz=America%2FNew_York&block_hours=3',
    `/api/stats/usage-monitor?until=${encodeURIComponent(new Date(BASE + 52 * HOUR).toISOString())}&lookback_hours=10&tz=UTC`,
  ];
  for (const route of routes) test(`GET ${route}`, async () => void (await same(route)));

  test('the pages a cursor walks are the same', async () => {
    type Page = SessionsPage & EventsPage & TranscriptPage & SearchPage;
    const pages = ['/api/sessions?limit=4', '/api/sessions?limit=4&sort=cost_usd&dir=asc', '/api/events?limit=40', '/api/events?limit=40&order=created_at', `/api/sessions/${CAPTURED_CLAUDE_SESSION}/transcript?limit=7`, '/api/search?q=the&limit=2', '/api/search?q=s*&limit=3'];
    for (const first of pages) {
      let l = (await getJson<Page>(local.url + first)).body;
      let t = (await getJson<Page>(team.url + first)).body;
      for (let page = 0; page < 3 && l.next_cursor; page++) {
        assert.ok(t.next_cursor, `${first}: the team server has a page ${page + 2}`);
        const sep = first.includes('?') ? '&' : '?';
        l = (await getJson<Page>(`${local.url}${first}${sep}cursor=${l.next_cursor}`)).body;
        t = (await getJson<Page>(`${team.url}${first}${sep}cursor=${t.next_cursor}`)).body;
        assert.deepEqual(comparable(t.sessions ?? t.events ?? t.entries ?? t.results), comparable(l.sessions ?? l.events ?? l.entries ?? l.results), `${first} page ${page + 2}`);
      }
    }
  });

  test('the answers hold data: sessions of both captures and the fleet, with costs and tools', async () => {
    const page = (await getJson<SessionsPage>(`${team.url}/api/sessions?limit=50`)).body;
    const ids = page.sessions.map((s) => s.session_id);
    for (const id of [CAPTURED_CLAUDE_SESSION, CAPTURED_CODEX_SESSION, 'fleet-0']) assert.ok(ids.includes(id), id);
    const claude = (await getJson<SessionDetail>(`${team.url}/api/sessions/${CAPTURED_CLAUDE_SESSION}`)).body;
    assert.ok(claude.session.cost_usd > 0 && claude.models.length && claude.tools.length, 'the captured session has cost, models and tools');
    assert.deepEqual((await getJson<SessionDetail>(`${team.url}/api/sessions/fleet-1`)).body.children.map((c) => c.session_id), ['fleet-5']);
    assert.equal((await getJson<SessionDetail>(`${team.url}/api/sessions/fleet-4`)).body.session.status, 'ended');
  });

  test('a team server filters sessions, the feed and costs by person; a local server refuses person=', async () => {
    const ana = (await getJson<SessionsPage>(`${team.url}/api/sessions?person=ana@example.com&limit=50`)).body.sessions;
    assert.deepEqual(ana.map((s) => s.session_id).sort(), ['fleet-0', 'fleet-3']);
    assert.ok(ana.every((s) => s.person === 'ana@example.com'));
    const feed = (await getJson<EventsPage>(`${team.url}/api/events?person=bo@example.com&limit=1000`)).body.events;
    assert.equal(feed.length, events.filter((e) => (e.metadata as Record<string, unknown> | undefined)?.['user.email'] === 'bo@example.com').length);
    assert.ok(feed.every((e) => ['fleet-1', 'fleet-4'].includes(e.session_id)));
    const byPerson = (await getJson<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=person&tz=UTC`)).body;
    assert.deepEqual(byPerson.rows.map((r) => r.key).sort(), [...PEOPLE, 'unknown']);
    const anaCost = (await getJson<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=model&person=ana@example.com&tz=UTC`)).body;
    assert.equal(Math.round(anaCost.totals.cost_usd * 1e9), Math.round(byPerson.rows.find((r) => r.key === 'ana@example.com')!.cost_usd * 1e9));
    const people = (await getJson<FilterOptions>(`${team.url}/api/filter-options`)).body.people;
    assert.deepEqual(people, [...PEOPLE, 'unknown']);
    const refused = await getJson<{ error: string }>(`${local.url}/api/sessions?person=ana@example.com`);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /person filters need a team server/);
  });

  test('the stream filters by person on a team server (events and sessions carry their person), with session updates and stats; a local server refuses person=', async () => {
    const bo = (await connectSse(`${team.url}/api/stream?person=bo@example.com`)) as SseClient;
    try {
      assert.equal(bo.status, 200);
      for (const [person, id] of [['ana@example.com', 'live-ana'], ['bo@example.com', 'live-bo']]) {
        const r = await postJson(`${team.url}/api/events`, { session_id: `live-${person}`, agent_type: 'codex', event_type: 'session_start', event_id: id, metadata: { 'user.email': person } });
        assert.equal(r.status, 201);
      }
      // One LISTEN connection delivers commits in order: ana's event would have come first.
      const got = await bo.waitFor('event', (m) => m.event.event_id === 'live-bo');
      assert.equal(got.event.person, 'bo@example.com');
      assert.deepEqual(bo.messages.filter((m) => m.type === 'event').map((m) => (m.type === 'event' ? m.event.event_id : '')), ['live-bo']);
      // As locally: the touched session's row and the headline stats follow, the session by person too.
      const update = await bo.waitFor('session_update', (m) => m.session.session_id === 'live-bo@example.com');
      assert.equal(update.session.person, 'bo@example.com');
      assert.equal(update.session.event_count, 1);
      // Throttled: the latest stats message counts both events.
      const total = (await getJson<{ total: { events: number } }>(`${team.url}/api/stats?tz=UTC`)).body.total.events;
      await bo.waitFor('stats', (m) => m.stats.total.events === total);
      assert.ok(!bo.messages.some((m) => m.type === 'session_update' && m.session.session_id === 'live-ana@example.com'), "ana's session stays out");
    } finally {
      bo.close();
    }
    const refused = await connectSse(`${local.url}/api/stream?person=bo@example.com`);
    assert.equal(refused.status, 400);
  });

  test('what the team server does not serve yet answers 501 naming what it serves', async () => {
    for (const route of ['/api/import', '/api/data/clear']) {
      const r = await getJson<{ error: string }>(team.url + route);
      assert.equal(r.status, 501, route);
      assert.match(r.body.error, /is not available in team mode \(PostgreSQL\) yet; a team server serves the dashboard/);
    }
  });

  test('search answers hold hits: words of prompts, replies, tool inputs and file paths, case and accents ignored', async () => {
    const hits = async (q: string) => (await getJson<SearchPage>(`${team.url}/api/search?q=${q}`)).body.results.map((h) => [h.session_id, h.kind]);
    assert.deepEqual(await hits('cafe'), [['fleet-3', 'answer'], ['fleet-0', 'prompt']]);
    assert.deepEqual(await hits('store'), [['fleet-0', 'prompt'], ['fleet-3', 'file'], ['fleet-0', 'prompt']]);
    assert.deepEqual(await hits('todo'), [['fleet-0', 'tool']]);
    assert.ok((await hits('dozen')).some(([sid, kind]) => sid === CAPTURED_CLAUDE_SESSION && kind === 'answer'));
    // person= narrows to one person's events; a local server refuses it.
    assert.deepEqual(await hits(`the&person=${PEOPLE[0]}`), [['fleet-0', 'prompt'], ['fleet-0', 'prompt']]);
    assert.ok((await hits('the')).length > 2);
    assert.deepEqual(await hits(`the&person=${PEOPLE[1]}`), []);
    const refused = await getJson<{ error: string }>(`${local.url}/api/search?q=the&person=${PEOPLE[0]}`);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /person filters need a team server/);
  });

  test('search: where FTS4 (local) and the team index tokenize apart, the team server finds more, and only there', async () => {
    // Compatibility forms (NFKD: a ligature, fullwidth letters, a superscript), marks on non-Latin
    // letters (Cyrillic, Greek), and characters outside the BMP, which FTS4's unicode61 (Unicode 6.1
    // tables) counts as letters: matchesTerms, which both servers apply to every hit, folds them all.
    const texts = ['the ﬁle ligature', 'fullwidth ｆｉｌｅ', 'iodine йод', 'greek άλφα', 'square x²', 'emoji 🙂fish'];
    const batch = texts.map((prompt, i) => ({ session_id: 'fold', agent_type: 'claude-code', event_type: 'user_prompt', event_id: `fold-${i}`, client_timestamp: new Date(BASE + 50 * HOUR + i).toISOString(), metadata: { prompt } }));
    for (const base of [local.url, team.url]) assert.equal((await postJson(`${base}/api/events/batch`, batch)).status, 201);
    const snippets = async (base: string, q: string) => (await getJson<SearchPage>(`${base}/api/search?q=${encodeURIComponent(q)}`)).body.results.map((h) => h.snippet).sort();
    const apart: [string, string[], string[]][] = [
      ['file', [], ['fullwidth ｆｉｌｅ', 'the ﬁle ligature']],
      ['ﬁle', ['the ﬁle ligature'], ['fullwidth ｆｉｌｅ', 'the ﬁle ligature']],
      ['иод', [], ['iodine йод']],
      ['αλφα', [], ['greek άλφα']],
      ['x2', [], ['square x²']],
      ['fish', [], ['emoji 🙂fish']],
    ];
    for (const [q, want, got] of apart) {
      assert.deepEqual(await snippets(local.url, q), want, `local ${q}`);
      assert.deepEqual(await snippets(team.url, q), got, `team ${q}`);
    }
    // The words as written are found alike (ids aside: the stream's test stored two events on the team server only).
    for (const q of ['йод', 'άλφα', 'ligature', 'fullwidth', 'iodine', 'square', 'emoji']) {
      const [want, got] = await Promise.all([local.url, team.url].map(async (base) => withoutIds((await getJson<SearchPage>(`${base}/api/search?q=${encodeURIComponent(q)}`)).body)));
      assert.equal(want.results.length, 1, q);
      assert.deepEqual(got, want, q);
    }
  });

  test("the usage monitor by person on a team server: one person's blocks, the hour at a block's end split; a local server refuses person=", async () => {
    const cy = (await getJson<UsageMonitor>(`${team.url}/api/stats/usage-monitor?person=${PEOPLE[2]}&lookback_hours=744&tz=UTC`)).body;
    const at = (h: number) => new Date(BASE + h * HOUR).toISOString();
    assert.deepEqual(
      cy.blocks.map((b) => [b.start, b.end, b.requests, b.tokens_in]),
      [
        [at(58), at(63), 2, 1003 + 1004],
        [at(50), at(55), 1, 1002],
        [at(45), at(50), 2, 1000 + 1001],
      ],
    );
    assert.deepEqual(cy.providers, ['anthropic']);
    const refused = await getJson<{ error: string }>(`${local.url}/api/stats/usage-monitor?person=${PEOPLE[2]}`);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /person filters need a team server/);
  });

  test('the usage monitor with a block going on now: the same block, burn rate and projection', async () => {
    const now = Date.now();
    // The latest at now: later than the events the stream's test stored on the team server only.
    const batch = [25, 0].map((ago, i) => ({ session_id: 'now', agent_type: 'claude-code', event_type: 'llm_request', event_id: `now-${i}`, model: 'claude-sonnet-4-5', tokens_in: 5000 * (i + 1), tokens_out: 300, client_timestamp: new Date(now - ago * 60_000).toISOString() }));
    for (const base of [local.url, team.url]) assert.equal((await postJson(`${base}/api/events/batch`, batch)).status, 201);
    const route = '/api/stats/usage-monitor?tz=UTC';
    const [want, got] = await Promise.all([local.url, team.url].map(async (base) => (await getJson<UsageMonitor>(base + route)).body));
    assert.ok(want.current_block && want.burn_rate_usd_per_hour > 0, 'a block goes on');
    // Rates divide by the minutes up to each server's own now (its generated_at): compared as what they were made from.
    const made = (m: UsageMonitor) => {
      const now = Date.parse(m.generated_at);
      const minutes = Math.max(now - Date.parse(m.burn_rate_since!), 60_000) / 60_000;
      const timeLeft = Math.max(0, (Date.parse(m.current_block!.end) - now) / 60_000);
      assert.ok(Math.abs(m.block_time_left_minutes! - timeLeft) < 1e-9);
      assert.ok(Math.abs(m.projected_block_cost_usd! - (m.current_block!.cost_usd + (m.burn_rate_usd_per_hour / 60) * timeLeft)) < 1e-9);
      return [(m.burn_rate_usd_per_hour / 60) * minutes, m.burn_rate_tokens_per_minute * minutes];
    };
    const [a, b] = [made(got), made(want)];
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-9 * Math.max(1, Math.abs(b[i])), `the window's ${['cost', 'tokens'][i]}: ${x} vs ${b[i]}`));
    assert.ok(b[1] > 0);
    const nowBound = ['burn_rate_usd_per_hour', 'burn_rate_tokens_per_minute', 'projected_block_cost_usd', 'block_time_left_minutes'] as const;
    const rest = (m: UsageMonitor) => comparable(Object.fromEntries(Object.entries(m).filter(([k]) => !(nowBound as readonly string[]).includes(k))));
    assert.deepEqual(rest(got), rest(want));
  });

  test('events stored before search existed are indexed after a start (migration 4), then answer as the local store', async () => {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    let second: RunningTeamServer | null = null;
    try {
      await db.query('UPDATE am_events SET search_terms = NULL');
      await db.query("UPDATE am_meta SET value = (SELECT MAX(id) FROM am_events)::text WHERE key = 'search_backfill_to'");
      assert.deepEqual((await getJson<SearchPage>(`${team.url}/api/search?q=the`)).body.results, [], 'nothing indexed');
      second = await startTeamServer({ port: 0, host: '127.0.0.1', token: SERVICE_TOKEN }, { databaseUrl: url, log: silentLogger });
      assert.ok((await second.searchBackfill) > 20, 'the older events were indexed');
      assert.equal((await db.query<{ value: string }>("SELECT value FROM am_meta WHERE key = 'search_backfill_to'")).rows[0].value, '0');
      for (const q of ['the', 'cafe', 'refactor*', 'dozen', 'the&limit=3']) {
        const bases: string[] = [local.url, second.url];
        const [want, got] = await Promise.all(bases.map(async (base) => withoutIds((await getJson<SearchPage>(`${base}/api/search?q=${q}`)).body)));
        assert.ok(want.results.length > 0, q);
        assert.deepEqual(got, want, q);
      }
    } finally {
      await second?.close();
      await db.end();
    }
  });
});

if (skip) test(`the storage contract: skipped (${skip})`, { skip }, () => {});
