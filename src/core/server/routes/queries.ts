/**
 * The read side of the API (DESIGN §5): `GET /api/events`, `/api/stats`, `/api/stats/cost`,
 * `/api/stats/tools`, `/api/stats/pulse`, `/api/sessions`, `/api/sessions/:id`, `/api/sessions/:id/transcript`,
 * `/api/filter-options`. Parameters are parsed here (a bad one is a 400 naming it); the numbers
 * are computed by the store's named queries.
 */
import type { Request, Response, Router } from 'express';
import type { SessionStatus } from '../../contracts/api';
import type { ServerContext } from '../context';
import { decodeCursor } from '../../store/queries/cursor';
import { COST_GROUPS } from '../../store/queries/cost';
import { EVENTS_CURSOR } from '../../store/queries/events';
import { sessionsCursorKind } from '../../store/queries/sessions';
import { statsParams } from '../../store/queries/stats';
import type { QueryParams, QueryResult } from '../../store/queries/registry';
import { TRANSCRIPT_CURSOR } from '../../store/queries/transcript';
import { addDays, localTimeZone, startOfDay } from '../../zonedTime';
import { bool, filterLists, int, list, oneOf, QueryParamError, sendParamError, sessionSort, single, timeRange, timeZone, type Query } from '../queryParams';

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

function clock(ctx: ServerContext, now = Date.now()) {
  return { now, idleMs: ctx.config.idleAfterMinutes * 60_000, endMs: ctx.config.endAfterMinutes * 60_000 };
}

function sessionId(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!id || id.length > 256) throw new QueryParamError('id', 'session id must be 1 to 256 characters');
  return id;
}

/** Wrap a handler: parameter errors become 400, other errors go to the app's error handler. */
function handle(fn: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response, next: (e: unknown) => void) => {
    try {
      await fn(req, res);
    } catch (e) {
      if (e instanceof QueryParamError) sendParamError(res, e);
      else next(e);
    }
  };
}

/** Bounds the rows one `GET /api/events?offset=` may skip (deeper pages: follow `next_cursor`). */
const MAX_EVENTS_OFFSET = 100_000;

function eventListParams(q: Query): QueryParams<'listEvents'> {
  const c = cursor(q, EVENTS_CURSOR, 1);
  return {
    filter: { ...filterLists(q), ...timeRange(q, timeZone(q)) },
    before_id: c ? Number(c[0]) : null,
    offset: int(q, 'offset', 0, MAX_EVENTS_OFFSET, 0),
    limit: int(q, 'limit', 1, 1000, 100),
  };
}

function sessionListParams(ctx: ServerContext, q: Query): QueryParams<'listSessions'> {
  const status = list(q, 'status');
  const bad = status?.find((s) => !(SESSION_STATUSES as readonly string[]).includes(s));
  if (bad) throw new QueryParamError('status', `status must be active, idle or ended, got "${bad}"`);
  const order = sessionSort(q);
  const c = cursor(q, sessionsCursorKind(order.sort, order.dir), 4);
  return {
    ...clock(ctx, c ? Number(c[3]) : Date.now()),
    agent_type: list(q, 'agent_type'),
    project: list(q, 'project'),
    status: status as SessionStatus[] | undefined,
    q: single(q, 'q'),
    since: timeRange(q, timeZone(q)).since,
    parent_session_id: q.parent_session_id === undefined ? undefined : (single(q, 'parent_session_id') ?? ''),
    active_first: bool(q, 'active_first', false),
    ...order,
    limit: int(q, 'limit', 1, 1000, 50),
    after: c ? [Number(c[0]), typeof c[1] === 'string' ? c[1] : Number(c[1]), String(c[2])] : null,
  };
}

/** The overview's numbers in `tz`, kept a second (every dashboard and the SSE stats ask them). */
function statsAnswer(ctx: ServerContext, tz: string): Promise<QueryResult<'stats'>> {
  const store = ctx.core?.store;
  const compute = () => ctx.store.query('stats', statsParams(ctx.config, tz));
  return store ? store.cached(`stats:${tz}`, 1000, compute) : compute();
}

