/**
 * `GET /api/stats/usage-monitor` (UsageMonitor in contracts/api.ts). Query: `tz` (IANA zone for
 * "today", default the server's), `agent_type`, `provider` (whose plan: anthropic, openai, google,
 * other; default anthropic when it has usage, else the latest used), `block_hours` (1–24, default 5),
 * `lookback_hours` (how far back from `until` to list blocks, 1–744, default 168), `until` (list
 * blocks that start before it: older blocks stay reachable; default now). Computed in the store.
 */
import type { Router } from 'express';
import type { ServerContext } from '../context';
import { apiGet } from './apiGet';
import { USAGE_PROVIDERS } from '../../contracts/api';
import { int, oneOf, single, timeBound, timeZone, type Query } from '../queryParams';
import { startOfDay } from '../../zonedTime';

export function register(router: Router, ctx: ServerContext): void {
  apiGet(router, '/api/stats/usage-monitor', async (req, res) => {
    const q = req.query as Query;
    const tz = timeZone(q);
    const now = Date.now();
    const result = await ctx.store.query('usageMonitor', {
      now,
      day_start: startOfDay(now, tz),
      agent_type: single(q, 'agent_type') ?? null,
      provider: q.provider === undefined ? null : oneOf(q, 'provider', USAGE_PROVIDERS, 'anthropic'),
      until: timeBound(q, 'until', tz, true),
      block_hours: int(q, 'block_hours', 1, 24, 5),
      lookback_hours: int(q, 'lookback_hours', 1, 744, 168),
      daily_budget_usd: ctx.config.dailyBudgetUsd,
    });
    res.json(result);
  });
}
