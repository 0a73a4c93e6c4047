import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SESSION_SORT_KEYS, type CostBreakdown, type EventsPage, type FilterOptions, type PeriodTotals, type Session, type SessionDetail, type SessionSortKey, type SessionsPage, type Stats, type ToolStats, type TranscriptPage } from '../../src/core/contracts/api';
import type { EventInputRaw } from '../../src/core/contracts/events';
import { startTestServer, type TestServer } from '../helpers/server';

const MIN = 60_000;
type CostReport = CostBreakdown & { totals: PeriodTotals };

let s: TestServer;
const now = Date.now();
/** A zone where it is now between 01:00 and 23:00, so "a few minutes ago" is today there. */
const utcHour = new Date(now).getUTCHours();
const TZ = utcHour >= 1 && utcHour < 23 ? 'UTC' : 'Etc/GMT+12';
const recent = (agoMs: number) => now - agoMs;
const at = (t: number | string) => new Date(t).toISOString();

async function seed(events: EventInputRaw[]): Promise<void> {
  const r = await s.post<{ rejected: unknown[] }>('/api/events/batch', events);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.rejected, []);
}

async function get<T>(p: string, status = 200): Promise<T> {
  const r = await s.get<T>(p);
  assert.equal(r.status, status, `${p}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function badParam(p: string, field: string): Promise<void> {
  const body = await get<{ error: string; errors: { field: string }[] }>(p, 400);
  assert.equal(body.errors[0].field, field, `${p} should name ${field}: ${body.error}`);
  assert.match(body.error, new RegExp(field));
}

// Costs are powers of two so a sum tells exactly which events it contains.
const COST_EVENTS: EventInputRaw[] = [
  { t: '2026-03-10T18:15:00Z', cost: 8, model: 'model-a', session: 'cost-s1', project: '/p/one' },
  { t: '2026-03-10T18:45:00Z', cost: 16, model: 'model-b', session: 'cost-s1', project: '/p/one' },
  { t: '2026-03-10T23:30:00Z', cost: 1, model: 'model-a', session: 'cost-s2', project: '/p/two' },
  { t: '2026-03-11T00:30:00Z', cost: 2, model: 'model-a', session: 'cost-s2', project: '/p/two' },
  { t: '2026-03-11T10:00:00Z', cost: 4, model: 'model-b', session: 'cost-s3', project: '/p/two' },
].map((e) => ({
  session_id: e.session,
  agent_type: 'cost-test',
  event_type: 'llm_request',
  model: e.model,
  tokens_in: e.cost * 100,
  tokens_out: e.cost * 10,
  cost_usd: e.cost,
  project: e.project,
  client_timestamp: e.t,
}));

test('query API', async (t) => {
  {
    s = await startTestServer();
    await seed(COST_EVENTS);
    const live: EventInputRaw[] = [
      { session_id: 'live-1', agent_type: 'claude-code', event_type: 'session_start', project: '/w/app', branch: 'main', client_timestamp: at(recent(3 * MIN)) },
      { session_id: 'live-1', agent_type: 'claude-code', event_type: 'user_prompt', project: '/w/app', client_timestamp: at(recent(2 * MIN)), metadata: { prompt: 'fix the flaky test' } },
      { session_id: 'live-1', agent_type: 'claude-code', event_type: 'llm_request', model: 'claude-sonnet-4-5', tokens_in: 1000, tokens_out: 200, cost_usd: 0.5, project: '/w/app', client_timestamp: at(recent(MIN)) },
      { session_id: 'live-child', agent_type: 'claude-code', event_type: 'subagent_start', project: '/w/app', client_timestamp: at(recent(MIN)), metadata: { parent_session_id: 'live-1', description: 'explore the repo' } },
      { session_id: 'live-child', agent_type: 'claude-code', event_type: 'llm_request', model: 'claude-haiku-4-5', tokens_in: 10, tokens_out: 5, cost_usd: 0.25, project: '/w/app', client_timestamp: at(recent(MIN)) },
      { session_id: 'idle-1', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 50, tokens_out: 5, cost_usd: 0.125, project: '/w/lib', client_timestamp: at(recent(10 * MIN)) },
      { session_id: 'ended-1', agent_type: 'codex', event_type: 'session_start', project: '/w/lib', client_timestamp: at(recent(4 * MIN)) },
      { session_id: 'ended-1', agent_type: 'codex', event_type: 'session_end', project: '/w/lib', client_timestamp: at(recent(3 * MIN)) },
    ];
    // Tool calls: Read takes 1..100 ms, every tenth fails; one more call is still running.
    for (let i = 1; i <= 100; i++) {
      live.push({
        session_id: 'live-1',
        agent_type: 'claude-code',
        event_type: 'tool_use',
        tool_name: 'Read',
        status: i % 10 === 0 ? 'error' : 'success',
        duration_ms: 101 - i,
        project: '/w/app',
        client_timestamp: at(recent(2 * MIN) + i),
        metadata: i % 2 ? { input: { file_path: `/w/app/f${i}.ts` } } : { tool_input: { file_path: `/w/app/f${i}.ts` } },
      });
    }
    live.push({ session_id: 'live-1', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Read', status: 'running', event_id: 'tool:claude-code:t-running', project: '/w/app', client_timestamp: at(recent(30_000)) });
    live.push({ session_id: 'live-1', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', status: 'success', duration_ms: 7, project: '/w/app', client_timestamp: at(recent(20_000)) });
    await seed(live);
  }

  await t.test('GET /api/events', async (t) => {
    await t.test('filters by repeated and comma-separated values and by time', async () => {
      const codex = await get<EventsPage>('/api/events?agent_type=codex&limit=1000');
      assert.equal(codex.events.length, 3);
      assert.ok(codex.events.every((e) => e.agent_type === 'codex'));
      const both = await get<EventsPage>('/api/events?agent_type=codex,cost-test&limit=1000');
      const repeated = await get<EventsPage>('/api/events?agent_type=codex&agent_type=cost-test&limit=1000');
      assert.equal(both.events.length, 3 + COST_EVENTS.length);
      assert.deepEqual(repeated.events.map((e) => e.id), both.events.map((e) => e.id));
      const errors = await get<EventsPage>('/api/events?tool_name=Read&event_type=tool_use&limit=1000');
      assert.equal(errors.events.length, 101);
      const march = await get<EventsPage>('/api/events?since=2026-03-10T20:00:00Z&until=2026-03-11T05:00:00Z');
      assert.deepEqual(march.events.map((e) => e.cost_usd).sort(), [1, 2]);
      const byModel = await get<EventsPage>('/api/events?model=model-b');
      assert.deepEqual(byModel.events.map((e) => e.cost_usd).sort((a, b) => a! - b!), [4, 16]);
      const prompt = (await get<EventsPage>('/api/events?event_type=user_prompt')).events[0];
      assert.deepEqual(prompt.metadata, { prompt: 'fix the flaky test' });
    });

    await t.test('pages newest first with an opaque cursor, without gaps or repeats', async () => {
      const all = (await get<EventsPage>('/api/events?limit=1000')).events.map((e) => e.id);
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: EventsPage = await get<EventsPage>(`/api/events?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(page.events.length <= 7);
        seen.push(...page.events.map((e) => e.id));
        cursor = page.next_cursor;
        pages++;
      } while (cursor && pages < 100);
      assert.deepEqual(seen, all);
      assert.deepEqual([...seen].sort((a, b) => b - a), seen);
      assert.equal(new Set(seen).size, seen.length);
    });

    await t.test('bad parameters are 400s that name the parameter', async () => {
      await badParam('/api/events?limit=0', 'limit');
      await badParam('/api/events?limit=abc', 'limit');
      await badParam('/api/events?since=yesterday', 'since');
      await badParam('/api/events?until=2026-13-45', 'until');
      await badParam('/api/events?cursor=not-a-cursor', 'cursor');
      await badParam('/api/events?tz=Mars/Olympus', 'tz');
      const sessions = await get<SessionsPage>('/api/sessions?limit=1');
      await badParam(`/api/events?cursor=${sessions.next_cursor}`, 'cursor');
    });
  });

  await t.test('GET /api/stats/cost', async (t) => {
    const day = (r: CostReport) => Object.fromEntries(r.rows.map((x) => [x.key, x.cost_usd]));
    const q = '/api/stats/cost?by=day&agent_type=cost-test&since=2026-03-01&until=2026-03-31';

    await t.test('buckets days in the requested time zone', async () => {
      const utc = await get<CostReport>(`${q}&tz=UTC`);
      assert.deepEqual(day(utc), { '2026-03-10': 25, '2026-03-11': 6 });
      const ny = await get<CostReport>(`${q}&tz=America/New_York`);
      assert.deepEqual(day(ny), { '2026-03-10': 27, '2026-03-11': 4 });
      // +05:30: one UTC hour holds events on both sides of local midnight.
      const kolkata = await get<CostReport>(`${q}&tz=Asia/Kolkata`);
      assert.deepEqual(day(kolkata), { '2026-03-10': 8, '2026-03-11': 23 });
      for (const r of [utc, ny, kolkata]) {
        assert.equal(r.totals.cost_usd, 31);
        assert.equal(r.totals.events, 5);
        assert.equal(r.totals.tokens_in, 3100);
      }
      assert.equal(ny.tz, 'America/New_York');
    });

    await t.test('time bounds inside an hour are exact', async () => {
      const r = await get<CostReport>('/api/stats/cost?by=day&agent_type=cost-test&since=2026-03-10T18:30:00Z&until=2026-03-11T05:00:00Z&tz=UTC');
      assert.deepEqual(day(r), { '2026-03-10': 17, '2026-03-11': 2 });
      // Both bounds inside an hour, days in a +05:30 zone: partial hours from events, whole ones from the rollup.
      const both = '/api/stats/cost?agent_type=cost-test&since=2026-03-10T18:20:00Z&until=2026-03-11T00:40:00Z&tz=Asia/Kolkata';
      assert.deepEqual(day(await get<CostReport>(`${both}&by=day`)), { '2026-03-11': 19 });
      const byModel = await get<CostReport>(`${both}&by=model`);
      assert.deepEqual(day(byModel), { 'model-a': 3, 'model-b': 16 });
      assert.deepEqual([byModel.totals.events, byModel.totals.tokens_in], [3, 1900]);
      const narrow = await get<CostReport>('/api/stats/cost?by=day&agent_type=cost-test&since=2026-03-10T18:20:00Z&until=2026-03-10T18:50:00Z&tz=UTC');
      assert.deepEqual(day(narrow), { '2026-03-10': 16 }, 'a range inside one hour');
    });

    await t.test('groups by model, project, session and agent with the same totals', async () => {
      const base = '/api/stats/cost?agent_type=cost-test&tz=UTC';
      const model = await get<CostReport>(`${base}&by=model`);
      assert.deepEqual(day(model), { 'model-a': 11, 'model-b': 20 });
      const project = await get<CostReport>(`${base}&by=project`);
      assert.deepEqual(day(project), { '/p/one': 24, '/p/two': 7 });
      assert.equal(project.rows.find((r) => r.key === '/p/two')!.sessions, 2);
      const session = await get<CostReport>(`${base}&by=session`);
      assert.deepEqual(day(session), { 'cost-s1': 24, 'cost-s2': 3, 'cost-s3': 4 });
      const agent = await get<CostReport>(`${base}&by=agent`);
      assert.deepEqual(day(agent), { 'cost-test': 31 });
      for (const r of [model, project, session, agent]) {
        assert.equal(r.totals.cost_usd, 31);
        assert.equal(r.totals.sessions, 3);
      }
      assert.equal(model.rows[0].key, 'model-b', 'largest cost first');
    });

    await t.test('stacks days by model', async () => {
      const r = await get<CostReport>(`${q}&tz=UTC&stack=model`);
      const stacks = Object.fromEntries(r.stacked!.map((x) => [`${x.key} ${x.model}`, x.cost_usd]));
      assert.deepEqual(stacks, { '2026-03-10 model-a': 9, '2026-03-10 model-b': 16, '2026-03-11 model-a': 2, '2026-03-11 model-b': 4 });
    });

    await t.test('rejects unknown groupings and zones', async () => {
      await badParam('/api/stats/cost?by=week', 'by');
      await badParam('/api/stats/cost?by=model&stack=model', 'stack');
      await badParam('/api/stats/cost?tz=Nowhere/City', 'tz');
      await badParam('/api/stats/cost?since=2026-03-10&until=2026-03-01', 'until');
    });
  });

  await t.test('GET /api/stats', async (t) => {
    await t.test('totals, today, active sessions and agents come from the rollups', async () => {
      const st = await get<Stats>(`/api/stats?tz=${encodeURIComponent(TZ)}`);
      assert.equal(st.total.cost_usd, 31 + 0.875);
      assert.equal(st.today.cost_usd, 0.875);
      assert.equal(st.last_7_days.cost_usd, 0.875);
      assert.equal(st.today.tokens_in, 1060);
      assert.equal(st.today.requests, 3);
      assert.equal(st.total.sessions, 7);
      assert.equal(st.today.sessions, 4);
      // live-1 and live-child are active; idle-1 is idle (10 min); ended-1 has ended.
      assert.equal(st.active_sessions, 2);
      assert.equal(st.active_agents, 1);
      const codex = st.agents.find((a) => a.agent_type === 'codex')!;
      assert.equal(codex.sessions, 2);
      assert.equal(codex.active_sessions, 0);
      assert.equal(codex.today_cost_usd, 0.125);
      assert.ok(st.burn_rate_usd_per_hour > 0 && st.burn_rate_usd_per_hour <= 0.875 + 1e-9, String(st.burn_rate_usd_per_hour));
      assert.ok(st.events_per_minute > 0);
    });
  });

  await t.test('GET /api/stats/tools', async (t) => {
    await t.test('calls, errors, running and nearest-rank percentiles per tool', async () => {
      const t = await get<ToolStats>('/api/stats/tools?tz=UTC');
      const read = t.tools.find((x) => x.tool_name === 'Read')!;
      assert.deepEqual(
        { calls: read.calls, errors: read.errors, running: read.running, p50: read.p50_ms, p95: read.p95_ms, avg: read.avg_ms },
        { calls: 101, errors: 10, running: 1, p50: 50, p95: 95, avg: 50.5 },
      );
      assert.equal(read.error_rate, 0.1);
      const bash = t.tools.find((x) => x.tool_name === 'Bash')!;
      assert.deepEqual([bash.calls, bash.p50_ms, bash.p95_ms], [1, 7, 7]);
      assert.equal(t.tools[0].tool_name, 'Read');
      const calls = t.timeline.filter((b) => b.tool_name === 'Read').reduce((n, b) => n + b.calls, 0);
      assert.equal(calls, 101);
      const none = await get<ToolStats>('/api/stats/tools?agent_type=codex');
      assert.deepEqual(none.tools, []);
      await badParam('/api/stats/tools?bucket=minute', 'bucket');
    });
  });

  await t.test('sessions', async (t) => {
    await t.test('status is derived from silence and session_end; filters and search', async () => {
      const all = await get<SessionsPage>('/api/sessions?limit=100');
      const status = Object.fromEntries(all.sessions.map((x) => [x.session_id, x.status]));
      assert.equal(status['live-1'], 'active');
      assert.equal(status['idle-1'], 'idle');
      assert.equal(status['ended-1'], 'ended');
      assert.equal(status['cost-s1'], 'ended');
      const idle = await get<SessionsPage>('/api/sessions?status=idle');
      assert.deepEqual(idle.sessions.map((x) => x.session_id), ['idle-1']);
      const search = await get<SessionsPage>('/api/sessions?q=w/LIB');
      assert.deepEqual(search.sessions.map((x) => x.session_id).sort(), ['ended-1', 'idle-1']);
      const pct = await get<SessionsPage>('/api/sessions?q=%25');
      assert.deepEqual(pct.sessions, [], 'LIKE wildcards in q are literal');
      const codex = await get<SessionsPage>('/api/sessions?agent_type=codex&project=/w/lib');
      assert.equal(codex.sessions.length, 2);
      await badParam('/api/sessions?status=sleeping', 'status');
    });

    await t.test('active first, then by last activity, paged by cursor', async () => {
      const first = await get<SessionsPage>('/api/sessions?active_first=1&limit=100');
      const ranks = first.sessions.map((x) => (x.status === 'active' ? 0 : 1));
      assert.deepEqual(ranks, [...ranks].sort());
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: SessionsPage = await get<SessionsPage>(`/api/sessions?active_first=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...page.sessions.map((x) => x.session_id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(paged, first.sessions.map((x) => x.session_id));
      assert.equal(paged.length, 7);
    });

    await t.test('sort by any column, both directions, paged by a cursor of that order', async () => {
      const rankOfStatus = { active: 0, idle: 1, ended: 2 };
      const duration = (x: Session) => {
        const end = x.ended_at ? Date.parse(x.ended_at) : x.status === 'active' ? Date.now() : Date.parse(x.last_event_at);
        return Math.max(0, end - Date.parse(x.started_at));
      };
      const value: Record<SessionSortKey, (x: Session) => number | string> = {
        session_id: (x) => x.session_id,
        agent_type: (x) => x.agent_type,
        project: (x) => x.project ?? '',
        model: (x) => x.model ?? '',
        status: (x) => rankOfStatus[x.status],
        started_at: (x) => Date.parse(x.started_at),
        last_event_at: (x) => Date.parse(x.last_event_at),
        duration,
        event_count: (x) => x.event_count,
        tokens: (x) => x.tokens_in + x.tokens_out + x.cache_read_tokens + x.cache_write_tokens,
        cost_usd: (x) => x.cost_usd,
      };
      for (const sort of SESSION_SORT_KEYS) {
        for (const dir of ['asc', 'desc'] as const) {
          const all = (await get<SessionsPage>(`/api/sessions?sort=${sort}&dir=${dir}&limit=100`)).sessions;
          assert.equal(all.length, 7);
          const sign = dir === 'asc' ? 1 : -1;
          const cmp = (a: Session, b: Session) => {
            const va = value[sort](a);
            const vb = value[sort](b);
            return sign * (va < vb ? -1 : va > vb ? 1 : a.session_id < b.session_id ? -1 : a.session_id > b.session_id ? 1 : 0);
          };
          assert.deepEqual(all.map((x) => x.session_id), [...all].sort(cmp).map((x) => x.session_id), `${sort} ${dir}`);
          const paged: string[] = [];
          let cursor: string | null = null;
          do {
            const page: SessionsPage = await get<SessionsPage>(`/api/sessions?sort=${sort}&dir=${dir}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
            paged.push(...page.sessions.map((x) => x.session_id));
            cursor = page.next_cursor;
          } while (cursor);
          assert.deepEqual(paged, all.map((x) => x.session_id), `${sort} ${dir} paged`);
        }
      }
      const byCost = (await get<SessionsPage>('/api/sessions?sort=cost_usd&dir=desc&limit=3')).sessions.map((x) => x.cost_usd);
      assert.deepEqual(byCost, [16 + 8, 4, 2 + 1]);
      // Active first still comes first, then the asked order.
      const activeFirst = (await get<SessionsPage>('/api/sessions?active_first=1&sort=session_id&dir=asc&limit=100')).sessions.map((x) => x.session_id);
      assert.deepEqual(activeFirst, ['live-1', 'live-child', 'cost-s1', 'cost-s2', 'cost-s3', 'ended-1', 'idle-1']);
      const page1 = await get<SessionsPage>('/api/sessions?sort=cost_usd&dir=desc&limit=2');
      await badParam(`/api/sessions?sort=cost_usd&dir=asc&cursor=${page1.next_cursor}`, 'cursor');
      await badParam(`/api/sessions?cursor=${page1.next_cursor}`, 'cursor');
      await badParam('/api/sessions?sort=price', 'sort');
      await badParam('/api/sessions?sort=cost_usd&dir=up', 'dir');
    });

    await t.test('detail has models, tools and subagent children; unknown is 404', async () => {
      const d = await get<SessionDetail>('/api/sessions/live-1');
      assert.equal(d.session.session_id, 'live-1');
      assert.equal(d.session.branch, 'main');
      assert.equal(d.session.cost_usd, 0.5);
      assert.deepEqual(d.models.map((m) => [m.model, m.requests, m.cost_usd]), [['claude-sonnet-4-5', 1, 0.5]]);
      assert.equal(d.tools.find((t) => t.tool_name === 'Read')!.calls, 101);
      assert.deepEqual(d.children.map((c) => c.session_id), ['live-child']);
      await get('/api/sessions/no-such-session', 404);
      const top = await get<SessionsPage>('/api/sessions?parent_session_id=');
      assert.ok(!top.sessions.some((x) => x.session_id === 'live-child'));
    });

    await t.test('transcript: prompts, tools and subagent entries, paged in time order', async () => {
      const entries: TranscriptPage['entries'] = [];
      let cursor: string | null = null;
      do {
        const page: TranscriptPage = await get<TranscriptPage>(`/api/sessions/live-1/transcript?limit=40${cursor ? `&cursor=${cursor}` : ''}`);
        entries.push(...page.entries);
        cursor = page.next_cursor;
      } while (cursor);
      assert.equal(entries.length, 105 + 2);
      const times = entries.map((e) => e.at);
      assert.deepEqual([...times].sort(), times);
      assert.equal(entries.find((e) => e.kind === 'prompt')!.text, 'fix the flaky test');
      const tools = entries.filter((e) => e.kind === 'tool' && e.tool_name === 'Read' && e.status !== 'running');
      assert.equal(tools.length, 100);
      assert.ok(tools.every((e) => /^\/w\/app\/f\d+\.ts$/.test(e.text ?? '')), 'tool input summary is the entry text');
      const sub = entries.find((e) => e.kind === 'subagent')!;
      assert.equal(sub.text, 'explore the repo');
      assert.equal(sub.detail!.session_id, 'live-child');
      await get('/api/sessions/nope/transcript', 404);
    });
  });

  await t.test('GET /api/filter-options', async (t) => {
    await t.test('lists distinct values', async () => {
      const f = await get<FilterOptions>('/api/filter-options');
      assert.deepEqual(f.agent_types, ['claude-code', 'codex', 'cost-test']);
      assert.deepEqual(f.tool_names, ['Bash', 'Read']);
      assert.deepEqual(f.models, ['claude-haiku-4-5', 'claude-sonnet-4-5', 'gpt-5', 'model-a', 'model-b']);
      assert.ok(f.event_types.includes('subagent_start') && f.event_types.includes('tool_use'));
      assert.ok(f.projects.includes('/p/one') && f.projects.includes('/w/lib'));
      assert.deepEqual(f.branches, ['main']);
    });
  });
});