function costParams(q: Query): QueryParams<'costBreakdown'> {
  const tz = timeZone(q);
  const by = oneOf(q, 'by', COST_GROUPS, 'day');
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
    limit: int(q, 'limit', 1, 10_000, 1000),
  };
}

function toolParams(q: Query): QueryParams<'toolStats'> {
  const tz = timeZone(q);
  const range = timeRange(q, tz);
  const span = (range.until ?? Date.now()) - (range.since ?? 0);
  const bucket = oneOf(q, 'bucket', ['hour', 'day'] as const, span <= 2 * DAY_MS ? 'hour' : 'day');
  const { agent_type, session_id, project, model, tool_name, source } = filterLists(q);
  return { filter: { agent_type, session_id, project, model, tool_name, source, ...range }, bucket, tz };
}

/** Local midnight `days - 1` days before today in `tz`, as the dashboard's period picker sends it. */
function periodSince(days: number, tz: string): string {
  return new Date(addDays(startOfDay(Date.now(), tz), -(days - 1), tz)).toISOString();
}

/**
 * What the dashboard's Costs and Tools views ask first (default periods, no filters), exactly as
 * their requests are parsed, so that a request arriving while its warm-up runs joins it.
 */
function warmUpQueries(tz: string): [('costBreakdown' | 'toolStats'), Query][] {
  const since = periodSince(30, tz);
  return [
    ['costBreakdown', { since, tz, by: 'day', stack: 'model' }],
    ['costBreakdown', { since, tz, by: 'model' }],
    ['costBreakdown', { since, tz, by: 'project' }],
    ['costBreakdown', { since, tz, by: 'session', limit: '50' }],
    ['toolStats', { since: periodSince(7, tz), tz, bucket: 'hour' }],
  ];
}

const WARM_UP_EVERY_MS = 10 * 60_000;
/** Quiet time (no API request) before each warm-up query, and how long to wait for it at most. */
const WARM_UP_IDLE_MS = 1000;
const WARM_UP_GIVE_UP_MS = 60_000;
/** Views' answers kept computed after writes: how long after the view last asked, how many, quiet time first. */
const KEEP_WARM_FOR_MS = 10 * 60_000;
const KEEP_WARM_MAX = 8;
const KEEP_WARM_QUIET_MS = 500;
/** At most one keep-warm pass this often: under a steady stream of writes a pass after each is mostly waste. */
const KEEP_WARM_EVERY_MS = 2000;

/** The store cache's key of a heavy aggregate: its name and parsed params. */
function cacheKey(name: string, params: unknown): string {
  return `${name}:${JSON.stringify(params)}`;
}

/**
 * Heavy aggregates answered from the store's cache while nothing was written (a dashboard re-fetches
 * them on every view switch; several windows ask the same), keyed by their params.
 */
function cachedQuery<K extends 'costBreakdown' | 'toolStats'>(ctx: ServerContext, name: K, params: QueryParams<K>): Promise<QueryResult<K>> {
  const store = ctx.core?.store;
  const compute = () => ctx.store.query(name, params);
  return store ? store.cached(cacheKey(name, params), AGGREGATE_TTL_MS, compute) : compute();
}

/** One warm-up query, parsed exactly as the view's own request. */
function warmUpQuery(ctx: ServerContext, [name, q]: ReturnType<typeof warmUpQueries>[number]): Promise<unknown> {
  return name === 'costBreakdown' ? cachedQuery(ctx, name, costParams(q)) : cachedQuery(ctx, name, toolParams(q));
}

/** When each server last warmed the views, per zone. */
const warmedAt = new WeakMap<ServerContext, Map<string, number>>();
const warmedFor = (ctx: ServerContext) => warmedAt.get(ctx) ?? warmedAt.set(ctx, new Map()).get(ctx)!;

