/**
 * The dashboard headline numbers (`GET /api/stats`, SSE `stats`), computed only from the
 * `usage_hourly` rollup and the `sessions`/`agents` tables, never by scanning events, so the cost
 * stays flat as events grow. Period boundaries (today, 7 and 30 days) are local midnights in the
 * requested zone, computed by the caller (`statsParams`). Hour buckets make "today" exact for
 * zones with whole-hour offsets. Burn rate and events/min cover the last 60 minutes, taking the
 * elapsed part of the current hour plus the matching share of the previous one.
 */
import type { PeriodTotals, Stats } from '../../contracts/api';
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

const FIELDS = ['events', 'requests', 'tokens_in', 'tokens_out', 'cache_read_tokens', 'cache_write_tokens', 'cost_usd', 'unpriced_tokens'] as const;
const TOTALS_SQL = `SELECT ${FIELDS.map((f) => `COALESCE(SUM(${f}), 0) AS ${f}`).join(', ')} FROM usage_hourly WHERE hour >= ?`;

function period(db: SqlDb, from: number): PeriodTotals {
  const t = db.get<Omit<PeriodTotals, 'sessions'>>(TOTALS_SQL, [from])!;
  const s = db.get<{ n: number }>('SELECT COUNT(*) AS n FROM sessions WHERE last_event_at >= ?', [from])!;
  return { ...t, sessions: s.n };
}

interface Settled {
  key: string;
  periods: PeriodTotals[];
  agents: Map<string, { sessions: number; today: number; total: number }>;
}

/** The parts of the stats that only change with the data (or the day): reused until either does. */
let settled: Settled | null = null;
let lastChanges = 0;

function settledParts(db: SqlDb, p: StatsParams): Settled {
  const marks = db.get<{ c: number; m: number | null }>('SELECT total_changes() AS c, (SELECT MAX(id) FROM event_rows) AS m')!;
  // A new connection (the database reopened, as in tests) restarts the change counter.
  if (marks.c < lastChanges) settled = null;
  lastChanges = marks.c;
  const key = `${marks.c}|${marks.m}|${p.day_start}|${p.week_start}|${p.month_start}`;
  if (settled && settled.key === key) return settled;
  const periods = [Number.MIN_SAFE_INTEGER, p.day_start, p.week_start, p.month_start].map((from) => period(db, from));
  const agents = new Map<string, { sessions: number; today: number; total: number }>();
  // Lifetime totals per agent from the sessions' running totals (small table); today's from the rollup.
  for (const r of db.all<{ agent_type: string; n: number; cost: number }>('SELECT agent_type, COUNT(*) AS n, SUM(cost_usd) AS cost FROM sessions GROUP BY agent_type')) {
    agents.set(r.agent_type, { sessions: r.n, today: 0, total: r.cost });
  }
  for (const r of db.all<{ agent_type: string; cost: number }>('SELECT agent_type, SUM(cost_usd) AS cost FROM usage_hourly WHERE hour >= ? GROUP BY agent_type', [p.day_start])) {
    const a = agents.get(r.agent_type);
    if (a) a.today = r.cost;
    else agents.set(r.agent_type, { sessions: 0, today: r.cost, total: r.cost });
  }
  settled = { key, periods, agents };
  return settled;
}

export const queries = {
  /** Missing boundaries default to the server's zone and the default idle/end thresholds. */
  stats(db: SqlDb, params: Partial<StatsParams> & { now: number }): Stats {
    const p: StatsParams = { ...statsParams({ idleAfterMinutes: 5, endAfterMinutes: 120 }, localTimeZone(), params.now), ...params };
    const { periods, agents } = settledParts(db, p);
    const activeByAgent = new Map(
      db
        .all<{ agent_type: string; n: number }>(
          'SELECT agent_type, COUNT(*) AS n FROM sessions WHERE last_event_at >= ? AND ended_at IS NULL GROUP BY agent_type',
          [p.now - p.idleMs],
        )
        .map((r) => [r.agent_type, r.n]),
    );
    const seen = db.all<{ agent_type: string; last_seen_at: number }>('SELECT agent_type, last_seen_at FROM agents ORDER BY last_seen_at DESC');
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
    const activeSessions = [...activeByAgent.values()].reduce((a, b) => a + b, 0);
    return {
      generated_at: new Date(p.now).toISOString(),
      total: { ...periods[0] },
      today: { ...periods[1] },
      last_7_days: { ...periods[2] },
      last_30_days: { ...periods[3] },
      active_sessions: activeSessions,
      active_agents: activeByAgent.size,
      agents: seen.map((a) => {
        const t = agents.get(a.agent_type);
        return {
          agent_type: a.agent_type,
          last_seen_at: new Date(a.last_seen_at).toISOString(),
          sessions: t?.sessions ?? 0,
          active_sessions: activeByAgent.get(a.agent_type) ?? 0,
          today_cost_usd: t?.today ?? 0,
          total_cost_usd: t?.total ?? 0,
        };
      }),
      burn_rate_usd_per_hour: lastHourCost,
      events_per_minute: lastHourEvents / 60,
    };
  },
};

export const writeQueries = {} as const;
