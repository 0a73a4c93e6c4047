/**
 * The dashboard headline numbers (`GET /api/stats`, SSE `stats`), computed only from the
 * `usage_hourly` rollup and the `sessions`/`agents` tables, never by scanning events, so the cost
 * stays flat as events grow. Period boundaries (today, 7 and 30 days) are local midnights in the
 * requested zone, computed by the caller (`statsParams`). Hour buckets make "today" exact for
 * zones with whole-hour offsets. Burn rate and events/min cover the last 60 minutes, taking the
 * elapsed part of the current hour plus the matching share of the previous one.
 */
import type { AgentSummary, PeriodTotals, Stats } from '../../contracts/api';
import type { SqlDb } from '../sqlDb';
import { addDays, localTimeZone, startOfDay } from '../../zonedTime';

const HOUR_MS = 3_600_000;

export interface StatsParams {
  now: number;
  /** Local midnight starting today. */
  day_start: number;
  /** Local midnights starting the 7- and 30-day windows (today included). */
  week_start: number;
  month_start: number;
  idleMs: number;
  endMs: number;
}

export function statsParams(o: { idleAfterMinutes: number; endAfterMinutes: number }, tz: string, now = Date.now()): StatsParams {
  const day = startOfDay(now, tz);
  return {
    now,
    day_start: day,
    week_start: addDays(day, -6, tz),
    month_start: addDays(day, -29, tz),
    idleMs: o.idleAfterMinutes * 60_000,
    endMs: o.endAfterMinutes * 60_000,
  };
}

const TOTALS_SQL = `SELECT COALESCE(SUM(events), 0) AS events, COALESCE(SUM(requests), 0) AS requests,
  COALESCE(SUM(tokens_in), 0) AS tokens_in, COALESCE(SUM(tokens_out), 0) AS tokens_out,
  COALESCE(SUM(cache_read_tokens), 0) AS cache_read_tokens, COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens,
  COALESCE(SUM(cost_usd), 0) AS cost_usd, COALESCE(SUM(unpriced_tokens), 0) AS unpriced_tokens
  FROM usage_hourly WHERE hour >= ?`;

function period(db: SqlDb, from: number): PeriodTotals {
  const t = db.get<Omit<PeriodTotals, 'sessions'>>(TOTALS_SQL, [from])!;
  const s = db.get<{ n: number }>('SELECT COUNT(*) AS n FROM sessions WHERE last_event_at >= ?', [from])!;
  return { ...t, sessions: s.n };
}

export const queries = {
  /** Missing boundaries default to the server's zone and the default idle/end thresholds. */
  stats(db: SqlDb, params: Partial<StatsParams> & { now: number }): Stats {
    const p: StatsParams = { ...statsParams({ idleAfterMinutes: 5, endAfterMinutes: 120 }, localTimeZone(), params.now), ...params };
    const activeSince = p.now - p.idleMs;
    const active = db.get<{ sessions: number; agents: number }>(
      'SELECT COUNT(*) AS sessions, COUNT(DISTINCT agent_type) AS agents FROM sessions WHERE ended_at IS NULL AND last_event_at >= ?',
      [activeSince],
    )!;
    const agents = db.all<AgentSummary & { last_seen: number }>(
      `SELECT a.agent_type, a.last_seen_at AS last_seen,
         (SELECT COUNT(*) FROM sessions s WHERE s.agent_type = a.agent_type) AS sessions,
         (SELECT COUNT(*) FROM sessions s WHERE s.agent_type = a.agent_type AND s.ended_at IS NULL AND s.last_event_at >= ?) AS active_sessions,
         (SELECT COALESCE(SUM(cost_usd), 0) FROM usage_hourly u WHERE u.agent_type = a.agent_type AND u.hour >= ?) AS today_cost_usd,
         (SELECT COALESCE(SUM(cost_usd), 0) FROM usage_hourly u WHERE u.agent_type = a.agent_type) AS total_cost_usd
       FROM agents a ORDER BY a.last_seen_at DESC`,
      [activeSince, p.day_start],
    );
    const currentHour = Math.floor(p.now / HOUR_MS) * HOUR_MS;
    const hours = db.all<{ hour: number; cost: number; events: number }>(
      'SELECT hour, SUM(cost_usd) AS cost, SUM(events) AS events FROM usage_hourly WHERE hour >= ? AND hour <= ? GROUP BY hour',
      [currentHour - HOUR_MS, currentHour],
    );
    const prevShare = 1 - (p.now - currentHour) / HOUR_MS;
    let lastHourCost = 0;
    let lastHourEvents = 0;
    for (const h of hours) {
      const w = h.hour === currentHour ? 1 : prevShare;
      lastHourCost += h.cost * w;
      lastHourEvents += h.events * w;
    }
    return {
      generated_at: new Date(p.now).toISOString(),
      total: period(db, Number.MIN_SAFE_INTEGER),
      today: period(db, p.day_start),
      last_7_days: period(db, p.week_start),
      last_30_days: period(db, p.month_start),
      active_sessions: active.sessions,
      active_agents: active.agents,
      agents: agents.map(({ last_seen, ...a }) => ({ ...a, last_seen_at: new Date(last_seen).toISOString() })),
      burn_rate_usd_per_hour: lastHourCost,
      events_per_minute: lastHourEvents / 60,
    };
  },
};

export const writeQueries = [] as const;
