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
 * rate to the block's end, so it falls to the block's cost after an idle hour. A rate-limit reading
 * whose window has passed is marked `stale` (`rateLimitStale`): it says nothing about now.
 */
import type { RateLimitInfo, UsageBlock, UsageMonitor, UsageProvider } from '../../contracts/api';
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
  /** How far back from `until` to list blocks, in hours (default 7 days, at most 31 days). */
  lookback_hours?: number;
  /** List the blocks that start before this (epoch ms; default now): older blocks stay reachable. */
  until?: number | null;
  agent_type?: string | null;
  /** Whose plan the blocks are of (default: anthropic when it has usage, else the latest used). */
  provider?: UsageProvider | null;
  daily_budget_usd?: number | null;
  /** Whose usage (a team server's `person=`; a local server refuses it). */
  person?: string[];
}

/**
 * The provider of usage: from its model (an agent can use several; a local model's usage is under
 * no plan), else from its agent. Decided here, once per (agent, model) pair, not per row in SQL
 * (a CASE with LIKEs over every rollup row cost 0.6 s on 300k events).
 */
export function providerOf(agent: string, model: string | null): UsageProvider {
  const m = (model ?? '').toLowerCase();
  if (!m) return agent === 'claude-code' ? 'anthropic' : agent === 'codex' ? 'openai' : 'other';
  if (m.includes('claude')) return 'anthropic';
  if (m.includes('gemini')) return 'google';
  if (/^(gpt|o\d)|\/(gpt|o\d)|codex/.test(m)) return 'openai';
  return 'other';
}

/** Rows whose (agent, model) pair is one of `$K` (a JSON array of `agent \0 model` keys). */
const OF_KEYS = "agent_type || char(0) || COALESCE(model, '') IN (SELECT value FROM json_each($K))";

const TOKENS = '(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens)';
const HOUR_USAGE = 'SUM(requests) > 0 OR SUM(cost_usd) > 0 OR SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) > 0';

export interface Sums {
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  unpriced_tokens: number;
  requests: number;
  models: string | null;
}
const SUMS_SQL = `SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens,
  SUM(cache_write_tokens) AS cache_write_tokens, SUM(cost_usd) AS cost_usd, SUM(unpriced_tokens) AS unpriced_tokens`;

export interface Block extends Omit<Sums, 'models'> {
  start: number;
  lastHour: number;
  models: Set<string>;
}

const SUM_KEYS = ['tokens_in', 'tokens_out', 'cache_read_tokens', 'cache_write_tokens', 'cost_usd', 'unpriced_tokens', 'requests'] as const;

export function addTo(b: Block, s: Omit<Sums, 'models'>, sign: 1 | -1, models: string | null): void {
  for (const k of SUM_KEYS) b[k] += sign * (s[k] ?? 0);
  if (sign > 0) for (const m of models?.split(',') ?? []) if (m) b.models.add(m);
}

export function hasUsage(s: Omit<Sums, 'models'>): boolean {
  return s.requests > 0 || s.cost_usd > 1e-12 || s.tokens_in + s.tokens_out + s.cache_read_tokens + s.cache_write_tokens > 0;
}

/**
 * The blocks of all usage up to `until` (a block's start depends on every block before it), by
 * ccusage's rule: a block starts at the hour (UTC) of the first usage after the previous block and
 * holds every usage at most `blockMs` after its start. Usage exactly at an hour that ends a block
 * belongs to that block: those hours are split with the events of that very millisecond.
 */