/**
 * On a large database (`warmUpAtStartEvents`), a dashboard's first questions, asked before the
 * server listens, in the server's zone (a local dashboard's, as a rule): the store's first reads of
 * a range and the code paths' first runs take 0.1-1 s each on 1M events when they compete with a
 * page loading, and the page's own requests would wait behind them. Here they run alone (about
 * 0.8 s in all on 1M events, after a 3.2 s load), so the first page and the first look at any view
 * find them done. Stops after `maxMs`; failures are left to the real requests.
 */
export async function warmViewsBeforeListening(ctx: ServerContext, maxMs = 5000): Promise<void> {
  const opened = ctx.core?.store.stats.open;
  if (!opened || opened.events < ctx.config.warmUpAtStartEvents) return;
  const tz = localTimeZone();
  const until = Date.now() + maxMs;
  warmedFor(ctx).set(tz, Date.now());
  // What a page asks as it starts (DASHBOARD_STARTUP_REQUESTS) and the Sessions list, then the views.
  const steps: (() => Promise<unknown>)[] = [
    () => statsAnswer(ctx, tz),
    () => ctx.store.query('listSessions', sessionListParams(ctx, { status: 'active,idle', limit: '50' })),
    () => ctx.store.query('listEvents', eventListParams({ limit: '200' })),
    () => ctx.store.query('listSessions', sessionListParams(ctx, { limit: '50' })),
    ...warmUpQueries(tz).map((w) => () => warmUpQuery(ctx, w)),
  ];
  try {
    for (const step of steps) {
      if (Date.now() > until) return;
      await step();
    }
  } catch {
    /* the request itself reports it */
  }
}

