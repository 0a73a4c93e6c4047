/**
 * Session queries: the list (filters, search, active-first, any column's order, keyset
 * pagination), the detail view, and `sessionsByIds` for `session_update` broadcasts. A session's
 * status is derived at query time from `now` and the idle/end thresholds: `ended` when `ended_at`
 * is set or it has been silent longer than the end threshold, `idle` when silent longer than the
 * idle threshold, else `active`. Its `state` (what the agent does now, `store/sessionState.ts`) ages
 * the same way: `ended` past the end threshold; a wait or an error stays until then; otherwise
 * `idle` past the idle threshold, else the stored state (`working` when none is stored).
 */
import type { EventStatus } from '../../contracts/events';
import type { AttentionList, ModelUsage, Session, SessionDetail, SessionSortKey, SessionState, SessionStatus, SessionsPage, SortDir } from '../../contracts/api';
import type { SqlValue } from 'sql.js';
import { contextWindowOf } from '../../contracts/contextWindow';
import type { SqlDb } from '../sqlDb';
import { recordChange, totalChanges } from '../changeLog';
import { encodeCursor } from './cursor';
import { whereSql } from './events';
import { toolStatsWhere } from './tools';

export interface StatusClock {
  now: number;
  idleMs: number;
  endMs: number;
}

type SessionRow = Omit<Session, 'started_at' | 'last_event_at' | 'ended_at' | 'unpriced_tokens' | 'last_tool_status' | 'state' | 'waiting_since' | 'context_window'> & {
  live_state: SessionState;
  waiting_since: number | null;
  started_at: number;
  last_event_at: number;
  ended_at: number | null;
  unpriced_tokens: number;
  last_tool_status: string | null;
  context_window: number | null;
};

/** SQL for the derived status; binds `[now - endMs, now - idleMs]`. */
const STATUS_SQL = `CASE WHEN s.ended_at IS NOT NULL OR s.last_event_at < ? THEN 'ended' WHEN s.last_event_at < ? THEN 'idle' ELSE 'active' END`;
const statusParams = (c: StatusClock): SqlValue[] => [c.now - c.endMs, c.now - c.idleMs];
/** SQL for the live state; binds `[now - endMs, now - idleMs]`. */
const STATE_SQL = `CASE WHEN s.ended_at IS NOT NULL OR s.last_event_at < ? OR s.state = 'ended' THEN 'ended'
  WHEN s.state IN ('waiting_permission', 'waiting_input', 'error') THEN s.state
  WHEN s.last_event_at < ? OR s.state = 'idle' THEN 'idle' ELSE 'working' END`;
const SESSION_SELECT = `SELECT s.*, ${STATUS_SQL} AS status, ${STATE_SQL} AS live_state FROM sessions s`;

const iso = (t: number) => new Date(t).toISOString();

export function rowToSession(r: SessionRow): Session {
  return {
    session_id: r.session_id,
    agent_type: r.agent_type,
    project: r.project,
    branch: r.branch,
    model: r.model,
    status: r.status,
    started_at: iso(r.started_at),
    last_event_at: iso(r.last_event_at),
    ended_at: r.ended_at === null ? null : iso(r.ended_at),
    event_count: r.event_count,
    tokens_in: r.tokens_in,
    tokens_out: r.tokens_out,
    cache_read_tokens: r.cache_read_tokens,
    cache_write_tokens: r.cache_write_tokens,
    cost_usd: r.cost_usd,
    unpriced_tokens: r.unpriced_tokens,
    parent_session_id: r.parent_session_id,
    last_tool: r.last_tool,
    last_tool_status: r.last_tool_status as EventStatus | null,
    last_event_type: r.last_event_type,
    transcript_path: r.transcript_path,
    state: r.live_state,
    waiting_since: r.waiting_since !== null && (r.live_state === 'waiting_permission' || r.live_state === 'waiting_input') ? iso(r.waiting_since) : null,
    waiting_message: r.live_state === 'waiting_permission' || r.live_state === 'waiting_input' || r.live_state === 'error' ? r.waiting_message : null,
    context_tokens: r.context_tokens ?? null,
    context_window: r.context_window ?? contextWindowOf(r.model),
  };
}

