/**
 * The usage monitor (`GET /api/stats/usage-monitor`) on a team server: `store/queries/usageMonitor.ts`
 * ported to PostgreSQL step by step (the same blocks by ccusage's rule from the hourly rollup, the
 * same split of the hour at a block's end, burn rate, projection and today's cost), plus `person`
 * (whose usage: a plan is one person's). Rate-limit readings come from the status line, which a
 * team server does not take: `rate_limits` is empty.
 */
import type pg from 'pg';
import type { UsageBlock, UsageMonitor, UsageProvider } from '../contracts/api';
import { addTo, BURN_WINDOW_MINUTES, hasUsage, providerOf, type Block, type Sums, type UsageMonitorParams } from '../store/queries/usageMonitor';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const TOKENS = '(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens)';
const HOUR_USAGE = `SUM(requests) > 0 OR SUM(cost_usd) > 0 OR SUM(${TOKENS}) > 0`;
const USAGE_PREDICATE = `(${TOKENS} > 0 OR cost_usd > 0)`;
const SUMS_SQL = `SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens,
  SUM(cache_write_tokens) AS cache_write_tokens, SUM(cost_usd) AS cost_usd, SUM(unpriced_tokens) AS unpriced_tokens`;

/** Numbered parameters: `add` binds a value and gives its placeholder. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** The (agent, model) pairs of one provider, as two arrays for `unnest`. */
interface Keys {
  agents: string[];
  models: string[];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function newBlock(start: number): Block {
  return { start, lastHour: start, models: new Set(), tokens_in: 0, tokens_out: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0, unpriced_tokens: 0, requests: 0 };
}

export async function teamUsageMonitor(pool: pg.Pool, p: UsageMonitorParams): Promise<UsageMonitor> {
  const rows = async <T>(build: (q: Params) => string): Promise<T[]> => {
    const q = new Params();
    const text = build(q);
    return (await pool.query<T & pg.QueryResultRow>(text, q.values)).rows;
  };
  const person = p.person?.length ? p.person : null;
  const ofPerson = (q: Params) => (person ? ` AND person = ANY(${q.add(person)})` : '');
  const ofAgent = (q: Params) => (agent ? ` AND agent_type = ${q.add(agent)}` : '');
  /** Rows of the provider's (agent, model) pairs; `model` is `COALESCE(model, '')` on events. */
  const ofKeys = (q: Params, keys: Keys, model = 'model') => `(agent_type, ${model}) IN (SELECT * FROM unnest(${q.add(keys.agents)}::text[], ${q.add(keys.models)}::text[]))`;

  const blockHours = p.block_hours ?? 5;
  const blockMs = blockHours * HOUR_MS;
  const lookbackHours = Math.min(Math.max(p.lookback_hours ?? 24 * 7, blockHours), 24 * 31);
  const agent = p.agent_type ?? null;
  const until = Math.min(p.until ?? p.now, p.now);
  const from = Math.floor((until - lookbackHours * HOUR_MS) / HOUR_MS) * HOUR_MS;

  // The providers with usage, the latest used first, and each one's (agent, model) pairs.
  const last = new Map<UsageProvider, number>();
  const keysOf = new Map<UsageProvider, Keys>();
  for (const r of await rows<{ agent_type: string; model: string; last: number }>(
    (q) => `SELECT agent_type, model, MAX(hour) AS last FROM am_usage_hourly WHERE hour < ${q.add(p.now + 1)}${ofAgent(q)}${ofPerson(q)}
            GROUP BY agent_type, model HAVING ${HOUR_USAGE}`,
  )) {
    const provider = providerOf(r.agent_type, r.model);
    last.set(provider, Math.max(last.get(provider) ?? -Infinity, r.last));
    const k = keysOf.get(provider) ?? { agents: [], models: [] };
    k.agents.push(r.agent_type);
    k.models.push(r.model);
    keysOf.set(provider, k);
  }
  const providers = [...last.keys()].sort((a, b) => last.get(b)! - last.get(a)! || a.localeCompare(b));
  const provider = p.provider ?? (providers.includes('anthropic') ? 'anthropic' : (providers[0] ?? 'anthropic'));
  const keys = keysOf.get(provider) ?? { agents: [], models: [] };

  // The blocks of all usage up to now (a block's start depends on every block before it).
  const hours = await rows<Sums & { hour: number }>(
    (q) => `SELECT hour, ${SUMS_SQL}, SUM(requests) AS requests, string_agg(DISTINCT NULLIF(model, ''), ',') AS models
            FROM am_usage_hourly WHERE hour < ${q.add(p.now + 1)} AND ${ofKeys(q, keys)}${ofPerson(q)} GROUP BY hour HAVING ${HOUR_USAGE} ORDER BY hour`,
  );
  const all: Block[] = [];
  let cur: Block | null = null;
  for (const h of hours) {
    let next: Block = !cur || h.hour >= cur.start + blockMs ? newBlock(h.hour) : cur;
    addTo(next, h, 1, h.models);
    if (cur && next !== cur && h.hour === cur.start + blockMs) {
      // The hour right at the block's end: its first millisecond is still the old block's.
      const [edge] = await rows<Sums>(
        (q) => `SELECT SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens,
                  SUM(cache_write_tokens) AS cache_write_tokens, SUM(COALESCE(cost_usd, 0)) AS cost_usd,
                  SUM(CASE WHEN cost_source = 'unpriced' THEN ${TOKENS} ELSE 0 END) AS unpriced_tokens,
                  SUM(CASE WHEN ${TOKENS} > 0 THEN 1 ELSE 0 END) AS requests, string_agg(DISTINCT model, ',') AS models
                FROM am_events WHERE created_at = ${q.add(h.hour)} AND ${ofKeys(q, keys, "COALESCE(model, '')")} AND ${USAGE_PREDICATE}${ofPerson(q)}`,
      );
      if (edge && edge.tokens_in !== null) {
        addTo(cur, edge, 1, edge.models);
        cur.lastHour = h.hour;
        addTo(next, edge, -1, null);
        if (!hasUsage(next)) next = cur;
      }
    }
    if (next !== cur) all.push(next);
    cur = next;
    next.lastHour = h.hour;
  }
  const listed = all.filter((r) => r.start < until && r.start + blockMs > from).reverse();

  // Last activity per listed block (all at once), as the local store reads it per block.
  const wanted = listed.filter((r) => !agent || r.start + blockMs > p.now).map((r) => r.start);
  const lastAt = new Map<number, number | null>();
  if (wanted.length) {
    for (const r of await rows<{ s: number; t: number | null }>(
      (q) => `SELECT b.s, (SELECT MAX(created_at) FROM am_events WHERE created_at >= b.s AND created_at < b.s + ${q.add(blockMs)}${ofAgent(q)}${ofPerson(q)}) AS t
              FROM unnest(${q.add(wanted)}::bigint[]) AS b(s)`,
    )) {
      lastAt.set(r.s, r.t);
    }
  }

  let current: UsageBlock | null = null;
  let span: { first: number; last: number } | null = null;
  const blocks: UsageBlock[] = [];
  for (const r of listed) {
    const end = r.start + blockMs;
    const active = end > p.now;
    if (active) {
      const [s] = await rows<{ first: number | null; last: number | null }>(
        (q) => `SELECT MIN(created_at) AS first, MAX(created_at) AS last FROM am_events
                WHERE created_at >= ${q.add(r.start)} AND created_at <= ${q.add(end)} AND ${ofKeys(q, keys, "COALESCE(model, '')")} AND ${USAGE_PREDICATE}${ofPerson(q)}`,
      );
      span = { first: s?.first ?? r.start, last: s?.last ?? r.lastHour };
    }
    const lastActivity = lastAt.get(r.start) ?? null;
    const { start, lastHour, models, ...totals } = r;
    const block: UsageBlock = {
      start: iso(start),
      end: iso(end),
      last_activity_at: iso(lastActivity ?? Math.min(lastHour + HOUR_MS, end) - 1),
      active,
      models: [...models].sort(),
      ...totals,
    };
    if (active) current = block;
    blocks.push(block);
  }

  let burnUsdPerHour = 0;
  let burnTokensPerMinute = 0;
  let projected: number | null = null;
  let timeLeft: number | null = null;
  let burnWindowStart: number | null = null;
  const cur2 = current as UsageBlock | null;
  const usageSpan = span as { first: number; last: number } | null;
  if (cur2 && usageSpan) {
    const windowStart = Math.max(p.now - BURN_WINDOW_MINUTES * MINUTE_MS, usageSpan.first);
    burnWindowStart = windowStart;
    const [recent] = await rows<{ cost: number | null; tokens: number | null }>(
      (q) => `SELECT SUM(cost_usd) AS cost, SUM(${TOKENS}) AS tokens FROM am_events
              WHERE created_at >= ${q.add(windowStart)} AND created_at <= ${q.add(p.now)} AND ${ofKeys(q, keys, "COALESCE(model, '')")} AND ${USAGE_PREDICATE}${ofPerson(q)}`,
    );
    const minutes = Math.max(p.now - windowStart, MINUTE_MS) / MINUTE_MS;
    burnUsdPerHour = ((recent?.cost ?? 0) / minutes) * 60;
    burnTokensPerMinute = (recent?.tokens ?? 0) / minutes;
    timeLeft = Math.max(0, (Date.parse(cur2.end) - p.now) / MINUTE_MS);
    projected = cur2.cost_usd + (burnUsdPerHour / 60) * timeLeft;
  }

  // Today's cost: whole hours from the rollup, the part of an hour before them (half-hour zones) from events.
  const firstWholeHour = Math.ceil(p.day_start / HOUR_MS) * HOUR_MS;
  const [hourly] = await rows<{ c: number | null }>(
    (q) => `SELECT SUM(cost_usd) AS c FROM am_usage_hourly WHERE hour >= ${q.add(firstWholeHour)} AND hour <= ${q.add(p.now)}${ofAgent(q)}${ofPerson(q)}`,
  );
  let today = hourly?.c ?? 0;
  if (firstWholeHour !== p.day_start) {
    const [partial] = await rows<{ c: number | null }>(
      (q) => `SELECT SUM(cost_usd) AS c FROM am_events WHERE created_at >= ${q.add(p.day_start)} AND created_at < ${q.add(firstWholeHour)}${ofAgent(q)}${ofPerson(q)}`,
    );
    today += partial?.c ?? 0;
  }

  return {
    generated_at: iso(p.now),
    block_hours: blockHours,
    provider,
    providers,
    current_block: cur2,
    blocks,
    burn_rate_usd_per_hour: burnUsdPerHour,
    burn_rate_tokens_per_minute: burnTokensPerMinute,
    burn_rate_since: burnWindowStart === null ? null : iso(burnWindowStart),
    projected_block_cost_usd: projected,
    block_time_left_minutes: timeLeft,
    daily_budget_usd: p.daily_budget_usd ?? null,
    today_cost_usd: today,
    rate_limits: [],
  };
}
