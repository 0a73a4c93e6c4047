/**
 * The read side of the API (DESIGN §5): `GET /api/events`, `/api/stats`, `/api/stats/cost`,
 * `/api/stats/tools`, `/api/stats/pulse`, `/api/sessions`, `/api/sessions/:id`, `/api/sessions/:id/transcript`,
 * `/api/sessions/:id/timeline`,
 * `/api/attention` (sessions waiting for the user),
 * `/api/filter-options`. Parameters are parsed here (a bad one is a 400 naming it); the numbers
 * are computed by the store's named queries.
 */
import type { Request, Router } from 'express';
import { EVENT_ORDERS, type SessionStatus } from '../../contracts/api';
import type { ReadContext, ServerContext } from '../context';
import { apiGet } from './apiGet';
import { decodeCursor } from '../../store/queries/cursor';
import { COST_GROUPS, type CostGroup } from '../../store/queries/cost';
import { EVENTS_BY_TIME_CURSOR, EVENTS_CURSOR } from '../../store/queries/events';
import { sessionsCursorKind } from '../../store/queries/sessions';
import { statsParams } from '../../store/queries/stats';
import type { QueryParams, QueryResult } from '../../store/queries/registry';
import { TRANSCRIPT_CURSOR } from '../../store/queries/transcript';
import { VIEW_DEFAULT_REQUESTS } from '../../contracts/webview';
import { addDays, localTimeZone, startOfDay } from '../../zonedTime';
import { bool, filterLists, int, list, oneOf, QueryParamError, sessionSort, single, timeRange, timeZone, type Query } from '../queryParams';

const SESSION_STATUSES: readonly SessionStatus[] = ['active', 'idle', 'ended'];
const DAY_MS = 86_400_000;
/** Longest an unchanged aggregate is served from cache (answers with open ranges age with the clock). */
const AGGREGATE_TTL_MS = 10_000;

function cursor(q: Query, kind: string, arity: number): (string | number | null)[] | null {
  const c = single(q, 'cursor');
  if (c === undefined) return null;
  const v = decodeCursor(kind, c, arity);
  if (!v) throw new QueryParamError('cursor', 'cursor is not valid here (pass next_cursor from the previous page unchanged)');
  return v;
}

function clock(ctx: ReadContext, now = Date.now()) {
  return { now, idleMs: ctx.config.idleAfterMinutes * 60_000, endMs: ctx.config.endAfterMinutes * 60_000 };
}

function sessionId(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!id || id.length > 256) throw new QueryParamError('id', 'session id must be 1 to 256 characters');
  return id;
}

/** Bounds the rows one `GET /api/events?offset=` may skip (deeper pages: follow `next_cursor`). */
const MAX_EVENTS_OFFSET = 100_000;

/**
 * `person` (who sent the events): a filter only a team server's store can answer (it knows each
 * event's person); a local server refuses it rather than answer as if it had filtered.
 */
function person(ctx: ReadContext, q: Query, key: 'person' | 'machine' = 'person'): string[] | undefined {
  const v = list(q, key);
  if (v && !ctx.people) throw new QueryParamError(key, `${key} filters need a team server (serve --database-url); this server keeps one machine's events`);
  return v;
}

function eventListParams(ctx: ReadContext, q: Query): QueryParams<'listEvents'> {
  const order = oneOf(q, 'order', EVENT_ORDERS, 'id');
  const c = order === 'created_at' ? cursor(q, EVENTS_BY_TIME_CURSOR, 2) : cursor(q, EVENTS_CURSOR, 1);
  return {
    filter: { ...filterLists(q), ...timeRange(q, timeZone(q)), person: person(ctx, q), machine: person(ctx, q, 'machine') },
    order,
    before_id: c ? Number(c[c.length - 1]) : null,
    before_at: c && order === 'created_at' ? Number(c[0]) : null,
    after_id: q.after_id === undefined ? null : int(q, 'after_id', 0, Number.MAX_SAFE_INTEGER, 0),
    offset: int(q, 'offset', 0, MAX_EVENTS_OFFSET, 0),
    limit: int(q, 'limit', 1, 1000, 100),
  };
}

/** A cost bound in USD (`min_cost`, `max_cost`): a number from 0, or undefined. */
function usd(q: Query, field: string): number | undefined {
  const v = single(q, field);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n)) throw new QueryParamError(field, `${field} must be an amount in USD such as 2.5, got "${v}"`);
  return n;
}