export const SESSIONS_CURSOR = 'sessions';

/** The cursor kind of a list order: a cursor of one order is refused by another. */
export function sessionsCursorKind(sort: SessionSortKey = 'last_event_at', dir: SortDir = 'desc'): string {
  return sort === 'last_event_at' && dir === 'desc' ? SESSIONS_CURSOR : `${SESSIONS_CURSOR}:${sort}:${dir}`;
}

/** The SQL value a list order sorts by, with its parameters (status and duration depend on the clock). */
function sortExpr(key: SessionSortKey, c: StatusClock): { sql: string; params: SqlValue[] } {
  switch (key) {
    case 'project':
    case 'model':
      return { sql: `COALESCE(s.${key}, '')`, params: [] };
    case 'status':
      return { sql: `(CASE WHEN s.ended_at IS NOT NULL OR s.last_event_at < ? THEN 2 WHEN s.last_event_at < ? THEN 1 ELSE 0 END)`, params: statusParams(c) };
    case 'duration':
      return { sql: `MAX(0, COALESCE(s.ended_at, CASE WHEN s.last_event_at >= ? THEN ? ELSE s.last_event_at END) - s.started_at)`, params: [c.now - c.idleMs, c.now] };
    case 'tokens':
      return { sql: '(s.tokens_in + s.tokens_out + s.cache_read_tokens + s.cache_write_tokens)', params: [] };
    case 'session_id':
    case 'agent_type':
    case 'started_at':
    case 'last_event_at':
    case 'event_count':
    case 'cost_usd':
      return { sql: `s.${key}`, params: [] };
    default: {
      const never: never = key;
      throw new Error(`unknown sort ${String(never)}`);
    }
  }
}

export interface ListSessionsParams extends StatusClock {
  agent_type?: string[];
  project?: string[];
  /** Who sent the events: answered by a team store only (`team/pgRead.ts`); the local routes refuse it. */
  person?: string[];
  /** The machine the session came from: a team store only, as `person`. */
  machine?: string[];
  status?: SessionStatus[];
  /** Substring of session id, project, branch or model (case-insensitive). */
  q?: string;
  /** Only sessions active at or after this time (epoch ms). */
  since?: number | null;
  /** Only sessions of this parent (subagents); `''` for top-level sessions only. */
  parent_session_id?: string;
  /** Cost bounds in USD, inclusive. */
  min_cost?: number | null;
  max_cost?: number | null;
  /** Top-level sessions only (no parent, or a parent not stored), each with its count of subagents. */
  nest?: boolean;
  /** Active sessions before idle/ended ones. */
  active_first?: boolean;
  /** Order within the active-first rank (default `last_event_at`, `desc`). */
  sort?: SessionSortKey;
  dir?: SortDir;
  limit: number;
  /** From the cursor: `[rank, sort value, session_id]` of the last row of the previous page. */
  after?: [number, number | string, string] | null;
}

