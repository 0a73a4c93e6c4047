/**
 * `GET /api/stats/usage-monitor` (UsageMonitor in contracts/api.ts). Query: `tz` (IANA zone for
 * "today", default the server's), `agent_type`, `block_hours` (1–24, default 5), `lookback_hours`
 * (how far back to list blocks, 1–744, default 168). The numbers are computed in the store.
 */
import type { Request, Response, Router } from 'express';
import type { ServerContext } from '../context';
import { int, QueryParamError, sendParamError, single, timeZone, type Query } from '../queryParams';
import { startOfDay } from '../../zonedTime';

export function register(router: Router, ctx: ServerContext): void {
  router.get('/api/stats/usage-monitor', async (req: Request, res: Response, next: (e: unknown) => void) => {
    try {
      const q = req.query as Query;
      const tz = timeZone(q);
      const now = Date.now();
      const result = await ctx.store.query('usageMonitor', {
        now,
        day_start: startOfDay(now, tz),
        agent_type: single(q, 'agent_type') ?? null,
        block_hours: int(q, 'block_hours', 1, 24, 5),
        lookback_hours: int(q, 'lookback_hours', 1, 744, 168),
        daily_budget_usd: ctx.config.dailyBudgetUsd,
      });
      res.json(result);
    } catch (e) {
      if (e instanceof QueryParamError) sendParamError(res, e);
      else next(e);
    }
  });
}
