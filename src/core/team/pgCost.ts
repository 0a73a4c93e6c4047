/**
 * `GET /api/stats/cost` on the team store: the local answer's shape (CostBreakdown) by day (in an
 * IANA zone), model, project, session, agent or person. Whole hours come from `am_usage_hourly`, a bound
 * inside an hour from that partial hour's events. Sessions are counted as locally: sessions whose
 * [started_at, last_event_at] overlaps the bucket, by the session's own project, latest model,
 * agent or person.
 *
 * `stack=model` stacks days by model; `by=session` sums each session's events in the range.
 *
 * Not yet as the local store: days of zones whose offset is not a whole hour are cut at the hour
 * holding local midnight (the local store reads that hour's events in quarter hours).
 */
import type { CostRow, TeamCostBreakdown, UsageSums } from '../contracts/api';
import { addDays, dayKey, dayStartOf, isCalendarTime } from '../zonedTime';
import type { CostParams } from '../store/queries/cost';
import type { PgStore } from './pgStore';
import { addToCostRow, emptyCostRow } from '../contracts/costRows';

export const TEAM_COST_GROUPS = ['day', 'model', 'project', 'agent', 'person'] as const;
export type TeamCostGroup = (typeof TEAM_COST_GROUPS)[number];

/** The local params (`person`, who sent the events, is a filter), grouped also by person. */
export type TeamCostParams = Omit<CostParams, 'by'> & { by: TeamCostGroup | 'session' };

const HOUR_MS = 3_600_000;

const EMPTY_KEY: Record<TeamCostGroup, string> = { day: '', model: '(no model)', project: '(no project)', agent: '', person: 'unknown' };
const COLUMN: Record<Exclude<TeamCostGroup, 'day'>, string> = { model: 'model', project: 'project', agent: 'agent_type', person: 'person' };

interface Grouped extends UsageSums {
  b: number;
  k: string;
  /** The model, with `stack_model`; else ''. */
  m: string;
}

type GroupedParams = Omit<TeamCostParams, 'by'> & { by: TeamCostGroup };

function where(p: TeamCostParams, time: string, col: (k: 'agent' | 'project' | 'model') => string): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (p.agent_type?.length) add(`${col('agent')} = ANY(?)`, p.agent_type);
  if (p.project?.length) add(`${col('project')} = ANY(?)`, p.project);
  if (p.model?.length) add(`${col('model')} = ANY(?)`, p.model);
  if (p.person?.length) add('person = ANY(?)', p.person);
  if (p.since !== null) add(`${time} >= ?`, p.since);
  if (p.until !== null) add(`${time} < ?`, p.until);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

async function fromRollup(store: PgStore, p: GroupedParams): Promise<Grouped[]> {
  const k = p.by === 'day' ? "''" : COLUMN[p.by];
  const m = p.by === 'day' && p.stack_model ? 'model' : "''";
  const w = where(p, 'hour', (c) => (c === 'agent' ? 'agent_type' : c));
  return (
    await store.pool.query<Grouped>(
      `SELECT ${p.by === 'day' ? 'hour' : '0'} AS b, ${k} AS k, ${m} AS m, SUM(events) AS events, SUM(requests) AS requests, SUM(tokens_in) AS tokens_in,
         SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
         SUM(cost_usd) AS cost_usd, SUM(unpriced_tokens) AS unpriced_tokens
       FROM am_usage_hourly ${w.sql} GROUP BY 1, 2, 3`,
      w.params,
    )
  ).rows;
}

async function fromEvents(store: PgStore, p: GroupedParams): Promise<Grouped[]> {
  const k = p.by === 'day' ? "''" : p.by === 'agent' || p.by === 'person' ? COLUMN[p.by] : `COALESCE(${COLUMN[p.by]}, '')`;
  const m = p.by === 'day' && p.stack_model ? "COALESCE(model, '')" : "''";
  const w = where(p, 'created_at', (c) => (c === 'agent' ? 'agent_type' : `COALESCE(${c}, '')`));
  return (
    await store.pool.query<Grouped>(
      `SELECT ${p.by === 'day' ? '(created_at / 3600000) * 3600000' : '0'} AS b, ${k} AS k, ${m} AS m, COUNT(*) AS events,
         COUNT(*) FILTER (WHERE tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0) AS requests,
         SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens,
         SUM(cache_write_tokens) AS cache_write_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
         COALESCE(SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) FILTER (WHERE cost_source = 'unpriced'), 0) AS unpriced_tokens
       FROM am_events ${w.sql} GROUP BY 1, 2, 3`,
      w.params,
    )
  ).rows;
}

/** Whole hours from the rollup; a bound inside an hour from that part's events. */
async function groupedRows(store: PgStore, p: GroupedParams): Promise<Grouped[]> {
  const aligned = (t: number | null) => t === null || t % HOUR_MS === 0;
  if (aligned(p.since) && aligned(p.until)) return fromRollup(store, p);
  const lo = p.since === null ? null : Math.ceil(p.since / HOUR_MS) * HOUR_MS;
  const hi = p.until === null ? null : Math.floor(p.until / HOUR_MS) * HOUR_MS;
  if (lo !== null && hi !== null && lo >= hi) return fromEvents(store, p);
  const out = await fromRollup(store, { ...p, since: lo, until: hi });
  if (p.since !== null && lo !== p.since) out.push(...(await fromEvents(store, { ...p, since: p.since, until: lo })));
  if (p.until !== null && hi !== p.until) out.push(...(await fromEvents(store, { ...p, since: hi, until: p.until })));
  return out;
}

