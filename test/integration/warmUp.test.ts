/**
 * Warm-up: a dashboard's overview request makes the server compute what the Costs and Tools views
 * ask first, under the very cache keys of the views' own requests, so that those are answered
 * without computing again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CostBreakdown, ToolStats } from '../../src/core/contracts/api';
import { waitFor } from '../helpers/hookFixtures';
import { startTestServer } from '../helpers/server';

/** What webview/lib/period.ts sends for a period of `days` in a browser whose zone is UTC. */
function browserSince(days: number): string {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - (days - 1))).toISOString();
}

test('the overview request warms the Costs and Tools views once, under the keys of their own requests', async () => {
  const s = await startTestServer();
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const seeded = await s.post('/api/events/batch', [
    { session_id: 'w1', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 100, cost_usd: 0.5, client_timestamp: at },
    { session_id: 'w1', agent_type: 'codex', event_type: 'tool_use', model: 'gpt-5', tool_name: 'shell', status: 'success', duration_ms: 30, client_timestamp: at },
  ]);
  assert.ok(seeded.status < 300, JSON.stringify(seeded.body));

  const computed: string[] = [];
  const store = s.ctx.store;
  const query = store.query.bind(store);
  store.query = ((name: string, params: unknown) => {
    computed.push(name);
    return query(name as never, params as never);
  }) as typeof store.query;

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

  await s.get('/api/stats?tz=UTC');
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(computed.filter((n) => n === 'costBreakdown').length, 4, 'not warmed again within minutes');
});