test('stats follow new events', async () => {
  s = await startTestServer();
  const llm = (cost: number): EventInputRaw => ({ session_id: 'fresh', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 10, cost_usd: cost });
  await seed([llm(0.25)]);
  assert.equal((await get<Stats>('/api/stats')).total.cost_usd, 0.25);
  await seed([llm(0.5)]);
  const st = await get<Stats>('/api/stats');
  assert.equal(st.total.cost_usd, 0.75);
  assert.equal(st.total.events, 2);
  assert.equal(st.agents[0].total_cost_usd, 0.75);
  // Cost and tool aggregates are cached while nothing changes, and follow a new event at once.
  const cost = () => get<CostReport>('/api/stats/cost?by=model');
  const tools = () => get<ToolStats>('/api/stats/tools');
  assert.equal((await cost()).totals.cost_usd, 0.75);
  assert.deepEqual(await cost(), await cost());
  assert.equal((await tools()).tools.length, 0);
  await seed([llm(1), { session_id: 'fresh', agent_type: 'codex', event_type: 'tool_use', tool_name: 'shell', status: 'success', duration_ms: 5 }]);
  assert.equal((await cost()).totals.cost_usd, 1.75);
  assert.deepEqual((await tools()).tools.map((t) => [t.tool_name, t.calls]), [['shell', 1]]);
});