function computeBlocks(db: SqlDb, blockMs: number, until: number, keys: string): Block[] {
  const hours = db.all<Sums & { hour: number }>(
    `SELECT hour, ${SUMS_SQL}, SUM(requests) AS requests, GROUP_CONCAT(DISTINCT NULLIF(model, '')) AS models
     FROM usage_hourly WHERE hour < $U AND ${OF_KEYS} GROUP BY hour HAVING ${HOUR_USAGE} ORDER BY hour`,
    { $U: until, $K: keys },
  );
  const blocks: Block[] = [];
  let cur: Block | null = null;
  const block = (start: number): Block => ({
    start, lastHour: start, models: new Set(), tokens_in: 0, tokens_out: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0, unpriced_tokens: 0, requests: 0,
  });
  for (const h of hours) {
    let next: Block = !cur || h.hour >= cur.start + blockMs ? block(h.hour) : cur;
    addTo(next, h, 1, h.models);
    // The hour right at the block's end: its first millisecond is still the old block's. Events of
    // that very millisecond are rare, and their existence is one seek in the time index, much
    // cheaper than the sums through the `events` view (58 block ends an answer on 1M demo events).
    if (cur && next !== cur && h.hour === cur.start + blockMs && db.get('SELECT 1 AS x FROM event_rows WHERE created_at = ? LIMIT 1', [h.hour])) {
      const edge = db.get<Sums>(
        `SELECT SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens,
           SUM(cache_write_tokens) AS cache_write_tokens, SUM(COALESCE(cost_usd, 0)) AS cost_usd,
           SUM(CASE WHEN cost_source = 'unpriced' THEN ${TOKENS} ELSE 0 END) AS unpriced_tokens,
           SUM(CASE WHEN ${TOKENS} > 0 THEN 1 ELSE 0 END) AS requests, GROUP_CONCAT(DISTINCT model) AS models
         FROM events WHERE created_at = $T AND ${OF_KEYS} AND ${USAGE_PREDICATE}`,
        { $T: h.hour, $K: keys },
      );
      if (edge && edge.tokens_in !== null) {
        addTo(cur, edge, 1, edge.models);
        cur.lastHour = h.hour;
        addTo(next, edge, -1, null);
        if (!hasUsage(next)) next = cur;
      }
    }
    if (next !== cur) blocks.push(next);
    cur = next;
    next.lastHour = h.hour;
  }
  return blocks;
}

/**
 * The providers with usage up to `until`, the latest used first, and each one's (agent, model)
 * keys (for `OF_KEYS`), of one agent or all.
 */
function providersOf(db: SqlDb, until: number, agent: string | null): { providers: UsageProvider[]; keys: Map<UsageProvider, string[]> } {
  const rows = db.all<{ agent_type: string; model: string; last: number }>(
    `SELECT agent_type, model, MAX(hour) AS last FROM usage_hourly WHERE hour < $U AND ($A IS NULL OR agent_type = $A)
     GROUP BY agent_type, model HAVING ${HOUR_USAGE}`,
    { $U: until, $A: agent },
  );
  const last = new Map<UsageProvider, number>();
  const keys = new Map<UsageProvider, string[]>();
  for (const r of rows) {
    const p = providerOf(r.agent_type, r.model);
    last.set(p, Math.max(last.get(p) ?? -Infinity, r.last));
    keys.set(p, [...(keys.get(p) ?? []), `${r.agent_type}\0${r.model}`]);
  }
  const providers = [...last.keys()].sort((a, b) => last.get(b)! - last.get(a)! || a.localeCompare(b));
  return { providers, keys };
}

const USAGE_PREDICATE = '(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0 OR cost_usd > 0)';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Last event time in [from, to): index-only without an agent filter, a bounded scan with one. */
function lastActivity(db: SqlDb, from: number, to: number, agent: string | null): number | null {
  const row = agent
    ? db.get<{ t: number | null }>('SELECT MAX(created_at) AS t FROM events WHERE created_at >= ? AND created_at < ? AND agent_type = ?', [from, to, agent])
    : db.get<{ t: number | null }>('SELECT MAX(created_at) AS t FROM event_rows WHERE created_at >= ? AND created_at < ?', [from, to]);
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

/** The longest plan window any agent reports (a week): a reading older than it says nothing about now. */
const LONGEST_WINDOW_MIN = 10_080;

/**
 * Whether a reading says nothing about now: its window has reset since (`resets_at` passed), or it
 * is older than its window (`observed_at` more than `window_minutes` ago; a reading that names no
 * window, as older Codex versions wrote some, more than the longest window ago).
 */
export function rateLimitStale(r: { window_minutes: number | null; resets_at: number | null; observed_at: number }, now: number): boolean {
  if (r.resets_at !== null && r.resets_at <= now) return true;
  const minutes = r.window_minutes !== null && r.window_minutes > 0 ? r.window_minutes : LONGEST_WINDOW_MIN;
  return r.observed_at + minutes * MINUTE_MS <= now;
}

function rateLimits(db: SqlDb, agent: string | null, now: number): RateLimitInfo[] {
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
    stale: rateLimitStale(r, now),
  }));
}