interface SessionRow {
  started_at: number;
  last_event_at: number;
  k: string;
  n: number;
}

/** By day: each session's span (one row per session); else the sessions per key (one row per key). */
async function sessionsInRange(store: PgStore, p: GroupedParams): Promise<SessionRow[]> {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (p.since !== null) add('last_event_at >= ?', p.since);
  if (p.until !== null) add('started_at < ?', p.until);
  if (p.agent_type?.length) add('agent_type = ANY(?)', p.agent_type);
  if (p.project?.length) add("COALESCE(project, '') = ANY(?)", p.project);
  if (p.model?.length) add("COALESCE(model, '') = ANY(?)", p.model);
  if (p.person?.length) add('person = ANY(?)', p.person);
  const w = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  if (p.by === 'day') return (await store.pool.query<SessionRow>(`SELECT started_at, last_event_at, '' AS k, 1 AS n FROM am_sessions ${w}`, params)).rows;
  const k = p.by === 'agent' || p.by === 'person' ? COLUMN[p.by] : `COALESCE(${COLUMN[p.by]}, '')`;
  return (await store.pool.query<SessionRow>(`SELECT 0 AS started_at, 0 AS last_event_at, ${k} AS k, COUNT(*) AS n FROM am_sessions ${w} GROUP BY 3`, params)).rows;
}

export async function teamCostBreakdown(store: PgStore, p: TeamCostParams): Promise<TeamCostBreakdown> {
  if (p.by === 'session') return bySession(store, p);
  return grouped(store, { ...p, by: p.by });
}

async function grouped(store: PgStore, p: GroupedParams): Promise<TeamCostBreakdown> {
  const rows = await groupedRows(store, p);
  const byKey = new Map<string, CostRow>();
  const stacks = new Map<string, { key: string; model: string; cost_usd: number; tokens: number }>();
  const labels = new Map<number, string>();
  const totals = emptyCostRow('');
  for (const r of rows) {
    if (p.by === 'day' && !isCalendarTime(r.b)) continue;
    let key: string;
    if (p.by === 'day') {
      // One zone lookup per hour bucket (Intl is slow; stacked rows repeat each hour per model).
      key = labels.get(r.b) ?? dayKey(r.b, p.tz);
      labels.set(r.b, key);
    } else key = r.k === '' ? EMPTY_KEY[p.by] : r.k;
    let row = byKey.get(key);
    if (!row) byKey.set(key, (row = emptyCostRow(key)));
    addToCostRow(row, r);
    addToCostRow(totals, r);
    if (p.by === 'day' && p.stack_model) {
      // As the local store stacks: per day and model, leaving out rows without tokens or cost.
      const tokens = r.tokens_in + r.tokens_out + r.cache_read_tokens + r.cache_write_tokens;
      if (tokens === 0 && r.cost_usd === 0) continue;
      const st = stacks.get(`${key}\u0000${r.m}`);
      if (st) {
        st.cost_usd += r.cost_usd;
        st.tokens += tokens;
      } else stacks.set(`${key}\u0000${r.m}`, { key, model: r.m === '' ? EMPTY_KEY.model : r.m, cost_usd: r.cost_usd, tokens });
    }
  }
  let out = [...byKey.values()];
  if (p.by === 'day') out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  else out.sort((a, b) => b.cost_usd - a.cost_usd || (a.key < b.key ? -1 : 1));

  const sessions = await sessionsInRange(store, p);
  totals.sessions = sessions.reduce((n, s) => n + s.n, 0);
  if (p.by === 'day') {
    const days = out.map((r) => {
      const start = dayStartOf(r.key, p.tz);
      return { row: r, start, end: addDays(start, 1, p.tz) };
    });
    for (const s of sessions) for (const d of days) if (d.end > s.started_at && d.start <= s.last_event_at) d.row.sessions++;
  } else {
    const counts = new Map<string, number>();
    for (const s of sessions) {
      const key = s.k === '' ? EMPTY_KEY[p.by] : s.k;
      counts.set(key, (counts.get(key) ?? 0) + s.n);
    }
    for (const r of out) r.sessions = counts.get(r.key) ?? 0;
  }
  if (p.limit !== undefined && out.length > p.limit) out = out.slice(0, p.limit);
  const { key: _key, ...totalFields } = totals;
  const result: TeamCostBreakdown = {
    by: p.by,
    tz: p.tz,
    since: p.since === null ? null : new Date(p.since).toISOString(),
    until: p.until === null ? null : new Date(p.until).toISOString(),
    rows: out,
    totals: totalFields,
  };
  if (p.by === 'day' && p.stack_model) result.stacked = [...stacks.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : b.cost_usd - a.cost_usd));
  return result;
}