function sessionListParams(ctx: ReadContext, q: Query): QueryParams<'listSessions'> {
  const status = list(q, 'status');
  const bad = status?.find((s) => !(SESSION_STATUSES as readonly string[]).includes(s));
  if (bad) throw new QueryParamError('status', `status must be active, idle or ended, got "${bad}"`);
  const order = sessionSort(q);
  const c = cursor(q, sessionsCursorKind(order.sort, order.dir), 4);
  return {
    ...clock(ctx, c ? Number(c[3]) : Date.now()),
    agent_type: list(q, 'agent_type'),
    project: list(q, 'project'),
    person: person(ctx, q),
    machine: person(ctx, q, 'machine'),
    status: status as SessionStatus[] | undefined,
    q: single(q, 'q'),
    since: timeRange(q, timeZone(q)).since,
    parent_session_id: q.parent_session_id === undefined ? undefined : (single(q, 'parent_session_id') ?? ''),
    min_cost: usd(q, 'min_cost'),
    max_cost: usd(q, 'max_cost'),
    nest: bool(q, 'nest', false),
    active_first: bool(q, 'active_first', false),
    ...order,
    limit: int(q, 'limit', 1, 1000, 50),
    after: c ? [Number(c[0]), typeof c[1] === 'string' ? c[1] : Number(c[1]), String(c[2])] : null,
  };
}

/** The overview's numbers in `tz`, kept a second (every dashboard and the SSE stats ask them). */
function statsAnswer(ctx: ReadContext, tz: string): Promise<QueryResult<'stats'>> {
  return ctx.cached(`stats:${tz}`, 1000, () => ctx.store.query('stats', statsParams(ctx.config, tz)));
}

function costParams(ctx: ReadContext, q: Query): QueryParams<'costBreakdown'> {
  const tz = timeZone(q);
  // `by=person` is answered by a team store only; the local store's groups are COST_GROUPS.
  const by = oneOf<CostGroup | 'person'>(q, 'by', ctx.people ? [...COST_GROUPS, 'person'] : COST_GROUPS, 'day') as CostGroup;
  const stack = oneOf(q, 'stack', ['none', 'model'] as const, 'none');
  if (stack === 'model' && by !== 'day') throw new QueryParamError('stack', 'stack=model needs by=day');
  return {
    by,
    tz,
    ...timeRange(q, tz),
    stack_model: stack === 'model',
    agent_type: list(q, 'agent_type'),
    project: list(q, 'project'),
    model: list(q, 'model'),
    person: person(ctx, q),
    limit: int(q, 'limit', 1, 10_000, 1000),
  };
}

function toolParams(ctx: ReadContext, q: Query): QueryParams<'toolStats'> {
  const tz = timeZone(q);
  const range = timeRange(q, tz);
  const span = (range.until ?? Date.now()) - (range.since ?? 0);
  const bucket = oneOf(q, 'bucket', ['hour', 'day'] as const, span <= 2 * DAY_MS ? 'hour' : 'day');
  const { agent_type, session_id, project, model, tool_name, source } = filterLists(q);
  return { filter: { agent_type, session_id, project, model, tool_name, source, ...range, person: person(ctx, q) }, bucket, tz };
}

/** Local midnight `days - 1` days before today in `tz`, as the dashboard's period picker sends it. */
function periodSince(days: number, tz: string): string {
  return new Date(addDays(startOfDay(Date.now(), tz), -(days - 1), tz)).toISOString();
}

/** The store cache's key of a heavy aggregate: its name and parsed params. */
function cacheKey(name: string, params: unknown): string {
  return `${name}:${JSON.stringify(params)}`;
}

/**
 * Heavy aggregates answered from the store's cache while nothing was written (a dashboard re-fetches
 * them on every view switch; several windows ask the same), keyed by their params.
 */
function cachedQuery<K extends 'costBreakdown' | 'toolStats'>(ctx: ReadContext, name: K, params: QueryParams<K>): Promise<QueryResult<K>> {
  return ctx.cached(cacheKey(name, params), AGGREGATE_TTL_MS, () => ctx.store.query(name, params));
}

/** A view's question: answered through the cache, and kept ready by the warmer from now on. */
function viewAnswer<K extends 'costBreakdown' | 'toolStats'>(ctx: ReadContext, name: K, params: QueryParams<K>): Promise<QueryResult<K>> {
  const compute = () => cachedQuery(ctx, name, params);
  ctx.warmer.want(cacheKey(name, params), compute);
  return compute();
}

/** What the Costs and Tools views ask first in `tz`, parsed exactly as their own requests are. */
function viewDefaults(ctx: ReadContext, tz: string): [string, () => Promise<unknown>][] {
  const { costs, tools } = VIEW_DEFAULT_REQUESTS;
  const asked = (days: number, q: Record<string, string | number>): Query => ({
    since: periodSince(days, tz),
    tz,
    ...Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])),
  });
  return [
    ...costs.queries.map((q): [string, () => Promise<unknown>] => {
      const params = costParams(ctx, asked(costs.days, q));
      return [cacheKey('costBreakdown', params), () => cachedQuery(ctx, 'costBreakdown', params)];
    }),
    ...tools.queries.map((q): [string, () => Promise<unknown>] => {
      const params = toolParams(ctx, asked(tools.days, q));
      return [cacheKey('toolStats', params), () => cachedQuery(ctx, 'toolStats', params)];
    }),
  ];
}

