/**
 * Cost breakdowns (`GET /api/stats/cost`, `agentmonitor report`): tokens, cost, events and
 * requests by day (in an IANA zone), model, project, agent or session, with optional per-day
 * per-model stacks for the chart.
 *
 * Sources: the `usage_hourly` rollup for the whole hours of the range, the events table for a
 * bound inside an hour (that partial hour only); for days in zones with half- or quarter-hour
 * offsets, the hours holding a local midnight are read from the events table in quarter-hour
 * buckets, which is exact for every real zone offset. `by=session` reads sessions and events.
 * `sessions` counts sessions active in the bucket: sessions whose [started_at, last_event_at]
 * overlaps it (from the sessions table; for `by=model` by the session's latest model).
 *
 * The rollup rows and the sessions of a range come from `costRanges.ts` (kept in memory per range,
 * patched after writes) and are grouped here; sums of costs follow SQLite's own
 * (Kahan-Babuska-Neumaier) summation.
 */
import type { CostBreakdown, CostRow, PeriodTotals, Pulse, UsageSums } from '../../contracts/api';
import type { SqlValue } from 'sql.js';
import type { SqlDb } from '../sqlDb';
import { addDays, dayKey, dayStartOf, isCalendarTime } from '../../zonedTime';
import { whereSql } from './events';
import { rows as readRows } from './rows';
import { R, S, rollupInRange, sessionsInRange } from './costRanges';
import { addToCostRow, emptyCostRow } from '../../contracts/costRows';

const HOUR_MS = 3_600_000;
const QUARTER_MS = 900_000;

export const COST_GROUPS = ['day', 'model', 'project', 'session', 'agent'] as const;
export type CostGroup = (typeof COST_GROUPS)[number];

export interface CostParams {
  by: CostGroup;
  tz: string;
  /** Epoch ms, inclusive; null for no bound. */
  since: number | null;
  /** Epoch ms, exclusive. */
  until: number | null;
  /** Per day and model (`by=day` only). */
  stack_model?: boolean;
  agent_type?: string[];
  project?: string[];
  model?: string[];
  /** Who sent the events: answered by a team store only (`team/pgRead.ts`); the local routes refuse it. */
  person?: string[];
  /** Most rows returned (largest cost first for non-day groups); totals cover everything. */
  limit?: number;
}

export type CostReport = CostBreakdown & { totals: PeriodTotals };

interface Source {
  table: string;
  time: string;
  bucket: string;
  events: string;
  requests: string;
  unpriced: string;
  col: Record<'model' | 'project' | 'agent' | 'session', string>;
}

const ROLLUP: Source = {
  table: 'usage_hourly',
  time: 'hour',
  bucket: 'hour',
  events: 'SUM(events)',
  requests: 'SUM(requests)',
  unpriced: 'SUM(unpriced_tokens)',
  col: { model: 'model', project: 'project', agent: 'agent_type', session: "''" },
};

const EVENTS: Source = {
  table: 'events',
  time: 'created_at',
  bucket: `(created_at / ${QUARTER_MS}) * ${QUARTER_MS}`,
  events: 'COUNT(*)',
  requests: 'SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0)',
  unpriced: "SUM(CASE WHEN cost_source = 'unpriced' THEN tokens_in + tokens_out + cache_read_tokens + cache_write_tokens ELSE 0 END)",
  col: { model: "COALESCE(model, '')", project: "COALESCE(project, '')", agent: 'agent_type', session: 'session_id' },
};

interface GroupedRow extends UsageSums {
  b: number;
  k: string;
  m: string;
}

const EMPTY_KEY: Record<CostGroup, string> = {
  day: '',
  model: '(no model)',
  project: '(no project)',
  agent: '',
  session: '',
};

