/**
 * The team server's reader: the local store's named queries (`StoreClient`), answered from
 * PostgreSQL, so the local read routes (`server/routes/queries.ts` registerReads) serve a team
 * server unchanged. Each query mirrors its local twin (same SQL where the dialects agree, the same
 * row-to-answer functions), plus the `person` filter. A query not served yet throws
 * `NotServedError`, which the team server answers 501.
 *
 * Served: stats, listSessions, attention, sessionDetail, listEvents, filterOptions, costBreakdown
 * (`pgCost.ts`), toolStats, pulse, transcript, sessionTimeline, sessionsByIds, search (`pgSearch.ts`),
 * usageMonitor (`pgUsage.ts`). Not yet: every writing query.
 */
import type pg from 'pg';
import type {
  AttentionList,
  EventsPage,
  FilterOptions,
  ModelUsage,
  PeriodTotals,
  Pulse,
  Session,
  SessionDetail,
  SessionsPage,
  SessionTimeline,
  Stats,
  ToolStats,
  TranscriptPage,
} from '../contracts/api';
import { EVENT_SOURCES, type StoredEvent } from '../contracts/events';
import type { StoreClient } from '../store/storeClient';
import type { QueryName, QueryParams, QueryResult } from '../store/queries/registry';
import { rowToSession, sessionsCursorKind, type AttentionParams, type ListSessionsParams, type StatusClock } from '../store/queries/sessions';
import { EVENTS_BY_TIME_CURSOR, EVENTS_CURSOR, EVENT_LIST_COLUMNS, type EventQueryFilter, type ListEventsParams } from '../store/queries/events';
import { statsParams, type StatsParams } from '../store/queries/stats';
import { toolListOfRows, toolStatsOfRows, type ToolStatsParams } from '../store/queries/tools';
import type { CostParams, PulseParams } from '../store/queries/cost';
import { encodeCursor } from '../store/queries/cursor';
import { MAX_DEPTH, MAX_FAMILY, TIMELINE_POINTS, transcriptLimit, transcriptPage, type TranscriptParams } from '../store/queries/transcript';
import { recordToStoredEvent } from '../store/records';
import { localTimeZone } from '../zonedTime';
import { teamCostBreakdown, type TeamCostGroup } from './pgCost';
import { EVENT_COLUMNS, type PgStore, type TeamRecord } from './pgStore';
import { teamSearch } from './pgSearch';
import { teamUsageMonitor } from './pgUsage';

/** A named query the team store does not answer yet (the team server answers 501). */
export class NotServedError extends Error {
  readonly status = 501;
  readonly expose = true;
  constructor(readonly query: string) {
    super(`the team store does not answer ${query} yet`);
  }
}

/** A read PostgreSQL failed (down, timed out): answered 503 with what failed, never a bare 500. */
export class TeamReadError extends Error {
  readonly status = 503;
  readonly expose = true;
}

/** SQL written with `?` placeholders (as the local queries are) and its values, numbered for PostgreSQL. */
class Sql {
  readonly params: unknown[] = [];
  /** `text` with each `?` bound, in order, to the next of `values`. */
  bind(text: string, ...values: unknown[]): string {
    let i = 0;
    return text.replace(/\?/g, () => {
      if (i >= values.length) throw new Error(`too few values for: ${text}`);
      this.params.push(values[i++]);
      return `$${this.params.length}`;
    });
  }
}

/** The live status and state of a session row, as `queries/sessions.ts` derives them (binds `[now - endMs, now - idleMs]` each). */
const STATUS_SQL = `CASE WHEN s.ended_at IS NOT NULL OR s.last_event_at < ? THEN 'ended' WHEN s.last_event_at < ? THEN 'idle' ELSE 'active' END`;
const STATE_SQL = `CASE WHEN s.ended_at IS NOT NULL OR s.last_event_at < ? OR s.state = 'ended' THEN 'ended'
  WHEN s.state IN ('waiting_permission', 'waiting_input', 'error') THEN s.state
  WHEN s.last_event_at < ? OR s.state = 'idle' THEN 'idle' ELSE 'working' END`;

type SessionRow = Parameters<typeof rowToSession>[0] & { person: string; machine: string | null };

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const MAX_VALUES = 500;

/** A session as the API answers it, with who ran it (team servers only). */
function toSession(r: SessionRow): Session {
  return { ...rowToSession(r), person: r.person, ...(r.machine ? { machine: r.machine } : {}) };
}