/**
 * On a large database (`warmUpAtStartEvents`), a dashboard's first questions, asked before the
 * server listens, in the server's zone (a local dashboard's, as a rule): the store's first reads of
 * a range and the code paths' first runs take 0.1-1 s each on 1M events when they compete with a
 * page loading, and the page's own requests would wait behind them. Here they run alone (about
 * 0.8 s in all on 1M events, after a 3.2 s load), so the first page and the first look at any view
 * find them done. Stops after `maxMs`.
 */
export async function warmViewsBeforeListening(server: ServerContext, maxMs = 5000): Promise<void> {
  const opened = server.core.store.stats.open;
  if (!opened || opened.events < server.config.warmUpAtStartEvents) return;
  const ctx = readContext(server);
  const tz = localTimeZone();
  const views = viewDefaults(ctx, tz);
  // What a page asks as it starts (DASHBOARD_STARTUP_REQUESTS) and the Sessions list, then the views.
  await server.warmer.runNow(
    [
      () => statsAnswer(ctx, tz),
      () => ctx.store.query('listSessions', sessionListParams(ctx, { status: 'active,idle', limit: '50' })),
      () => ctx.store.query('listEvents', eventListParams(ctx, { limit: '200', order: 'created_at' })),
      () => ctx.store.query('listSessions', sessionListParams(ctx, { nest: 'true', limit: '50' })),
      ...views.map(([, compute]) => compute),
    ],
    maxMs,
  );
  // Computed just now: the overview's first request must not start them again.
  for (const [key, compute] of views) ctx.warmer.want(key, compute, true);
}

/** The local server's read context: its store, the store's answer cache and the warmer. */
function readContext(ctx: ServerContext): ReadContext {
  return { config: ctx.config, store: ctx.store, cached: (key, ttlMs, compute) => ctx.core.store.cached(key, ttlMs, compute), warmer: ctx.warmer, people: false };
}

export function register(router: Router, ctx: ServerContext): void {
  registerReads(router, readContext(ctx));
}

/** The read routes over any store that answers the named queries (the local one, or a team server's `team/pgRead.ts`). */
export function registerReads(router: Router, ctx: ReadContext): void {
  apiGet(router, '/api/events', async (req, res) => {
    res.json(await ctx.store.query('listEvents', eventListParams(ctx, req.query as Query)));
  });

  apiGet(router, '/api/stats', async (req, res) => {
    const tz = timeZone(req.query as Query);
    res.json(await statsAnswer(ctx, tz));
    // A dashboard opened the overview: its Costs and Tools views' first questions are kept ready.
    for (const [key, compute] of viewDefaults(ctx, tz)) ctx.warmer.want(key, compute);
  });

  apiGet(router, '/api/stats/cost', async (req, res) => {
    res.json(await viewAnswer(ctx, 'costBreakdown', costParams(ctx, req.query as Query)));
  });

  apiGet(router, '/api/stats/tools', async (req, res) => {
    res.json(await viewAnswer(ctx, 'toolStats', toolParams(ctx, req.query as Query)));
  });

  apiGet(router, '/api/stats/pulse', async (req, res) => {
    const minutes = int(req.query as Query, 'minutes', 1, 360, 60);
    res.json(await ctx.store.query('pulse', { now: Date.now(), minutes, idle_after_minutes: ctx.config.idleAfterMinutes }));
  });

  apiGet(router, '/api/sessions', async (req, res) => {
    res.json(await ctx.store.query('listSessions', sessionListParams(ctx, req.query as Query)));
  });

  apiGet(router, '/api/attention', async (req, res) => {
    const q = req.query as Query;
    res.json(await ctx.store.query('attention', { ...clock(ctx), agent_type: list(q, 'agent_type'), project: list(q, 'project'), person: person(ctx, q), limit: int(q, 'limit', 1, 500, 100) }));
  });

  apiGet(router, '/api/sessions/:id', async (req, res) => {
    const detail = await ctx.store.query('sessionDetail', { ...clock(ctx), session_id: sessionId(req) });
    if (!detail) {
      res.status(404).json({ error: `no session with id "${req.params.id}"` });
      return;
    }
    res.json(detail);
  });

  apiGet(router, '/api/sessions/:id/transcript', async (req, res) => {
    const q = req.query as Query;
    const c = cursor(q, TRANSCRIPT_CURSOR, 2);
    const page = await ctx.store.query('transcript', {
      session_id: sessionId(req),
      limit: int(q, 'limit', 1, 1000, 200),
      after: c ? [Number(c[0]), Number(c[1])] : null,
    });
    if (!page) {
      res.status(404).json({ error: `no session with id "${req.params.id}"` });
      return;
    }
    res.json(page);
  });

  apiGet(router, '/api/sessions/:id/timeline', async (req, res) => {
    const timeline = await ctx.store.query('sessionTimeline', { session_id: sessionId(req) });
    if (!timeline) {
      res.status(404).json({ error: `no session with id "${req.params.id}"` });
      return;
    }
    res.json(timeline);
  });

  apiGet(router, '/api/filter-options', async (_req, res) => {
    res.json(await ctx.store.query('filterOptions', {}));
  });
}