function listClauses(lists: [string, string[] | undefined][]): { clauses: string[]; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  for (const [col, values] of lists) {
    if (!values || !values.length) continue;
    clauses.push(`${col} IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(values));
  }
  return { clauses, params };
}

function filters(src: Source, p: CostParams): { clauses: string[]; params: SqlValue[] } {
  const { clauses, params } = listClauses([
    [src.col.agent, p.agent_type],
    [src.col.project, p.project],
    [src.col.model, p.model],
  ]);
  if (p.since !== null) {
    clauses.push(`${src.time} >= ?`);
    params.push(p.since);
  }
  if (p.until !== null) {
    clauses.push(`${src.time} < ?`);
    params.push(p.until);
  }
  return { clauses, params };
}

/** SQLite's SUM of REALs: Kahan-Babuska-Neumaier, so that a sum made here equals SQL's to the bit. */
class KbnSum {
  sum = 0;
  err = 0;
  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) > Math.abs(x)) this.err += this.sum - t + x;
    else this.err += x - t + this.sum;
    this.sum = t;
  }
  get value(): number {
    return this.sum + this.err;
  }
}

function listFilter(lists: [number, string[] | undefined][]): (r: SqlValue[]) => boolean {
  const sets = lists.filter(([, v]) => v && v.length).map(([col, v]) => [col, new Set(v)] as const);
  return (r) => sets.every(([col, values]) => values.has(r[col] as string));
}

/** `grouped` on the rollup, from the range's memoized rows: the same rows, sums and order as the SQL. */
function groupedRollup(db: SqlDb, p: CostParams): GroupedRow[] {
  const keep = listFilter([[R.agent, p.agent_type], [R.project, p.project], [R.model, p.model]]);
  const kCol = p.by === 'model' ? R.model : p.by === 'project' ? R.project : p.by === 'agent' ? R.agent : -1;
  const stack = p.by === 'day' && p.stack_model;
  const groups = new Map<string, { row: GroupedRow; cost: KbnSum }>();
  for (const r of rollupInRange(db, p.since, p.until)) {
    if (!keep(r)) continue;
    const b = p.by === 'day' ? (r[R.hour] as number) : 0;
    const k = kCol < 0 ? '' : (r[kCol] as string);
    const m = stack ? (r[R.model] as string) : '';
    const key = `${b}\u0000${k}\u0000${m}`;
    let g = groups.get(key);
    if (!g) {
      g = { row: { b, k, m, events: 0, requests: 0, tokens_in: 0, tokens_out: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0, unpriced_tokens: 0 }, cost: new KbnSum() };
      groups.set(key, g);
    }
    const o = g.row;
    o.events += r[R.events] as number;
    o.requests += r[R.requests] as number;
    o.tokens_in += r[R.tin] as number;
    o.tokens_out += r[R.tout] as number;
    o.cache_read_tokens += r[R.cread] as number;
    o.cache_write_tokens += r[R.cwrite] as number;
    o.unpriced_tokens += r[R.unpriced] as number;
    g.cost.add(r[R.cost] as number);
  }
  const out: GroupedRow[] = [];
  for (const g of groups.values()) {
    g.row.cost_usd = g.cost.value;
    out.push(g.row);
  }
  return out.sort((a, b) => a.b - b.b || (a.k < b.k ? -1 : a.k > b.k ? 1 : a.m < b.m ? -1 : a.m > b.m ? 1 : 0));
}

function grouped(db: SqlDb, src: Source, p: CostParams): GroupedRow[] {
  if (src === ROLLUP) return groupedRollup(db, p);
  const b = p.by === 'day' ? src.bucket : '0';
  const k = p.by === 'day' ? "''" : src.col[p.by];
  const m = p.by === 'day' && p.stack_model ? src.col.model : "''";
  const w = filters(src, p);
  return readRows<GroupedRow>(
    db,
    `SELECT ${b} AS b, ${k} AS k, ${m} AS m, ${src.events} AS events, ${src.requests} AS requests,
       SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens,
       SUM(cache_write_tokens) AS cache_write_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd, ${src.unpriced} AS unpriced_tokens
     FROM ${src.table} ${whereSql(w.clauses)} GROUP BY 1, 2, 3`,
    w.params,
  );
}

const aligned = (t: number | null) => t === null || t % HOUR_MS === 0;

/**
 * Day labels of the rows' buckets, and the buckets that straddle a local midnight. The zone's
 * calendar is asked once per local day (its [start, end), checked exact) rather than twice per
 * bucket: 720 hourly buckets over 30 days cost 7 ms of Intl formatting on 1M events.
 */
function dayLabels(rows: GroupedRow[], width: number, tz: string): { labels: Map<number, string>; straddling: Set<number> } {
  const labels = new Map<number, string>();
  const straddling = new Set<number>();
  let day: { key: string; start: number; end: number } | null = null;
  for (const r of rows) {
    if (labels.has(r.b)) continue;
    if (!day || r.b < day.start || r.b >= day.end) {
      const key = dayKey(r.b, tz);
      const start = dayStartOf(key, tz);
      const end = addDays(start, 1, tz);
      const exact = start <= r.b && r.b < end && dayKey(start, tz) === key && dayKey(start - 1, tz) !== key && dayKey(end - 1, tz) === key && dayKey(end, tz) !== key;
      day = exact ? { key, start, end } : null;
      if (!day) {
        if (dayKey(r.b + width - 1, tz) !== key) straddling.add(r.b);
        labels.set(r.b, key);
        continue;
      }
    }
    if (r.b + width - 1 >= day.end) straddling.add(r.b);
    labels.set(r.b, day.key);
  }
  return { labels, straddling };
}

/**
 * Rows by day: rollup hours that fall inside one local day, and for each hour that holds a local
 * midnight (zones with a half- or quarter-hour offset) that hour's events in quarter-hour buckets.
 * Buckets outside the calendar (a stored event dated year 9999) belong to no day and are left out.
 */
function dayRows(db: SqlDb, p: CostParams, src: Source): { rows: GroupedRow[]; labels: Map<number, string> } {
  const rows = grouped(db, src, p).filter((r) => isCalendarTime(r.b));
  const first = dayLabels(rows, src === ROLLUP ? HOUR_MS : QUARTER_MS, p.tz);
  if (src !== ROLLUP || !first.straddling.size) return { rows, labels: first.labels };
  const out = rows.filter((r) => !first.straddling.has(r.b));
  for (const h of first.straddling) {
    const since = Math.max(h, p.since ?? h);
    const until = Math.min(h + HOUR_MS, p.until ?? h + HOUR_MS);
    out.push(...grouped(db, EVENTS, { ...p, since, until }));
  }
  return { rows: out, labels: dayLabels(out, QUARTER_MS, p.tz).labels };
}

interface SessionSpan {
  started_at: number;
  last_event_at: number;
}

/** Sessions whose span overlaps the range, filtered by the session's own agent, project and model. */
function sessionsFor(db: SqlDb, p: CostParams): SqlValue[][] {
  const rows = sessionsInRange(db, p.since, p.until);
  if (!p.agent_type?.length && !p.project?.length && !p.model?.length) return rows;
  return rows.filter(listFilter([[S.agent, p.agent_type], [S.project, p.project], [S.model, p.model]]));
}

function sessionSpans(db: SqlDb, p: CostParams): SessionSpan[] {
  return sessionsFor(db, p).map((r) => ({ started_at: r[S.started] as number, last_event_at: r[S.last] as number }));
}

/** How many sessions overlap the range, per session agent, project or model. */
function sessionCounts(db: SqlDb, p: CostParams, col: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of sessionsFor(db, p)) out.set(r[col] as string, (out.get(r[col] as string) ?? 0) + 1);
  return out;
}

/** Count, per day row, the sessions whose span overlaps that day. */
function countSessionsPerDay(rows: CostRow[], spans: SessionSpan[], tz: string): void {
  const days = rows.map((r) => {
    const start = dayStartOf(r.key, tz);
    return { row: r, start, end: addDays(start, 1, tz) };
  });
  for (const s of spans) {
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (days[mid].end <= s.started_at) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < days.length && days[i].start <= s.last_event_at; i++) days[i].row.sessions++;
  }
}

interface SessionCost {
  key: string;
  cost_usd: number;
  /** The sessions-table row (session_id … unpriced_tokens) of a session inside the range. */
  values: SqlValue[] | null;
  /** The summed events of a session crossing a bound. */
  crossing: CostRow | null;
}

function sessionRow(s: SessionCost): CostRow {
  if (s.crossing) return s.crossing;
  const c = s.values!;
  return {
    key: s.key,
    events: c[3] as number,
    requests: 0,
    sessions: 1,
    tokens_in: c[4] as number,
    tokens_out: c[5] as number,
    cache_read_tokens: c[6] as number,
    cache_write_tokens: c[7] as number,
    cost_usd: c[8] as number,
    unpriced_tokens: c[9] as number,
  };
}

/** Cost descending, then session id: the order of `by=session` rows. */
function sessionRank(a: SessionCost, b: SessionCost): number {
  return b.cost_usd - a.cost_usd || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** The `limit` first sessions in `sessionRank` order, kept in a bounded heap (worst on top); without a limit, all. */
class TopSessions {
  private heap: SessionCost[] = [];
  constructor(private readonly limit: number) {}

  offer(s: SessionCost): void {
    const h = this.heap;
    if (this.limit === Number.POSITIVE_INFINITY) {
      h.push(s);
      return;
    }
    if (h.length < this.limit) {
      h.push(s);
      let i = h.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (sessionRank(h[parent], h[i]) >= 0) break;
        [h[parent], h[i]] = [h[i], h[parent]];
        i = parent;
      }
      return;
    }
    if (!h.length || sessionRank(s, h[0]) >= 0) return;
    h[0] = s;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && sessionRank(h[l], h[worst]) > 0) worst = l;
      if (r < h.length && sessionRank(h[r], h[worst]) > 0) worst = r;
      if (worst === i) return;
      [h[worst], h[i]] = [h[i], h[worst]];
      i = worst;
    }
  }

  sorted(): SessionCost[] {
    return [...this.heap].sort(sessionRank);
  }
}

const REQUEST_SQL = 'SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0)';

/**
 * `by=session` without a model filter: a session whose whole span lies in the range contributes
 * its running totals from the sessions table; only sessions crossing a bound are summed from
 * their events (via the session index). Request counts are read for the rows returned.
 */
function bySession(db: SqlDb, p: CostParams): CostReport {
  const since = p.since ?? Number.MIN_SAFE_INTEGER;
  const until = p.until ?? Number.MAX_SAFE_INTEGER;
  // Tens of thousands of sessions at 1M events: one pass adds the totals and keeps the `limit`
  // most expensive (cost descending, then id), and only those become objects.
  const totals = emptyCostRow('');
  const top = new TopSessions(p.limit ?? Number.POSITIVE_INFINITY);
  let unpriced = 0;
  const cost = new KbnSum();
  for (const c of sessionsFor(db, p)) {
    const session_id = c[S.id] as string;
    if ((c[S.started] as number) < since || (c[S.last] as number) >= until) {
      const r = db.get<Omit<CostRow, 'key' | 'sessions'>>(
        `SELECT COUNT(*) AS events, ${REQUEST_SQL} AS requests, SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out,
           SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
           COALESCE(SUM(cost_usd), 0) AS cost_usd, ${EVENTS.unpriced} AS unpriced_tokens
         FROM events WHERE session_id = ? AND +created_at >= ? AND +created_at < ?`,
        [session_id, since, until],
      )!;
      if (r.events === 0) continue;
      addToCostRow(totals, { ...r, cost_usd: 0 });
      cost.add(r.cost_usd);
      totals.sessions++;
      top.offer({ key: session_id, cost_usd: r.cost_usd, values: null, crossing: { key: session_id, sessions: 1, ...r } });
      continue;
    }
    totals.events += c[S.events] as number;
    totals.tokens_in += c[S.tin] as number;
    totals.tokens_out += c[S.tout] as number;
    totals.cache_read_tokens += c[S.cread] as number;
    totals.cache_write_tokens += c[S.cwrite] as number;
    cost.add(c[S.cost] as number);
    unpriced += (c[S.unpriced] as number | null) ?? 0;
    totals.sessions++;
    top.offer({ key: session_id, cost_usd: c[S.cost] as number, values: c, crossing: null });
  }
  totals.unpriced_tokens = (totals.unpriced_tokens ?? 0) + unpriced;
  totals.cost_usd = cost.value;
  const ranked = top.sorted();
  const out = ranked.map(sessionRow);
  const wanted = out.filter((_, i) => ranked[i].values !== null);
  const byId = new Map(wanted.map((r) => [r.key, r]));
  for (let i = 0; i < wanted.length; i += 500) {
    const ids = JSON.stringify(wanted.slice(i, i + 500).map((r) => r.key));
    for (const q of db.all<{ k: string; n: number }>(`SELECT session_id AS k, ${REQUEST_SQL} AS n FROM events WHERE session_id IN (SELECT value FROM json_each(?)) GROUP BY session_id`, [ids])) {
      byId.get(q.k)!.requests = q.n;
    }
  }
  totals.requests = requestsIn(db, p);
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

/**
 * The parts of a range, each with its source: whole hours from the rollup, and a bound inside an
 * hour from that partial hour's events (exact either way; a narrow range inside one or two hours
 * reads events only; `by=session` reads events).
 */
function rangeParts(p: CostParams): [Source, CostParams][] {
  if (p.by === 'session') return [[EVENTS, p]];
  if (aligned(p.since) && aligned(p.until)) return [[ROLLUP, p]];
  const lo = p.since === null ? null : Math.ceil(p.since / HOUR_MS) * HOUR_MS;
  const hi = p.until === null ? null : Math.floor(p.until / HOUR_MS) * HOUR_MS;
  if (lo !== null && hi !== null && lo >= hi) return [[EVENTS, p]];
  const parts: [Source, CostParams][] = [[ROLLUP, { ...p, since: lo, until: hi }]];
  if (p.since !== null && lo !== p.since) parts.push([EVENTS, { ...p, since: p.since, until: lo! }]);
  if (p.until !== null && hi !== p.until) parts.push([EVENTS, { ...p, since: hi!, until: p.until }]);
  return parts;
}

/** The grouped rows of a range, read part by part (`rangeParts`). */
function sourcedRows(db: SqlDb, p: CostParams): { rows: GroupedRow[]; labels: Map<number, string> | null } {
  const read = (src: Source, q: CostParams) => (p.by === 'day' ? dayRows(db, q, src) : { rows: grouped(db, src, q), labels: null });
  const [[src, q], ...rest] = rangeParts(p);
  const out = read(src, q);
  for (const [s, q] of rest) {
    const part = read(s, q);
    out.rows.push(...part.rows);
    if (out.labels && part.labels) for (const [b, label] of part.labels) out.labels.set(b, label);
  }
  return out;
}

/** Requests in the range as `sourcedRows` by agent counts them (the rollup part from the kept rows). */
function requestsIn(db: SqlDb, p: CostParams): number {
  let n = 0;
  for (const [src, q] of rangeParts({ ...p, by: 'agent', stack_model: false })) for (const r of grouped(db, src, q)) n += r.requests;
  return n;
}

export interface PulseParams {
  now: number;
  /** Minutes of history (1 to 360). */
  minutes: number;
  idle_after_minutes: number;
}

const MINUTE_MS = 60_000;

/** Events and cost per minute of event time over the last minutes (`GET /api/stats/pulse`). */
export function pulse(db: SqlDb, p: PulseParams): Pulse {
  const since = Math.floor(p.now / MINUTE_MS) * MINUTE_MS - (p.minutes - 1) * MINUTE_MS;
  const buckets = db
    .all<{ m: number; n: number; c: number }>(
      `SELECT created_at / ${MINUTE_MS} AS m, COUNT(*) AS n, COALESCE(SUM(cost_usd), 0) AS c FROM events
       WHERE created_at >= ? AND created_at < ? GROUP BY m ORDER BY m`,
      [since, since + p.minutes * MINUTE_MS],
    )
    .map((r) => ({ at: new Date(r.m * MINUTE_MS).toISOString(), events: r.n, cost_usd: r.c }));
  const last = db.get<{ id: number | null }>('SELECT MAX(id) AS id FROM event_rows')!;
  return {
    generated_at: new Date(p.now).toISOString(),
    bucket_s: 60,
    since: new Date(since).toISOString(),
    buckets,
    last_event_id: last.id ?? 0,
    idle_after_minutes: p.idle_after_minutes,
  };
}

export const queries = {
  pulse,
  costBreakdown(db: SqlDb, p: CostParams): CostReport {
    if (p.by === 'session' && !p.model?.length) return bySession(db, p);
    const { rows, labels } = sourcedRows(db, p);

    const byKey = new Map<string, CostRow>();
    const stacks = new Map<string, { key: string; model: string; cost_usd: number; tokens: number }>();
    const totals = emptyCostRow('');
    for (const r of rows) {
      const key = labels ? labels.get(r.b)! : r.k === '' ? EMPTY_KEY[p.by] : r.k;
      let row = byKey.get(key);
      if (!row) byKey.set(key, (row = emptyCostRow(key)));
      addToCostRow(row, r);
      addToCostRow(totals, r);
      if (p.by === 'day' && p.stack_model) {
        const tokens = r.tokens_in + r.tokens_out + r.cache_read_tokens + r.cache_write_tokens;
        if (tokens === 0 && r.cost_usd === 0) continue;
        const sk = `${key}\u0000${r.m}`;
        const st = stacks.get(sk);
        if (st) {
          st.cost_usd += r.cost_usd;
          st.tokens += tokens;
        } else stacks.set(sk, { key, model: r.m === '' ? EMPTY_KEY.model : r.m, cost_usd: r.cost_usd, tokens });
      }
    }

    let out = [...byKey.values()];
    if (p.by === 'day') out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    else out.sort((a, b) => b.cost_usd - a.cost_usd || (a.key < b.key ? -1 : 1));

    if (p.by === 'day') {
      const spans = sessionSpans(db, p);
      totals.sessions = spans.length;
      countSessionsPerDay(out, spans, p.tz);
    } else {
      // Per session agent, project or model, from the range's sessions (read once for the four breakdowns).
      const counts = new Map<string, number>();
      totals.sessions = 0;
      const col = p.by === 'model' ? S.model : p.by === 'project' ? S.project : S.agent;
      for (const [k, n] of sessionCounts(db, p, col)) {
        const key = k === '' ? EMPTY_KEY[p.by] : k;
        counts.set(key, (counts.get(key) ?? 0) + n);
        totals.sessions += n;
      }
      for (const r of out) r.sessions = p.by === 'session' ? 1 : (counts.get(r.key) ?? 0);
    }
    if (p.limit !== undefined && out.length > p.limit) out = out.slice(0, p.limit);

    const { key: _key, ...totalFields } = totals;
    const result: CostReport = {
      by: p.by,
      tz: p.tz,
      since: p.since === null ? null : new Date(p.since).toISOString(),
      until: p.until === null ? null : new Date(p.until).toISOString(),
      rows: out,
      totals: totalFields,
    };
    if (p.by === 'day' && p.stack_model) {
      result.stacked = [...stacks.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : b.cost_usd - a.cost_usd));
    }
    return result;
  },
};

export const writeQueries = {} as const;
