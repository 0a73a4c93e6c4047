/**
 * The usage monitor (`GET /api/stats/usage-monitor`): billing-style blocks of `block_hours` (5 h),
 * burn rate, projection to the end of the current block, today's cost and the latest rate limits.
 *
 * Blocks follow ccusage's rule so the numbers compare: a block starts at the hour (UTC) of the first
 * usage after the previous block ended and lasts `block_hours`; usage at or past its end starts a
 * new one. Because a block starts on an hour and lasts whole hours, it is computed exactly from the
 * per-hour rollup (`usage_hourly`) with a recursive CTE, never by scanning events. Burn rate is the
 * current block's cost (and tokens) of the last `BURN_WINDOW_MINUTES` minutes up to now, over that
 * window (started no earlier than the block's first usage, at least one minute): like the overview's
 * burn rate it covers the last hour, and it falls while nothing happens. The projection extends that
 * rate to the block's end, so it falls to the block's cost after an idle hour.
 */
import type { RateLimitInfo, UsageBlock, UsageMonitor } from '../../contracts/api';
import type { SqlDb } from '../sqlDb';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Burn rates look at this much recent time (the overview's `/api/stats` burn rate does too). */
export const BURN_WINDOW_MINUTES = 60;

export interface UsageMonitorParams {
  /** Epoch ms of "now". */
  now: number;
  /** Epoch ms where today starts in the caller's time zone. */
  day_start: number;
  block_hours?: number;
  /** How far back to list blocks, in hours (default 7 days, at most 31 days). */
  lookback_hours?: number;
  agent_type?: string | null;
  daily_budget_usd?: number | null;
}

interface BlockRow {
  start: number;
  last_hour: number;
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  unpriced_tokens: number;
  requests: number;
  models: string | null;
}

const USAGE_HOURS = `SELECT hour FROM usage_hourly
  WHERE hour >= ?1 AND hour <= ?2 AND (?4 IS NULL OR agent_type = ?4)
  GROUP BY hour
  HAVING SUM(requests) > 0 OR SUM(cost_usd) > 0 OR SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) > 0`;

const BLOCKS_SQL = `WITH RECURSIVE
  h AS MATERIALIZED (SELECT hour, ROW_NUMBER() OVER (ORDER BY hour) AS rn FROM (${USAGE_HOURS})),
  b(rn, hour, start) AS (
    SELECT rn, hour, hour FROM h WHERE rn = 1
    UNION ALL
    SELECT h.rn, h.hour, CASE WHEN h.hour >= b.start + ?3 THEN h.hour ELSE b.start END
    FROM b JOIN h ON h.rn = b.rn + 1
  )
SELECT b.start AS start, MAX(b.hour) AS last_hour,
  SUM(u.tokens_in) AS tokens_in, SUM(u.tokens_out) AS tokens_out,
  SUM(u.cache_read_tokens) AS cache_read_tokens, SUM(u.cache_write_tokens) AS cache_write_tokens,
  SUM(u.cost_usd) AS cost_usd, SUM(u.unpriced_tokens) AS unpriced_tokens, SUM(u.requests) AS requests,
  GROUP_CONCAT(DISTINCT NULLIF(u.model, '')) AS models
FROM b JOIN usage_hourly u ON u.hour = b.hour AND (?4 IS NULL OR u.agent_type = ?4)
GROUP BY b.start ORDER BY b.start DESC`;

const USAGE_PREDICATE = '(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0 OR cost_usd > 0)';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Last event time in [from, to): index-only without an agent filter, a bounded scan with one. */
function lastActivity(db: SqlDb, from: number, to: number, agent: string | null): number | null {
  const row = agent
    ? db.get<{ t: number | null }>('SELECT MAX(created_at) AS t FROM events WHERE created_at >= ? AND created_at < ? AND agent_type = ?', [from, to, agent])
    : db.get<{ t: number | null }>('SELECT MAX(created_at) AS t FROM events WHERE created_at >= ? AND created_at < ?', [from, to]);
  return row?.t ?? null;
}

function todayCost(db: SqlDb, dayStart: number, now: number, agent: string | null): number {
  const firstWholeHour = Math.ceil(dayStart / HOUR_MS) * HOUR_MS;
  const hourly =
    db.get<{ c: number | null }>('SELECT SUM(cost_usd) AS c FROM usage_hourly WHERE hour >= ? AND hour <= ? AND (? IS NULL OR agent_type = ?)', [
      firstWholeHour,
      now,
      agent,
      agent,
    ])?.c ?? 0;
  if (firstWholeHour === dayStart) return hourly;
  const partial =
    db.get<{ c: number | null }>('SELECT SUM(cost_usd) AS c FROM events WHERE created_at >= ? AND created_at < ? AND (? IS NULL OR agent_type = ?)', [
      dayStart,
      firstWholeHour,
      agent,
      agent,
    ])?.c ?? 0;
  return hourly + partial;
}

function rateLimits(db: SqlDb, agent: string | null): RateLimitInfo[] {
  const rows = db.all<{ agent_type: string; window: string; used_percent: number; window_minutes: number | null; resets_at: number | null; observed_at: number }>(
    'SELECT * FROM rate_limits WHERE (? IS NULL OR agent_type = ?) ORDER BY agent_type, window',
    [agent, agent],
  );
  return rows.map((r) => ({
    agent_type: r.agent_type,
    window: r.window,
    used_percent: r.used_percent,
    window_minutes: r.window_minutes,
    resets_at: r.resets_at === null ? null : iso(r.resets_at),
    observed_at: iso(r.observed_at),
  }));
}

export function usageMonitor(db: SqlDb, p: UsageMonitorParams): UsageMonitor {
  const blockHours = p.block_hours ?? 5;
  const blockMs = blockHours * HOUR_MS;
  const lookbackHours = Math.min(Math.max(p.lookback_hours ?? 24 * 7, blockHours), 24 * 31);
  const agent = p.agent_type ?? null;
  const from = Math.floor((p.now - lookbackHours * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const rows = db.all<BlockRow>(BLOCKS_SQL, [from, p.now, blockMs, agent]);

  let current: UsageBlock | null = null;
  let span: { first: number; last: number } | null = null;
  const blocks: UsageBlock[] = rows.map((r) => {
    const end = r.start + blockMs;
    const active = end > p.now;
    if (active) {
      const s = db.get<{ first: number | null; last: number | null }>(
        `SELECT MIN(created_at) AS first, MAX(created_at) AS last FROM events
         WHERE created_at >= ? AND created_at < ? AND (? IS NULL OR agent_type = ?) AND ${USAGE_PREDICATE}`,
        [r.start, end, agent, agent],
      );
      span = { first: s?.first ?? r.start, last: s?.last ?? r.last_hour };
    }
    const last = !agent || active ? lastActivity(db, r.start, end, agent) : null;
    const block: UsageBlock = {
      start: iso(r.start),
      end: iso(end),
      last_activity_at: iso(last ?? Math.min(r.last_hour + HOUR_MS, end) - 1),
      active,
      requests: r.requests,
      models: r.models ? r.models.split(',').sort() : [],
      tokens_in: r.tokens_in,
      tokens_out: r.tokens_out,
      cache_read_tokens: r.cache_read_tokens,
      cache_write_tokens: r.cache_write_tokens,
      cost_usd: r.cost_usd,
      unpriced_tokens: r.unpriced_tokens,
    };
    if (active) current = block;
    return block;
  });

  let burnUsdPerHour = 0;
  let burnTokensPerMinute = 0;
  let projected: number | null = null;
  let timeLeft: number | null = null;
  const cur = current as UsageBlock | null;
  const usageSpan = span as { first: number; last: number } | null;
  let burnWindowStart: number | null = null;
  if (cur && usageSpan) {
    burnWindowStart = Math.max(p.now - BURN_WINDOW_MINUTES * MINUTE_MS, usageSpan.first);
    const recent = db.get<{ cost: number | null; tokens: number | null }>(
      `SELECT SUM(cost_usd) AS cost, SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) AS tokens FROM events
       WHERE created_at >= ? AND created_at <= ? AND (? IS NULL OR agent_type = ?) AND ${USAGE_PREDICATE}`,
      [burnWindowStart, p.now, agent, agent],
    );
    const minutes = Math.max(p.now - burnWindowStart, MINUTE_MS) / MINUTE_MS;
    burnUsdPerHour = ((recent?.cost ?? 0) / minutes) * 60;
    burnTokensPerMinute = (recent?.tokens ?? 0) / minutes;
    timeLeft = Math.max(0, (Date.parse(cur.end) - p.now) / MINUTE_MS);
    projected = cur.cost_usd + (burnUsdPerHour / 60) * timeLeft;
  }

  return {
    generated_at: iso(p.now),
    block_hours: blockHours,
    current_block: cur,
    blocks,
    burn_rate_usd_per_hour: burnUsdPerHour,
    burn_rate_tokens_per_minute: burnTokensPerMinute,
    burn_rate_since: burnWindowStart === null ? null : iso(burnWindowStart),
    projected_block_cost_usd: projected,
    block_time_left_minutes: timeLeft,
    daily_budget_usd: p.daily_budget_usd ?? null,
    today_cost_usd: todayCost(db, p.day_start, p.now, agent),
    rate_limits: rateLimits(db, agent),
  };
}

export const queries = {
  usageMonitor,
};

export const writeQueries = [] as const;