export function register(router: Router, ctx: ServerContext): void {
  /**
   * A dashboard (or the editor's cost ticker) has asked for the overview (`/api/stats` with its
   * zone): compute, one after another, what the dashboard's heavier views ask first, so that the
   * store's first reads of a range and the code paths' first runs happen while the user looks at
   * the overview, not on the first switch. The rows read stay in the store worker, patched after
   * writes (`memoRows.ts`). At most once per zone every ten minutes, each query only after a second
   * without API requests; failures are ignored (the real request reports them).
   */
  const warmed = warmedFor(ctx);
  let lastRequestAt = 0;
  router.use('/api', (_req, _res, next) => {
    lastRequestAt = Date.now();
    next();
  });
  const quietFor = (ms: number) => Date.now() - lastRequestAt >= ms;
  /** Resolves once no API request has come for `WARM_UP_IDLE_MS`; false if that never happens. */
  const idle = async (): Promise<boolean> => {
    const giveUpAt = Date.now() + WARM_UP_GIVE_UP_MS;
    while (!quietFor(WARM_UP_IDLE_MS)) {
      if (Date.now() > giveUpAt) return false;
      await new Promise((r) => setTimeout(r, WARM_UP_IDLE_MS / 4).unref());
    }
    return true;
  };
  const warmUp = (tz: string): void => {
    if (!ctx.core?.store || Date.now() - (warmed.get(tz) ?? -Infinity) < WARM_UP_EVERY_MS) return;
    warmed.set(tz, Date.now());
    const run = async () => {
      for (const w of warmUpQueries(tz)) {
        // Only while the dashboard is idle: a user's own request never waits behind a warm-up.
        if (!(await idle())) return;
        try {
          await warmUpQuery(ctx, w);
        } catch {
          return;
        }
      }
    };
    void run();
  };
  /**
   * Answers a dashboard's Costs or Tools view asked for in the last ten minutes are computed again
   * after writes, once the API has been quiet for half a second, while a client is connected, at
   * most every two seconds: with agents writing, a switch back to the view finds its answer ready
   * (or nearly) instead of starting it. The kept rows are patched, not re-read (`memoRows.ts`), so
   * each costs 5-40 ms on 1M events (a 30-day Tools answer more); a pass after every write of a
   * 500 events/s stream cut the ingest rate by a tenth.
   */
  const viewed = new Map<string, { at: number; compute: () => Promise<unknown> }>();
  let keptGen = -1;
  let keptAt = 0;
  let keeping = false;
  let keepTimer: NodeJS.Timeout | null = null;
  const keepWarm = async (): Promise<void> => {
    const store = ctx.core?.store;
    for (const [k, v] of viewed) if (Date.now() - v.at > KEEP_WARM_FOR_MS) viewed.delete(k);
    if (!store || !viewed.size) {
      if (keepTimer) clearInterval(keepTimer);
      keepTimer = null;
      return;
    }
    if (keeping || store.generation === keptGen || ctx.sse.clientCount() === 0 || !quietFor(KEEP_WARM_QUIET_MS)) return;
    if (Date.now() - keptAt < KEEP_WARM_EVERY_MS) return;
    keeping = true;
    keptAt = Date.now();
    const gen = store.generation;
    try {
      for (const v of [...viewed.values()].sort((a, b) => b.at - a.at)) {
        if (!quietFor(KEEP_WARM_QUIET_MS)) return;
        await v.compute();
      }
      keptGen = gen;
    } catch {
      viewed.clear();
    } finally {
      keeping = false;
    }
  };
  const viewAsked = <K extends 'costBreakdown' | 'toolStats'>(name: K, params: QueryParams<K>): Promise<QueryResult<K>> => {
    const key = cacheKey(name, params);
    viewed.delete(key);
    viewed.set(key, { at: Date.now(), compute: () => cachedQuery(ctx, name, params) });
    while (viewed.size > KEEP_WARM_MAX) viewed.delete(viewed.keys().next().value!);
    if (!keepTimer) {
      keepTimer = setInterval(() => void keepWarm(), KEEP_WARM_QUIET_MS / 2);
      keepTimer.unref();
    }
    return cachedQuery(ctx, name, params);
  };

  router.get(
    '/api/events',
    handle(async (req, res) => {
      res.json(await ctx.store.query('listEvents', eventListParams(req.query as Query)));
    }),
  );

  router.get(
    '/api/stats',
    handle(async (req, res) => {
      const tz = timeZone(req.query as Query);
      res.json(await statsAnswer(ctx, tz));
      warmUp(tz);
    }),
  );

  router.get(
    '/api/stats/cost',
    handle(async (req, res) => {
      res.json(await viewAsked('costBreakdown', costParams(req.query as Query)));
    }),
  );

  router.get(
    '/api/stats/tools',
    handle(async (req, res) => {
      res.json(await viewAsked('toolStats', toolParams(req.query as Query)));
    }),
  );

  router.get(
    '/api/stats/pulse',
    handle(async (req, res) => {
      const minutes = int(req.query as Query, 'minutes', 1, 360, 60);
      res.json(await ctx.store.query('pulse', { now: Date.now(), minutes, idle_after_minutes: ctx.config.idleAfterMinutes }));
    }),
  );

  router.get(
    '/api/sessions',
    handle(async (req, res) => {
      res.json(await ctx.store.query('listSessions', sessionListParams(ctx, req.query as Query)));
    }),
  );

  router.get(
    '/api/sessions/:id',
    handle(async (req, res) => {
      const detail = await ctx.store.query('sessionDetail', { ...clock(ctx), session_id: sessionId(req) });
      if (!detail) {
        res.status(404).json({ error: `no session with id "${req.params.id}"` });
        return;
      }
      res.json(detail);
    }),
  );

  router.get(
    '/api/sessions/:id/transcript',
    handle(async (req, res) => {
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
    }),
  );

  router.get(
    '/api/filter-options',
    handle(async (_req, res) => {
      res.json(await ctx.store.query('filterOptions', {}));
    }),
  );
}
