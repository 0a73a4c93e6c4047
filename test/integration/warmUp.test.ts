/**
 * Warm-up: a dashboard's overview request makes the server compute what the Costs and Tools views
 * ask first, under the very cache keys of the views' own requests, so that those are answered
 * without computing again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CostBreakdown, ToolStats } from '../../src/core/contracts/api';
import { Store } from '../../src/core/store/store';
import { addDays, localTimeZone, startOfDay } from '../../src/core/zonedTime';
import { waitFor } from '../helpers/hookFixtures';
import { startTestServer } from '../helpers/server';
import { browserSince } from '../helpers/period';
import { openSse } from '../helpers/sse';
import { tmpDir } from '../helpers/tmp';


/** The names of the queries the server runs on `store` from now on. */
function recordQueries(store: { query: (name: never, params: never) => Promise<unknown> }): string[] {
  const computed: string[] = [];
  const query = store.query.bind(store);
  store.query = (name, params) => {
    computed.push(name);
    return query(name, params);
  };
  return computed;
}

test('the overview request warms the Costs and Tools views once, under the keys of their own requests', async () => {
  const s = await startTestServer();
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const seeded = await s.post('/api/events/batch', [
    { session_id: 'w1', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 100, cost_usd: 0.5, client_timestamp: at },
    { session_id: 'w1', agent_type: 'codex', event_type: 'tool_use', model: 'gpt-5', tool_name: 'shell', status: 'success', duration_ms: 30, client_timestamp: at },
  ]);
  assert.ok(seeded.status < 300, JSON.stringify(seeded.body));

  const computed = recordQueries(s.ctx.store);

  assert.equal((await s.get('/api/stats?tz=UTC')).status, 200);
  await waitFor('the warm-up', async () => computed.filter((n) => n === 'costBreakdown').length === 4 && computed.includes('toolStats'));
  const before = computed.length;
  const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
  const since = browserSince(30);
  const day = await s.get<CostBreakdown>(`/api/stats/cost?${q({ since, tz: 'UTC', by: 'day', stack: 'model' })}`);
  const model = await s.get<CostBreakdown>(`/api/stats/cost?${q({ since, tz: 'UTC', by: 'model' })}`);
  const session = await s.get<CostBreakdown>(`/api/stats/cost?${q({ since, tz: 'UTC', by: 'session', limit: '50' })}`);
  const tools = await s.get<ToolStats>(`/api/stats/tools?${q({ since: browserSince(7), tz: 'UTC', bucket: 'hour' })}`);
  assert.deepEqual(computed.slice(before), [], 'the views were answered from the warm-up');
  assert.equal(day.body.totals.cost_usd, 0.5);
  assert.deepEqual(model.body.rows.map((r) => r.key), ['gpt-5']);
  assert.deepEqual(session.body.rows.map((r) => r.key), ['w1']);
  assert.deepEqual(tools.body.tools.map((t) => [t.tool_name, t.calls]), [['shell', 1]]);
});

test('hook traffic does not hold the warm-up back: only dashboard reads do', async () => {
  const s = await startTestServer();
  const at = new Date(Date.now() - 3_600_000).toISOString();
  assert.ok((await s.post('/api/events', { session_id: 'h1', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 5, client_timestamp: at })).status < 300);
  const computed = recordQueries(s.ctx.store);
  assert.equal((await s.get('/api/stats?tz=UTC')).status, 200);
  // An agent's hooks keep coming, every 50 ms: they are ingest, not someone waiting on a view.
  let hooks = 0;
  let stop = false;
  const traffic = (async () => {
    while (!stop) {
      const r = await s.post('/api/hooks/claude-code', { session_id: 'hooked', hook_event_name: 'Notification', message: `n${hooks++}` });
      assert.ok(r.status < 300, JSON.stringify(r.body));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    await waitFor('the warm-up under hook traffic', async () => computed.filter((n) => n === 'costBreakdown').length === 4 && computed.includes('toolStats'), 10_000);
  } finally {
    stop = true;
    await traffic;
  }
  assert.ok(hooks > 3, `hooks kept coming during the warm-up (${hooks})`);
});

test('a large database warms the views before the server listens, in the zone of the server', async () => {
  const dir = tmpDir();
  const seed = await startTestServer({}, { dir });
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const seeded = await seed.post('/api/events/batch', [
    { session_id: 's1', agent_type: 'claude-code', event_type: 'llm_request', model: 'claude-sonnet-4-5', tokens_in: 10, cost_usd: 0.25, client_timestamp: at },
    { session_id: 's1', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Read', status: 'success', duration_ms: 12, client_timestamp: at },
  ]);
  assert.ok(seeded.status < 300, JSON.stringify(seeded.body));
  await seed.close();

  // Every store query from the server's start on.
  const computed: string[] = [];
  const query = Store.prototype.query;
  Store.prototype.query = function (this: Store, name, params) {
    computed.push(name);
    return query.call(this, name, params);
  } as typeof query;
  try {
    const small = await startTestServer({ warmUpAtStartEvents: 3 }, { dir });
    assert.deepEqual(computed, [], 'under the threshold: nothing at start');
    await small.close();

    const s = await startTestServer({ warmUpAtStartEvents: 2 }, { dir });
    // Done by the time the server answers anything: the page's first questions, then the views'.
    assert.deepEqual(computed, ['stats', 'listSessions', 'listEvents', 'listSessions', 'costBreakdown', 'costBreakdown', 'costBreakdown', 'costBreakdown', 'toolStats']);
    const before = computed.length;
    const tz = localTimeZone();
    const since = (days: number) => new Date(addDays(startOfDay(Date.now(), tz), -(days - 1), tz)).toISOString();
    const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
    const day = await s.get<CostBreakdown>(`/api/stats/cost?${q({ since: since(30), tz, by: 'day', stack: 'model' })}`);
    const project = await s.get<CostBreakdown>(`/api/stats/cost?${q({ since: since(30), tz, by: 'project' })}`);
    const tools = await s.get<ToolStats>(`/api/stats/tools?${q({ since: since(7), tz, bucket: 'hour' })}`);
    assert.deepEqual(computed.slice(before), [], 'the views were answered from the warm-up at start');
    assert.equal(day.body.totals.cost_usd, 0.25);
    assert.equal(project.body.rows.length, 1);
    assert.deepEqual(tools.body.tools.map((t) => [t.tool_name, t.calls]), [['Read', 1]]);
  } finally {
    Store.prototype.query = query;
  }
});

test('a view asked for lately is computed again after a write, once the API is quiet, so switching back computes nothing', async () => {
  const s = await startTestServer();
  const sse = await openSse(`${s.url}/api/stream`);
  try {
    const event = (cost: number) => ({ session_id: 'k1', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 10, cost_usd: cost });
    assert.ok((await s.post('/api/events', event(0.5))).status < 300);
    const url = `/api/stats/cost?${new URLSearchParams({ since: browserSince(30), tz: 'UTC', by: 'model' })}`;
    assert.equal((await s.get<CostBreakdown>(url)).body.totals.cost_usd, 0.5);

    const computed = recordQueries(s.ctx.store);
    assert.ok((await s.post('/api/events', event(0.25))).status < 300);
    await waitFor('the answer computed again after the write', async () => computed.includes('costBreakdown'));
    const before = computed.length;
    const again = await s.get<CostBreakdown>(url);
    assert.deepEqual(computed.slice(before), [], 'answered from what was computed after the write');
    assert.equal(again.body.totals.cost_usd, 0.75, 'and the answer has the write');
  } finally {
    sse.close();
  }
});
