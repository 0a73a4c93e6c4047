import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiError, UsageMonitor } from '../../src/core/contracts/api';
import { startTestServer } from '../helpers/server';

test('GET /api/stats/usage-monitor: blocks and rate limits from posted events; bad parameters name the field', async () => {
  const s = await startTestServer({ dailyBudgetUsd: 25 });
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const posted = await s.post('/api/events/batch', [
    { session_id: 'a', agent_type: 'codex', event_type: 'llm_request', event_id: 'um-1', model: 'gpt-5', tokens_in: 1000, tokens_out: 100, cost_usd: 0.5, client_timestamp: iso(20 * 60_000) },
    { session_id: 'a', agent_type: 'codex', event_type: 'llm_request', event_id: 'um-2', model: 'gpt-5', tokens_in: 1000, tokens_out: 100, cost_usd: 1.5, client_timestamp: iso(10 * 60_000) },
    {
      session_id: 'a',
      agent_type: 'codex',
      event_type: 'rate_limit',
      event_id: 'um-3',
      client_timestamp: iso(9 * 60_000),
      metadata: { rate_limits: [{ window: 'primary', used_percent: 61, window_minutes: 300 }] },
    },
    {
      // Thirteen months old: its window reset long ago, so it is stale, not a 97% alarm.
      session_id: 'a',
      agent_type: 'codex',
      event_type: 'rate_limit',
      event_id: 'um-4',
      client_timestamp: iso(395 * 86_400_000),
      metadata: { rate_limits: [{ window: 'secondary', used_percent: 97, window_minutes: 10080, resets_at: Math.floor((now - 390 * 86_400_000) / 1000) }] },
    },
  ]);
  assert.ok(posted.status < 300, JSON.stringify(posted.body));

  const r = await s.get<UsageMonitor>('/api/stats/usage-monitor?tz=UTC');
  const answered = Date.now();
  assert.equal(r.status, 200);
  assert.equal(r.body.block_hours, 5);
  assert.equal(r.body.current_block?.cost_usd, 2);
  assert.equal(r.body.current_block?.requests, 2);
  // $2 since the first usage (20 minutes before the request, inside the last hour) up to now: it
  // falls while nothing happens.
  assert.equal(r.body.burn_rate_since, iso(20 * 60_000));
  const perHour = (until: number) => 2 / ((until - (now - 20 * 60_000)) / 3_600_000);
  const rate = r.body.burn_rate_usd_per_hour;
  assert.ok(rate <= perHour(now) + 1e-9 && rate >= perHour(answered) - 1e-9, `burn rate ${rate} is $2 over 20 minutes up to the answer`);
  assert.equal(r.body.daily_budget_usd, 25);
  assert.deepEqual(
    r.body.rate_limits.map((x) => [x.agent_type, x.window, x.used_percent, x.window_minutes, x.stale, x.observed_at]),
    [
      ['codex', 'primary', 61, 300, false, iso(9 * 60_000)],
      ['codex', 'secondary', 97, 10080, true, iso(395 * 86_400_000)],
    ],
  );

  assert.equal(r.body.provider, 'openai', 'only OpenAI usage: its blocks are shown');
  const before = await s.get<UsageMonitor>(`/api/stats/usage-monitor?provider=openai&until=${encodeURIComponent(iso(3 * 3_600_000))}`);
  assert.deepEqual(before.body.blocks, [], 'no block starts before the first usage');
  const other = await s.get<UsageMonitor>('/api/stats/usage-monitor?agent_type=claude-code');
  assert.equal(other.body.current_block, null);
  assert.deepEqual(other.body.rate_limits, []);

  for (const [q, field] of [
    ['tz=Not/AZone', 'tz'],
    ['block_hours=0', 'block_hours'],
    ['lookback_hours=abc', 'lookback_hours'],
    ['provider=azure', 'provider'],
    ['until=last-week', 'until'],
  ]) {
    const bad = await s.get<ApiError>(`/api/stats/usage-monitor?${q}`);
    assert.equal(bad.status, 400, q);
    assert.equal(bad.body.errors?.[0].field, field);
  }
});
