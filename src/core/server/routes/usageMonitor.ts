/**
 * `GET /api/stats/usage-monitor` (UsageMonitor in contracts/api.ts). Query: `tz` (IANA zone for
 * "today", default the server's), `agent_type`, `block_hours` (1–24, default 5), `lookback_hours`
 * (how far back to list blocks, 1–744, default 168). The numbers are computed in the store.
 */
import type { Request, Response, Router } from 'express';
import type { ServerContext } from '../context';

const DAY_MS = 86_400_000;

export class QueryParamError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

function single(req: Request, field: string): string | undefined {
  const v = req.query[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new QueryParamError(field, `${field} must be given once`);
  return v.trim() === '' ? undefined : v.trim();
}

function intParam(req: Request, field: string, min: number, max: number, dflt: number): number {
  const v = single(req, field);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new QueryParamError(field, `${field} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

function zoneOffsetMs(tz: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

/** Epoch ms of the last midnight (wall clock) in `tz` at or before `now`. */
export function startOfDay(now: number, tz: string): number {
  const offset = zoneOffsetMs(tz, now);
  const wall = now + offset;
  const midnightWall = Math.floor(wall / DAY_MS) * DAY_MS;
  // The offset at midnight can differ from now's (a DST change during the day).
  let start = midnightWall - zoneOffsetMs(tz, midnightWall - offset);
  if (start > now) start -= DAY_MS;
  return start;
}

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function register(router: Router, ctx: ServerContext): void {
  router.get('/api/stats/usage-monitor', async (req: Request, res: Response) => {
    let params;
    try {
      const tz = single(req, 'tz') ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (!validTimeZone(tz)) throw new QueryParamError('tz', `tz must be an IANA time zone such as "Europe/Berlin", got "${tz}"`);
      const now = Date.now();
      params = {
        now,
        day_start: startOfDay(now, tz),
        agent_type: single(req, 'agent_type') ?? null,
        block_hours: intParam(req, 'block_hours', 1, 24, 5),
        lookback_hours: intParam(req, 'lookback_hours', 1, 744, 168),
        daily_budget_usd: ctx.config.dailyBudgetUsd,
      };
    } catch (e) {
      if (e instanceof QueryParamError) {
        res.status(400).json({ error: e.message, errors: [{ field: e.field, message: e.message }] });
        return;
      }
      throw e;
    }
    res.json(await ctx.store.query('usageMonitor', params));
  });
}