function listParam(col: string, values: string[] | undefined, clauses: string[], params: SqlValue[]): void {
  if (!values || !values.length) return;
  clauses.push(`${col} IN (SELECT value FROM json_each(?))`);
  params.push(JSON.stringify(values));
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function selectSessions(db: SqlDb, clock: StatusClock, where: string[], params: SqlValue[], tail: string, tailParams: SqlValue[] = []): SessionRow[] {
  return db.all<SessionRow>(`${SESSION_SELECT} ${whereSql(where)} ${tail}`, [...statusParams(clock), ...statusParams(clock), ...params, ...tailParams]);
}

export type AttentionParams = StatusClock & { agent_type?: string[]; project?: string[]; /** Team store only (see ListSessionsParams). */ person?: string[]; limit: number };

export const queries = {
  listSessions(db: SqlDb, p: ListSessionsParams): SessionsPage {
    const clauses: string[] = [];
    const params: SqlValue[] = [];
    listParam('s.agent_type', p.agent_type, clauses, params);
    listParam('s.project', p.project, clauses, params);
    if (p.status && p.status.length) {
      clauses.push(`(${STATUS_SQL}) IN (SELECT value FROM json_each(?))`);
      params.push(...statusParams(p), JSON.stringify(p.status));
    }
    if (p.q) {
      clauses.push(`(${['session_id', 'project', 'branch', 'model'].map((c) => `s.${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
      const pat = likePattern(p.q);
      params.push(pat, pat, pat, pat);
    }
    if (p.since != null) {
      clauses.push('s.last_event_at >= ?');
      params.push(p.since);
    }
    if (p.parent_session_id !== undefined) {
      if (p.parent_session_id === '') clauses.push('s.parent_session_id IS NULL');
      else {
        clauses.push('s.parent_session_id = ?');
        params.push(p.parent_session_id);
      }
    }
    if (p.min_cost != null) {
      clauses.push('s.cost_usd >= ?');
      params.push(p.min_cost);
    }
    if (p.max_cost != null) {
      clauses.push('s.cost_usd <= ?');
      params.push(p.max_cost);
    }
    if (p.nest) clauses.push('(s.parent_session_id IS NULL OR NOT EXISTS (SELECT 1 FROM sessions ps WHERE ps.session_id = s.parent_session_id))');
    const subagents = p.nest ? ', (SELECT COUNT(*) FROM sessions cs WHERE cs.parent_session_id = s.session_id) AS subagents' : '';
    // rank 0 sorts first: active sessions when active_first is set, everything otherwise.
    const rankSql = p.active_first ? `(CASE WHEN s.ended_at IS NULL AND s.last_event_at >= ? THEN 0 ELSE 1 END)` : '0';
    const rankParams: SqlValue[] = p.active_first ? [p.now - p.idleMs] : [];
    const sort = sortExpr(p.sort ?? 'last_event_at', p);
    const desc = (p.dir ?? 'desc') === 'desc';
    const cmp = desc ? '<' : '>';
    if (p.after) {
      const [rank, v, sid] = p.after;
      clauses.push(`(${rankSql} > ? OR (${rankSql} = ? AND (${sort.sql} ${cmp} ? OR (${sort.sql} = ? AND s.session_id ${cmp} ?))))`);
      params.push(...rankParams, rank, ...rankParams, rank, ...sort.params, v, ...sort.params, v, sid);
    }
    const limit = Math.max(1, Math.min(1000, Math.floor(p.limit)));
    const dir = desc ? 'DESC' : 'ASC';
    const rows = db.all<SessionRow & { rank: number; sort_value: number | string; subagents?: number }>(
      `SELECT s.*, ${STATUS_SQL} AS status, ${STATE_SQL} AS live_state, ${rankSql} AS rank, ${sort.sql} AS sort_value${subagents} FROM sessions s ${whereSql(clauses)}
       ORDER BY rank ASC, sort_value ${dir}, s.session_id ${dir} LIMIT ?`,
      [...statusParams(p), ...statusParams(p), ...rankParams, ...sort.params, ...params, limit + 1],
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      sessions: p.nest ? page.map((r) => ({ ...rowToSession(r), subagents: r.subagents ?? 0 })) : page.map(rowToSession),
      next_cursor: more ? encodeCursor(sessionsCursorKind(p.sort, p.dir), [last.rank, last.sort_value, last.session_id, p.now]) : null,
    };
  },

  recordContext,

  sessionsByIds(db: SqlDb, p: StatusClock & { ids: string[] }): Session[] {
    if (!p.ids.length) return [];
    const out: Session[] = [];
    for (let i = 0; i < p.ids.length; i += 500) {
      const rows = selectSessions(db, p, ['s.session_id IN (SELECT value FROM json_each(?))'], [JSON.stringify(p.ids.slice(i, i + 500))], '');
      out.push(...rows.map(rowToSession));
    }
    return out;
  },

  /** Sessions whose agent waits for the user, longest waiting first. */
  attention(db: SqlDb, p: AttentionParams): AttentionList {
    const clauses = [`s.waiting_since IS NOT NULL`, `s.state IN ('waiting_permission', 'waiting_input')`, 's.ended_at IS NULL', 's.last_event_at >= ?'];
    const params: SqlValue[] = [p.now - p.endMs];
    listParam('s.agent_type', p.agent_type, clauses, params);
    listParam('s.project', p.project, clauses, params);
    const rows = selectSessions(db, p, clauses, params, 'ORDER BY s.waiting_since ASC, s.session_id ASC LIMIT ?', [Math.max(1, Math.min(500, Math.floor(p.limit)))]);
    return { sessions: rows.map(rowToSession) };
  },

  sessionDetail(db: SqlDb, p: StatusClock & { session_id: string }): SessionDetail | null {
    const row = selectSessions(db, p, ['s.session_id = ?'], [p.session_id], '')[0];
    if (!row) return null;
    const models = db
      .all<Omit<ModelUsage, 'priced'> & { unpriced: number }>(
        `SELECT COALESCE(model, '') AS model, COUNT(*) AS requests,
           SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out, SUM(cache_read_tokens) AS cache_read_tokens,
           SUM(cache_write_tokens) AS cache_write_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
           SUM(CASE WHEN cost_source = 'unpriced' THEN tokens_in + tokens_out + cache_read_tokens + cache_write_tokens ELSE 0 END) AS unpriced_tokens,
           SUM(cost_source = 'unpriced') AS unpriced,
           CASE WHEN COUNT(DISTINCT cost_source) > 1 THEN 'mixed' ELSE MIN(cost_source) END AS cost_source
         FROM events WHERE session_id = ? AND tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0
         GROUP BY COALESCE(model, '') ORDER BY cost_usd DESC, model`,
        [p.session_id],
      )
      .map(({ unpriced, ...m }) => ({ ...m, priced: unpriced === 0 }));
    const { tools } = toolStatsWhere(db, ['e.session_id = ?'], [p.session_id]);
    const children = selectSessions(db, p, ['s.parent_session_id = ?'], [p.session_id], 'ORDER BY s.started_at ASC LIMIT 500');
    return { session: rowToSession(row), models, tools, children: children.map(rowToSession) };
  },
};

/** How full a session's context is, as its agent reports it (Claude Code's status line). */
export interface ReportedContext {
  session_id: string;
  tokens: number;
  /** The window the agent reports, or null to keep the model's. */
  window: number | null;
  /** When it was reported (epoch ms): a model request stored later with a newer time replaces the tokens. */
  at: number;
}

/**
 * Store a reported context on its session (not journaled: the status line reports it again after
 * the next message), logged as touching that session (`changeLog.ts`). `unknown`: no such session
 * yet; `same`: nothing changed (or a newer model request is stored).
 */
function recordContext(db: SqlDb, p: ReportedContext): 'changed' | 'same' | 'unknown' {
  const before = totalChanges(db);
  const n = db.run(
    `UPDATE sessions SET context_tokens = ?, context_window = COALESCE(?, context_window), context_at = ?
     WHERE session_id = ? AND (context_at IS NULL OR context_at <= ?)
       AND (context_tokens IS NOT ? OR context_window IS NOT COALESCE(?, context_window))`,
    [p.tokens, p.window, p.at, p.session_id, p.at, p.tokens, p.window],
  );
  recordChange(db, before, totalChanges(db), { sessions: [p.session_id] });
  if (n) return 'changed';
  return db.get('SELECT 1 AS x FROM sessions WHERE session_id = ?', [p.session_id]) ? 'same' : 'unknown';
}

export const writeQueries = { recordContext: ['sessions'] } as const;