/** A value bound to the next `$n` of `params`. */
function binder(params: unknown[]): (v: unknown) => string {
  return (v) => {
    params.push(v);
    return `$${params.length}`;
  };
}

const SESSION_SUMS = `COUNT(*) AS events,
  COUNT(*) FILTER (WHERE tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0) AS requests,
  SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens,
  SUM(cache_write_tokens) AS cache_write_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
  COALESCE(SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) FILTER (WHERE cost_source = 'unpriced'), 0) AS unpriced_tokens`;

/**
 * `by=session`, as the local store answers it (`queries/cost.ts` bySession): the sessions
 * overlapping the range (filtered by their own agent, project and person); one wholly inside it
 * counts its running totals (`am_sessions`), one crossing a bound its events inside the range.
 * Requests are read for the rows returned; the total's requests come from the rollup. With a
 * model filter, as locally, the range's events of that model are summed per session.
 */
async function bySession(store: PgStore, p: TeamCostParams): Promise<TeamCostBreakdown> {
  const since = p.since ?? Number.MIN_SAFE_INTEGER;
  const until = p.until ?? Number.MAX_SAFE_INTEGER;
  const params: unknown[] = [];
  const bind = binder(params);
  const clauses = [`last_event_at >= ${bind(since)}`, `started_at < ${bind(until)}`];
  if (p.agent_type?.length) clauses.push(`agent_type = ANY(${bind(p.agent_type)})`);
  if (p.project?.length) clauses.push(`COALESCE(project, '') = ANY(${bind(p.project)})`);
  if (p.model?.length) clauses.push(`COALESCE(model, '') = ANY(${bind(p.model)})`);
  if (p.person?.length) clauses.push(`person = ANY(${bind(p.person)})`);
  type Span = Omit<CostRow, 'sessions' | 'requests' | 'key'> & { session_id: string; started_at: number; last_event_at: number };
  const spans = (
    await store.pool.query<Span>(
      `SELECT session_id, started_at, last_event_at, event_count AS events, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens
       FROM am_sessions WHERE ${clauses.join(' AND ')}`,
      params,
    )
  ).rows;
  let rows: CostRow[];
  let sessions = spans.length;
  /** Sessions wholly inside the range: their requests are read for the rows returned. */
  const inside = new Set<string>();
  const ranged = async (where: string, values: unknown[]) => {
    const q: unknown[] = [...values];
    const b = binder(q);
    return (
      await store.pool.query<Omit<CostRow, 'sessions'>>(
        `SELECT session_id AS key, ${SESSION_SUMS} FROM am_events WHERE ${where} AND created_at >= ${b(since)} AND created_at < ${b(until)} GROUP BY session_id`,
        q,
      )
    ).rows.map((r): CostRow => ({ ...r, sessions: 1 }));
  };
  if (p.model?.length) {
    const q: unknown[] = [];
    const b = binder(q);
    const w = [`model = ANY(${b(p.model)})`];
    if (p.agent_type?.length) w.push(`agent_type = ANY(${b(p.agent_type)})`);
    if (p.project?.length) w.push(`COALESCE(project, '') = ANY(${b(p.project)})`);
    if (p.person?.length) w.push(`person = ANY(${b(p.person)})`);
    rows = await ranged(w.join(' AND '), q);
  } else {
    const crosses = (s: Span) => s.started_at < since || s.last_event_at >= until;
    const crossing = spans.filter(crosses).map((s) => s.session_id);
    rows = spans.filter((s) => !crosses(s)).map(({ session_id, started_at: _s, last_event_at: _l, ...t }) => ({ key: session_id, ...t, requests: 0, sessions: 1 }));
    for (const r of rows) inside.add(r.key);
    if (crossing.length) rows.push(...(await ranged('session_id = ANY($1)', [crossing])).filter((r) => r.events > 0));
    sessions = rows.length;
  }
  rows.sort((a, b) => b.cost_usd - a.cost_usd || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const totals = emptyCostRow('');
  for (const r of rows) addToCostRow(totals, r);
  totals.sessions = sessions;
  const out = p.limit !== undefined ? rows.slice(0, p.limit) : rows;
  if (!p.model?.length) {
    const asked = out.filter((r) => inside.has(r.key)).map((r) => r.key);
    const requests = new Map(
      asked.length
        ? (
            await store.pool.query<{ k: string; n: number }>(
              'SELECT session_id AS k, COUNT(*) FILTER (WHERE tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0) AS n FROM am_events WHERE session_id = ANY($1) GROUP BY session_id',
              [asked],
            )
          ).rows.map((r) => [r.k, r.n])
        : [],
    );
    for (const r of out) if (inside.has(r.key)) r.requests = requests.get(r.key) ?? 0;
    totals.requests = (await groupedRows(store, { ...p, by: 'agent', stack_model: false })).reduce((n, r) => n + r.requests, 0);
  }
  const { key: _key, ...totalFields } = totals;
  return {
    by: 'session',
    tz: p.tz,
    since: p.since === null ? null : new Date(p.since).toISOString(),
    until: p.until === null ? null : new Date(p.until).toISOString(),
    rows: out,
    totals: totalFields,
  };
}