export function usageMonitor(db: SqlDb, p: UsageMonitorParams): UsageMonitor {
  const blockHours = p.block_hours ?? 5;
  const blockMs = blockHours * HOUR_MS;
  const lookbackHours = Math.min(Math.max(p.lookback_hours ?? 24 * 7, blockHours), 24 * 31);
  const agent = p.agent_type ?? null;
  const until = Math.min(p.until ?? p.now, p.now);
  const from = Math.floor((until - lookbackHours * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const { providers, keys: keysOf } = providersOf(db, p.now + 1, agent);
  const provider = p.provider ?? (providers.includes('anthropic') ? 'anthropic' : (providers[0] ?? 'anthropic'));
  const of = { $K: JSON.stringify(keysOf.get(provider) ?? []) };

  let current: UsageBlock | null = null;
  let span: { first: number; last: number } | null = null;
  const blocks: UsageBlock[] = computeBlocks(db, blockMs, p.now + 1, of.$K)
    .filter((r) => r.start < until && r.start + blockMs > from)
    .reverse()
    .map((r) => {
      const end = r.start + blockMs;
      const active = end > p.now;
      if (active) {
        const s = db.get<{ first: number | null; last: number | null }>(
          `SELECT MIN(created_at) AS first, MAX(created_at) AS last FROM events
           WHERE created_at >= $S AND created_at <= $E AND ${OF_KEYS} AND ${USAGE_PREDICATE}`,
          { $S: r.start, $E: end, ...of },
        );
        span = { first: s?.first ?? r.start, last: s?.last ?? r.lastHour };
      }
      const last = !agent || active ? lastActivity(db, r.start, end, agent) : null;
      const { start, lastHour, models, ...totals } = r;
      const block: UsageBlock = {
        start: iso(start),
        end: iso(end),
        last_activity_at: iso(last ?? Math.min(lastHour + HOUR_MS, end) - 1),
        active,
        models: [...models].sort(),
        ...totals,
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
       WHERE created_at >= $S AND created_at <= $E AND ${OF_KEYS} AND ${USAGE_PREDICATE}`,
      { $S: burnWindowStart, $E: p.now, ...of },
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
    provider,
    providers,
    current_block: cur,
    blocks,
    burn_rate_usd_per_hour: burnUsdPerHour,
    burn_rate_tokens_per_minute: burnTokensPerMinute,
    burn_rate_since: burnWindowStart === null ? null : iso(burnWindowStart),
    projected_block_cost_usd: projected,
    block_time_left_minutes: timeLeft,
    daily_budget_usd: p.daily_budget_usd ?? null,
    today_cost_usd: todayCost(db, p.day_start, p.now, agent),
    rate_limits: rateLimits(db, agent, p.now),
  };
}

/** One plan window's reading, as a gauge reports it (epoch ms). */
export interface RateLimitReading {
  window: string;
  used_percent: number;
  window_minutes: number | null;
  resets_at: number | null;
}

/**
 * Readings that arrive as a gauge (Claude Code's status line, every few seconds while it works):
 * kept in `rate_limits` only, the latest per agent and window, never as events (they would fill
 * the session's transcript and the feed). Not journaled: a reading lost to a crash before the next
 * snapshot is sent again the next time the status line runs. An older reading changes nothing.
 */
function recordRateLimits(db: SqlDb, p: { agent_type: string; observed_at: number; limits: RateLimitReading[] }): number {
  let n = 0;
  for (const l of p.limits) {
    db.run(
      `INSERT INTO rate_limits (agent_type, window, used_percent, window_minutes, resets_at, observed_at) VALUES (?,?,?,?,?,?)
       ON CONFLICT(agent_type, window) DO UPDATE SET used_percent = excluded.used_percent, window_minutes = excluded.window_minutes,
         resets_at = excluded.resets_at, observed_at = excluded.observed_at WHERE excluded.observed_at >= rate_limits.observed_at`,
      [p.agent_type, l.window, l.used_percent, l.window_minutes, l.resets_at, p.observed_at],
    );
    n++;
  }
  return n;
}

export const queries = {
  usageMonitor,
  recordRateLimits,
};

/** The tables each writing query changes (`registry.ts`). */
export const writeQueries = {
  recordRateLimits: ['rate_limits'],
} as const;