export class PgReader implements StoreClient {
  constructor(private readonly store: PgStore) {}

  private get pool(): pg.Pool {
    return this.store.pool;
  }

  query<K extends QueryName>(name: K, params: QueryParams<K>): Promise<QueryResult<K>> {
    const run = (this.handlers as Record<string, ((p: unknown) => Promise<unknown>) | undefined>)[name];
    if (!run) return Promise.reject(new NotServedError(name));
    return (run(params) as Promise<QueryResult<K>>).catch((e: Error) => {
      throw new TeamReadError(`the team database did not answer: ${e.message}`);
    });
  }

  private readonly handlers: Partial<{ [K in QueryName]: (p: QueryParams<K>) => Promise<QueryResult<K>> }> = {
    stats: (p) => this.stats(p),
    listSessions: (p) => this.listSessions(p),
    sessionsByIds: (p) => this.sessionsByIds(p),
    attention: (p) => this.attention(p),
    sessionDetail: (p) => this.sessionDetail(p),
    listEvents: (p) => this.listEvents(p),
    filterOptions: () => this.filterOptions(),
    costBreakdown: (p) => this.costBreakdown(p),
    toolStats: (p) => this.toolStats(p),
    pulse: (p) => this.pulse(p),
    transcript: (p) => this.transcript(p),
    sessionTimeline: (p) => this.sessionTimeline(p),
    search: (p) => teamSearch(this.pool, p),
    usageMonitor: (p) => teamUsageMonitor(this.pool, p),
  };

  private async rows<T>(text: string, params: unknown[]): Promise<T[]> {
    return (await this.pool.query<T & pg.QueryResultRow>(text, params)).rows;
  }

  private async sessions(clock: StatusClock, where: (q: Sql) => string[], tail = '', tailValues: unknown[] = []): Promise<SessionRow[]> {
    const q = new Sql();
    const status = q.bind(STATUS_SQL, ...statusValues(clock));
    const state = q.bind(STATE_SQL, ...statusValues(clock));
    const clauses = where(q);
    const t = q.bind(tail, ...tailValues);
    return this.rows<SessionRow>(`SELECT s.*, ${status} AS status, ${state} AS live_state FROM am_sessions s ${whereSql(clauses)} ${t}`, q.params);
  }

