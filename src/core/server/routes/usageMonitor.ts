/**
 * `GET /api/stats/usage-monitor` (UsageMonitor in contracts/api.ts). Query: `tz` (IANA zone for
 * "today", default the server's), `agent_type`, `provider` (whose plan: anthropic, openai, google,
 * other; default anthropic when it has usage, else the latest used), `block_hours` (1–24, default 5),
 * `lookback_hours` (how far back from `until` to list blocks, 1–744, default 168), `until` (list
 * blocks that start before it: older blocks stay reachable; default now), `person` (a team server:
 * whose usage; a local server answers 400). Computed in the store.
 */
import type { Router } from 'express';
import type { ServerConfig } from '../../config';
import type { StoreClient } from '../../store/storeClient';
import { apiGet } from './apiGet';
import { USAGE_PROVIDERS } from '../../contracts/api';
import { int, list, oneOf, QueryParamError, single, timeBound, timeZone, type Query } from '../queryParams';
import { startOfDay } from '../../zonedTime';

/** Over the local store, or a team server's reader (`team/pgRead.ts`), which knows each event's person. */
export function register(router: Router, ctx: { config: ServerConfig; store: StoreClient; people?: boolean }): void {
  apiGet(router, '/api/stats/usage-monitor', async (req, res) => {
    const q = req.query as Query;
    const tz = timeZone(q);
    const person = list(q, 'person');
    if (person && !ctx.people) throw new QueryParamError('person', "person filters need a team server (serve --database-url); this server keeps one machine's events");
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
      ...(person ? { person } : {}),
    });
    res.json(result);
  });
}
