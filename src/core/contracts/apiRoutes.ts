/**
 * Every JSON `GET` of the HTTP API, by its express route pattern, with the shape it answers (200).
 * The server registers these routes through `apiGet` (`server/routes/apiGet.ts`), so a route that
 * answers another shape fails `tsc`; the clients (dashboard, extension, CLI) ask by the same keys
 * and get the mapped type instead of casting. Errors answer `ApiError`. `GET /api/stream` (SSE,
 * `sse.ts`) is not JSON and not listed.
 */
import type {
  AttentionList,
  CostBreakdown,
  EventsPage,
  FilterOptions,
  Health,
  ImportStatus,
  Pulse,
  SearchPage,
  SessionDetail,
  SessionsPage,
  SessionTimeline,
  Stats,
  ToolStats,
  TranscriptPage,
  UsageMonitor,
} from './api';
import type { ApiQuery } from './webview';

export interface ApiGetResponses {
  '/api/health': Health;
  '/api/events': EventsPage;
  '/api/stats': Stats;
  '/api/stats/cost': CostBreakdown;
  '/api/stats/tools': ToolStats;
  '/api/stats/pulse': Pulse;
  '/api/stats/usage-monitor': UsageMonitor;
  '/api/sessions': SessionsPage;
  '/api/sessions/:id': SessionDetail;
  '/api/sessions/:id/transcript': TranscriptPage;
  '/api/sessions/:id/timeline': SessionTimeline;
  '/api/attention': AttentionList;
  '/api/filter-options': FilterOptions;
  '/api/search': SearchPage;
  '/api/import': ImportStatus;
}

export type ApiGetRoute = keyof ApiGetResponses;

/** The same keys at run time (a test compares them with the server's registered GET routes). */
const ROUTES: Record<ApiGetRoute, true> = {
  '/api/health': true,
  '/api/events': true,
  '/api/stats': true,
  '/api/stats/cost': true,
  '/api/stats/tools': true,
  '/api/stats/pulse': true,
  '/api/stats/usage-monitor': true,
  '/api/sessions': true,
  '/api/sessions/:id': true,
  '/api/sessions/:id/transcript': true,
  '/api/sessions/:id/timeline': true,
  '/api/attention': true,
  '/api/filter-options': true,
  '/api/search': true,
  '/api/import': true,
};
export const API_GET_ROUTES = Object.keys(ROUTES) as ApiGetRoute[];

/** The `:name` parameters of a route pattern: `'/api/sessions/:id/transcript'` → `'id'`. */
type RouteParamNames<R extends string> = R extends `${string}:${infer P}/${infer Rest}` ? P | RouteParamNames<`/${Rest}`> : R extends `${string}:${infer P}` ? P : never;

/** A GET's query with the route's path parameters in it (`{ id, limit }` for `/api/sessions/:id/transcript`). */
export type ApiGetQuery<R extends ApiGetRoute> = ApiQuery & { [K in RouteParamNames<R>]: string };

/** The path of a GET of `route` (its `:params` taken from `query`, encoded) and the query left. */
export function apiGetPath<R extends ApiGetRoute>(route: R, query?: ApiGetQuery<R>): { path: string; query: ApiQuery | undefined } {
  if (!route.includes(':')) return { path: route, query };
  const rest: ApiQuery = { ...query };
  const path = route.replace(/:(\w+)/g, (_, name: string) => {
    const v = rest[name];
    if (typeof v !== 'string') throw new Error(`${route}: path parameter ${name} missing`);
    delete rest[name];
    return encodeURIComponent(v);
  });
  return { path, query: rest };
}

/** The JSON answer of a GET of `route` (`res` answered 2xx): the one place a fetched body takes its type. */
export async function readApiGet<R extends ApiGetRoute>(_route: R, res: { json(): Promise<unknown> }): Promise<ApiGetResponses[R]> {
  return (await res.json()) as ApiGetResponses[R];
}