  async stats(params: Partial<StatsParams> & { now: number }): Promise<Stats> {
    const p: StatsParams = { ...statsParams({ idleAfterMinutes: 5, endAfterMinutes: 120 }, localTimeZone(), params.now), ...params };
    const fields = ['events', 'requests', 'tokens_in', 'tokens_out', 'cache_read_tokens', 'cache_write_tokens', 'cost_usd', 'unpriced_tokens'];
    const periods = await Promise.all(
      [Number.MIN_SAFE_INTEGER, p.day_start, p.week_start, p.month_start].map(async (from): Promise<PeriodTotals> => {
        const [t] = await this.rows<Omit<PeriodTotals, 'sessions'>>(`SELECT ${fields.map((f) => `COALESCE(SUM(${f}), 0) AS ${f}`).join(', ')} FROM am_usage_hourly WHERE hour >= $1`, [from]);
        const [s] = await this.rows<{ n: number }>('SELECT COUNT(*) AS n FROM am_sessions WHERE last_event_at >= $1', [from]);
        return { ...t, sessions: s.n };
      }),
    );
    const agents = new Map<string, { sessions: number; today: number; total: number }>();
    for (const r of await this.rows<{ agent_type: string; n: number; cost: number }>('SELECT agent_type, COUNT(*) AS n, SUM(cost_usd) AS cost FROM am_sessions GROUP BY agent_type', [])) {
      agents.set(r.agent_type, { sessions: r.n, today: 0, total: r.cost });
    }
    for (const r of await this.rows<{ agent_type: string; cost: number }>('SELECT agent_type, SUM(cost_usd) AS cost FROM am_usage_hourly WHERE hour >= $1 GROUP BY agent_type', [p.day_start])) {
      const a = agents.get(r.agent_type);
      if (a) a.today = r.cost;
      else agents.set(r.agent_type, { sessions: 0, today: r.cost, total: r.cost });
    }
    const activeByAgent = new Map(
      (await this.rows<{ agent_type: string; n: number }>('SELECT agent_type, COUNT(*) AS n FROM am_sessions WHERE last_event_at >= $1 AND ended_at IS NULL GROUP BY agent_type', [p.now - p.idleMs])).map((r) => [
        r.agent_type,
        r.n,
      ]),
    );
    const seen = await this.rows<{ agent_type: string; last_seen_at: number }>('SELECT agent_type, last_seen_at FROM am_agents ORDER BY last_seen_at DESC', []);
    const currentHour = Math.floor(p.now / HOUR_MS) * HOUR_MS;
    const hours = await this.rows<{ hour: number; cost: number; events: number }>(
      'SELECT hour, SUM(cost_usd) AS cost, SUM(events) AS events FROM am_usage_hourly WHERE hour >= $1 AND hour <= $2 GROUP BY hour',
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
      total: periods[0],
      today: periods[1],
      last_7_days: periods[2],
      last_30_days: periods[3],
      active_sessions: [...activeByAgent.values()].reduce((a, b) => a + b, 0),
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
  }

  async listSessions(p: ListSessionsParams): Promise<SessionsPage> {
    const q = new Sql();
    const status = q.bind(STATUS_SQL, ...statusValues(p));
    const state = q.bind(STATE_SQL, ...statusValues(p));
    const rankSql = p.active_first ? `(CASE WHEN s.ended_at IS NULL AND s.last_event_at >= ? THEN 0 ELSE 1 END)` : '0';
    const rankValues = p.active_first ? [p.now - p.idleMs] : [];
    const sort = sortExpr(p.sort ?? 'last_event_at', p);
    const rank = q.bind(rankSql, ...rankValues);
    const sortValue = q.bind(sort.sql, ...sort.values);
    const subagents = p.nest ? ', (SELECT COUNT(*) FROM am_sessions cs WHERE cs.parent_session_id = s.session_id) AS subagents' : '';
    const clauses: string[] = [];
    anyOf(q, clauses, 's.agent_type', p.agent_type);
    anyOf(q, clauses, 's.project', p.project);
    anyOf(q, clauses, 's.person', p.person);
    anyOf(q, clauses, 's.machine', p.machine);
    if (p.status?.length) clauses.push(`(${q.bind(STATUS_SQL, ...statusValues(p))}) = ANY(${q.bind('?', p.status)})`);
    if (p.q) {
      const pat = `%${p.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      clauses.push(`(${['session_id', 'project', 'branch', 'model'].map((c) => q.bind(`s.${c} ILIKE ?`, pat)).join(' OR ')})`);
    }
    if (p.since != null) clauses.push(q.bind('s.last_event_at >= ?', p.since));
    if (p.parent_session_id !== undefined) clauses.push(p.parent_session_id === '' ? 's.parent_session_id IS NULL' : q.bind('s.parent_session_id = ?', p.parent_session_id));
    if (p.min_cost != null) clauses.push(q.bind('s.cost_usd >= ?', p.min_cost));
    if (p.max_cost != null) clauses.push(q.bind('s.cost_usd <= ?', p.max_cost));
    if (p.nest) clauses.push('(s.parent_session_id IS NULL OR NOT EXISTS (SELECT 1 FROM am_sessions ps WHERE ps.session_id = s.parent_session_id))');
    const desc = (p.dir ?? 'desc') === 'desc';
    const cmp = desc ? '<' : '>';
    if (p.after) {
      const [r, v, sid] = p.after;
      const template = `(${rankSql} > ? OR (${rankSql} = ? AND (${sort.sql} ${cmp} ? OR (${sort.sql} = ? AND s.session_id COLLATE "C" ${cmp} ?))))`;
      clauses.push(q.bind(template, ...rankValues, r, ...rankValues, r, ...sort.values, v, ...sort.values, v, sid));
    }
    const limit = Math.max(1, Math.min(1000, Math.floor(p.limit)));
    const dir = desc ? 'DESC' : 'ASC';
    // Session ids sort bytewise, as SQLite compares text.
    const rows = await this.rows<SessionRow & { rank: number; sort_value: number | string; subagents?: number }>(
      `SELECT s.*, ${status} AS status, ${state} AS live_state, ${rank} AS rank, ${sortValue} AS sort_value${subagents} FROM am_sessions s ${whereSql(clauses)}
       ORDER BY rank ASC, sort_value ${dir}, s.session_id COLLATE "C" ${dir} LIMIT ${q.bind('?', limit + 1)}`,
      q.params,
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      sessions: p.nest ? page.map((r) => ({ ...toSession(r), subagents: r.subagents ?? 0 })) : page.map(toSession),
      next_cursor: more ? encodeCursor(sessionsCursorKind(p.sort, p.dir), [last.rank, last.sort_value, last.session_id, p.now]) : null,
    };
  }

  /** The sessions a committed batch touched, for `session_update` messages. */
  async sessionsByIds(p: StatusClock & { ids: string[] }): Promise<Session[]> {
    if (!p.ids.length) return [];
    return (await this.sessions(p, (q) => [q.bind('s.session_id = ANY(?)', p.ids.slice(0, 5000))])).map(toSession);
  }

  async attention(p: AttentionParams): Promise<AttentionList> {
    const rows = await this.sessions(
      p,
      (q) => {
        const c = [`s.waiting_since IS NOT NULL`, `s.state IN ('waiting_permission', 'waiting_input')`, 's.ended_at IS NULL', q.bind('s.last_event_at >= ?', p.now - p.endMs)];
        anyOf(q, c, 's.agent_type', p.agent_type);
        anyOf(q, c, 's.project', p.project);
        anyOf(q, c, 's.person', p.person);
        return c;
      },
      'ORDER BY s.waiting_since ASC, s.session_id COLLATE "C" ASC LIMIT ?',
      [Math.max(1, Math.min(500, Math.floor(p.limit)))],
    );
    return { sessions: rows.map(toSession) };
  }

  async sessionDetail(p: StatusClock & { session_id: string }): Promise<SessionDetail | null> {
    const [row] = await this.sessions(p, (q) => [q.bind('s.session_id = ?', p.session_id)]);
    if (!row) return null;
    const models = (
      await this.rows<Omit<ModelUsage, 'priced'> & { unpriced: number }>(
        `SELECT COALESCE(model, '') AS model, COUNT(*) AS requests,
           SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens,
           SUM(cache_write_tokens) AS cache_write_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
           COALESCE(SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) FILTER (WHERE cost_source = 'unpriced'), 0) AS unpriced_tokens,
           COUNT(*) FILTER (WHERE cost_source = 'unpriced') AS unpriced,
           CASE WHEN COUNT(DISTINCT cost_source) > 1 THEN 'mixed' ELSE MIN(cost_source) END AS cost_source
         FROM am_events WHERE session_id = $1 AND tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0
         GROUP BY COALESCE(model, '') ORDER BY cost_usd DESC, COALESCE(model, '') COLLATE "C"`,
        [p.session_id],
      )
    ).map(({ unpriced, ...m }) => ({ ...m, priced: unpriced === 0 }));
    const tools = toolListOfRows(await this.toolRows((q) => [q.bind('session_id = ?', p.session_id)]));
    const children = await this.sessions(p, (q) => [q.bind('s.parent_session_id = ?', p.session_id)], 'ORDER BY s.started_at ASC LIMIT 500');
    return { session: toSession(row), models, tools, children: children.map(toSession) };
  }

  async listEvents(p: ListEventsParams): Promise<EventsPage> {
    const q = new Sql();
    const clauses = eventClauses(q, p.filter);
    const byTime = p.order === 'created_at';
    if (byTime && p.before_at != null && p.before_id != null) clauses.push(q.bind('created_at <= ? AND (created_at < ? OR id < ?)', p.before_at, p.before_at, p.before_id));
    else if (p.before_id != null) clauses.push(q.bind('id < ?', p.before_id));
    const limit = Math.max(1, Math.min(1000, Math.floor(p.limit)));
    const offset = Math.max(0, Math.floor(p.offset ?? 0));
    const order = byTime ? 'created_at DESC, id DESC' : 'id DESC';
    const rows = await this.rows<TeamRecord>(
      `SELECT ${EVENT_COLUMNS.join(', ')} FROM am_events ${whereSql(clauses)} ORDER BY ${order} LIMIT ${q.bind('?', limit + 1)} OFFSET ${q.bind('?', offset)}`,
      q.params,
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      events: page.map(teamEvent),
      next_cursor: !more ? null : byTime ? encodeCursor(EVENTS_BY_TIME_CURSOR, [last.created_at, last.id]) : encodeCursor(EVENTS_CURSOR, [last.id]),
    };
  }

  async filterOptions(): Promise<FilterOptions> {
    const column = async (text: string) => (await this.rows<{ v: string }>(text, [])).map((r) => r.v);
    const values = (col: string) => column(`SELECT value AS v FROM am_event_values WHERE col = '${col}' ORDER BY value COLLATE "C" LIMIT ${MAX_VALUES}`);
    const nonEmpty = (col: string) => column(`SELECT DISTINCT ${col} COLLATE "C" AS v FROM am_sessions WHERE ${col} IS NOT NULL AND ${col} != '' ORDER BY v LIMIT ${MAX_VALUES}`);
    const [agent_types, event_types, tool_names, models, projects, branches, people, machines] = await Promise.all([
      column(`SELECT agent_type AS v FROM am_agents ORDER BY agent_type COLLATE "C" LIMIT ${MAX_VALUES}`),
      values('event_type'),
      values('tool_name'),
      values('model'),
      nonEmpty('project'),
      nonEmpty('branch'),
      nonEmpty('person'),
      nonEmpty('machine'),
    ]);
    return { agent_types, event_types, tool_names, models, projects, branches, sources: [...EVENT_SOURCES], people, machines };
  }

  costBreakdown(p: CostParams): Promise<QueryResult<'costBreakdown'>> {
    return teamCostBreakdown(this.store, { ...p, by: p.by as TeamCostGroup | 'session' }) as Promise<QueryResult<'costBreakdown'>>;
  }

  /** Tool-call rows as `queries/tools.ts` reads them: `[id, tool, 0 ok | 1 running | 2 failed, duration_ms, epoch hour]`. */
  private async toolRows(where: (q: Sql) => string[]): Promise<(number | string | null)[][]> {
    const q = new Sql();
    const clauses = ["event_type = 'tool_use'", 'tool_name IS NOT NULL', ...where(q)];
    const res = await this.pool.query<(number | string | null)[]>({
      text: `SELECT id, tool_name, CASE status WHEN 'running' THEN 1 WHEN 'error' THEN 2 WHEN 'timeout' THEN 2 ELSE 0 END, duration_ms, created_at / ${HOUR_MS}
             FROM am_events ${whereSql(clauses)}`,
      values: q.params,
      rowMode: 'array',
    });
    return res.rows.map((r) => r.map((v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v)));
  }

  async toolStats(p: ToolStatsParams): Promise<ToolStats> {
    return toolStatsOfRows(await this.toolRows((q) => eventClauses(q, p.filter)), p);
  }

  /** `queries/transcript.ts` sessionFamily: the session and its subagents (3 levels, 1000 at most), null when unknown. */
  private async family(sessionId: string): Promise<string[] | null> {
    if (!(await this.rows('SELECT 1 FROM am_sessions WHERE session_id = $1', [sessionId])).length) return null;
    const ids = [sessionId];
    let frontier = [sessionId];
    for (let depth = 0; depth < MAX_DEPTH && frontier.length && ids.length < MAX_FAMILY; depth++) {
      frontier = (await this.rows<{ session_id: string }>('SELECT session_id FROM am_sessions WHERE parent_session_id = ANY($1) LIMIT $2', [frontier, MAX_FAMILY]))
        .map((r) => r.session_id)
        .filter((id) => !ids.includes(id));
      ids.push(...frontier);
    }
    return ids;
  }

  async transcript(p: TranscriptParams): Promise<TranscriptPage | null> {
    const ids = await this.family(p.session_id);
    if (!ids) return null;
    const q = new Sql();
    const clauses = [q.bind('session_id = ANY(?)', ids)];
    if (p.after) clauses.push(q.bind('(created_at > ? OR (created_at = ? AND id > ?))', p.after[0], p.after[0], p.after[1]));
    const rows = await this.rows<TeamRecord>(
      `SELECT ${EVENT_COLUMNS.join(', ')} FROM am_events ${whereSql(clauses)} ORDER BY created_at ASC, id ASC LIMIT ${q.bind('?', transcriptLimit(p) + 1)}`,
      q.params,
    );
    return transcriptPage(rows, p);
  }

  async sessionTimeline(p: { session_id: string }): Promise<SessionTimeline | null> {
    const ids = await this.family(p.session_id);
    if (!ids) return null;
    const [span] = await this.rows<{ lo: number | null; hi: number | null }>('SELECT MIN(created_at) AS lo, MAX(created_at) AS hi FROM am_events WHERE session_id = ANY($1)', [ids]);
    const points: SessionTimeline['points'] = [];
    if (span.lo === null || span.hi === null) return { session_id: p.session_id, points };
    const width = Math.max(1, Math.ceil((span.hi - span.lo + 1) / TIMELINE_POINTS));
    let cost = 0;
    let tokens = 0;
    for (const r of await this.rows<{ at: number; cost: number; tokens: number }>(
      `SELECT MAX(created_at) AS at, COALESCE(SUM(cost_usd), 0) AS cost, SUM(tokens_in + tokens_out) AS tokens FROM am_events
       WHERE session_id = ANY($1) GROUP BY (created_at - $2) / $3 ORDER BY 1`,
      [ids, span.lo, width],
    )) {
      cost += r.cost;
      tokens += r.tokens;
      points.push({ at: new Date(r.at).toISOString(), cost_usd: cost, tokens });
    }
    return { session_id: p.session_id, points };
  }

  async pulse(p: PulseParams): Promise<Pulse> {
    const since = Math.floor(p.now / MINUTE_MS) * MINUTE_MS - (p.minutes - 1) * MINUTE_MS;
    const buckets = (
      await this.rows<{ m: number; n: number; c: number }>(
        `SELECT created_at / ${MINUTE_MS} AS m, COUNT(*) AS n, COALESCE(SUM(cost_usd), 0) AS c FROM am_events
         WHERE created_at >= $1 AND created_at < $2 GROUP BY m ORDER BY m`,
        [since, since + p.minutes * MINUTE_MS],
      )
    ).map((r) => ({ at: new Date(r.m * MINUTE_MS).toISOString(), events: r.n, cost_usd: r.c }));
    const [last] = await this.rows<{ id: number | null }>('SELECT MAX(id) AS id FROM am_events', []);
    return {
      generated_at: new Date(p.now).toISOString(),
      bucket_s: 60,
      since: new Date(since).toISOString(),
      buckets,
      last_event_id: last?.id ?? 0,
      idle_after_minutes: p.idle_after_minutes,
    };
  }
}

/** A stored event as the API answers it, with who sent it. */
export function teamEvent(r: TeamRecord): StoredEvent {
  return { ...recordToStoredEvent(r), person: r.person, ...(r.machine ? { machine: r.machine } : {}) };
}

function statusValues(c: StatusClock): number[] {
  return [c.now - c.endMs, c.now - c.idleMs];
}

function whereSql(clauses: string[]): string {
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}

function anyOf(q: Sql, clauses: string[], col: string, values: string[] | undefined): void {
  if (values?.length) clauses.push(q.bind(`${col} = ANY(?)`, values));
}

/** The filter of `queries/events.ts` eventFilterWhere on `am_events`, plus `person`. */
function eventClauses(q: Sql, f: EventQueryFilter): string[] {
  const clauses: string[] = [];
  for (const col of EVENT_LIST_COLUMNS) anyOf(q, clauses, col, f[col]);
  anyOf(q, clauses, 'person', f.person);
  anyOf(q, clauses, 'machine', f.machine);
  if (f.since != null) clauses.push(q.bind('created_at >= ?', f.since));
  if (f.until != null) clauses.push(q.bind('created_at < ?', f.until));
  return clauses;
}

/** `queries/sessions.ts` sortExpr in PostgreSQL. */
function sortExpr(key: NonNullable<ListSessionsParams['sort']>, c: StatusClock): { sql: string; values: unknown[] } {
  switch (key) {
    case 'project':
    case 'model':
      return { sql: `COALESCE(s.${key}, '') COLLATE "C"`, values: [] };
    case 'status':
      return { sql: `(CASE WHEN s.ended_at IS NOT NULL OR s.last_event_at < ? THEN 2 WHEN s.last_event_at < ? THEN 1 ELSE 0 END)`, values: statusValues(c) };
    case 'duration':
      return { sql: `GREATEST(0, COALESCE(s.ended_at, CASE WHEN s.last_event_at >= ? THEN ?::bigint ELSE s.last_event_at END) - s.started_at)`, values: [c.now - c.idleMs, c.now] };
    case 'tokens':
      return { sql: '(s.tokens_in + s.tokens_out + s.cache_read_tokens + s.cache_write_tokens)', values: [] };
    case 'session_id':
      return { sql: 's.session_id COLLATE "C"', values: [] };
    case 'agent_type':
    case 'started_at':
    case 'last_event_at':
    case 'event_count':
    case 'cost_usd':
      return { sql: `s.${key}`, values: [] };
    default: {
      const never: never = key;
      throw new Error(`unknown sort ${String(never)}`);
    }
  }
}
