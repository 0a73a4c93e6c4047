/**
 * `GET /api/sessions/:id/timeline` (issue 17: "the timeline chart covers the whole session"; the
 * page drew it from the first 300 transcript entries): cumulative cost and tokens over every event
 * of the session and its subagents, in at most 500 points, up to its last event.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionTimeline } from '../../src/core/contracts/api';
import { startTestServer } from '../helpers/server';

test('the timeline covers every event of a long session and its subagent, in at most 500 points', async () => {
  const s = await startTestServer();
  const t0 = Date.UTC(2026, 10, 1, 8, 0, 0);
  const call = (session_id: string, i: number, extra: Record<string, unknown> = {}) => ({
    session_id,
    agent_type: 'codex',
    event_type: 'llm_request',
    event_id: `${session_id}-${i}`,
    model: 'gpt-5-codex',
    tokens_in: 100,
    tokens_out: 10,
    cost_usd: 0.01,
    client_timestamp: new Date(t0 + i * 30_000).toISOString(),
    ...extra,
  });
  const events = [
    ...Array.from({ length: 1200 }, (_, i) => call('tl-root', i)),
    ...Array.from({ length: 10 }, (_, i) => call('tl-sub', 2000 + i, { metadata: { parent_session_id: 'tl-root' } })),
  ];
  const r = await s.post<{ rejected: unknown[] }>('/api/events/batch', events);
  assert.deepEqual(r.body.rejected, []);
  const tl = await s.get<SessionTimeline>('/api/sessions/tl-root/timeline');
  assert.equal(tl.status, 200);
  const points = tl.body.points;
  assert.ok(points.length > 300 && points.length <= 500, `${points.length} points`);
  assert.ok(points.every((p, i) => i === 0 || (p.cost_usd >= points[i - 1].cost_usd && p.at > points[i - 1].at)), 'cumulative, in time order');
  assert.ok(Math.abs(points.at(-1)!.cost_usd - 12.1) < 1e-6, `all 1210 calls: ${points.at(-1)!.cost_usd}`);
  assert.equal(points.at(-1)!.tokens, 1210 * 110);
  assert.equal(points.at(-1)!.at, new Date(t0 + 2009 * 30_000).toISOString(), 'up to the last event (the subagent’s)');
  assert.equal((await s.get('/api/sessions/nope/timeline')).status, 404);
});
