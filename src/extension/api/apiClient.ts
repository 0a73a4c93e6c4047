/** Typed calls to the AgentMonitor HTTP API (DESIGN §5) from the extension host. No `vscode`. */
import type { CostBreakdown, EventsPage, Health, ImportRequest, ImportSummary, RateLimitInfo, SessionsPage, Stats } from '../../core/contracts/api';
import { apiGetPath, type ApiGetQuery, type ApiGetResponses, type ApiGetRoute } from '../../core/contracts/apiRoutes';
import type { ApiQuery } from '../../core/contracts/webview';
import { request, requestJson, type HttpOptions } from './http';

/** Answer of `POST /api/import`: the id to follow over SSE, or the summary when it ran synchronously. */
export interface ImportStarted {
  import_id: string;
  summary?: ImportSummary;
}

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function buildQuery(query: ApiQuery | undefined): string {
  if (!query) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) sp.append(k, String(x));
    else sp.append(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/** Paths the webview may GET through the host: the read API only. */
export function isAllowedApiPath(p: string): boolean {
  return /^\/api\/[A-Za-z0-9/_.%:-]*$/.test(p) && !p.includes('..') && !p.startsWith('/api/stream');
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** A JSON GET of the API, typed by its route (`ApiGetResponses`). */
  private getJson<R extends ApiGetRoute>(route: R, query?: ApiGetQuery<R>, opts?: HttpOptions): Promise<ApiGetResponses[R]> {
    const { path, query: rest } = apiGetPath(route, query);
    return requestJson<ApiGetResponses[R]>(`${this.baseUrl}${path}${buildQuery(rest)}`, opts);
  }

  health(): Promise<Health> {
    return this.getJson('/api/health', undefined, { timeoutMs: 3000 });
  }

  /** The most recent sessions, active ones first so none is cut off by the limit. */
  sessions(limit: number): Promise<SessionsPage> {
    return this.getJson('/api/sessions', { limit, active_first: true });
  }

  /** Stats with "today" in the editor's time zone. */
  stats(tz: string = localTimeZone()): Promise<Stats> {
    return this.getJson('/api/stats', { tz });
  }

  /** Cost since local midnight (`since` = `YYYY-MM-DD` in `tz`). */
  /** The plan rate-limit readings (the usage monitor's shortest listing: one hour of blocks). */
  async rateLimits(): Promise<RateLimitInfo[]> {
    return (await this.getJson('/api/stats/usage-monitor', { lookback_hours: 1 })).rate_limits;
  }

  costToday(by: 'model' | 'agent', day: string, tz: string = localTimeZone()): Promise<CostBreakdown> {
    return this.getJson('/api/stats/cost', { by, since: day, tz });
  }

  events(query: ApiQuery): Promise<EventsPage> {
    return this.getJson('/api/events', query);
  }

  /** A read for the webview: answers status and parsed body, never throws on HTTP errors. */
  async get(path: string, query?: ApiQuery): Promise<{ status: number; body: unknown; error?: string }> {
    if (!isAllowedApiPath(path)) return { status: 400, body: null, error: `path not allowed: ${path}` };
    const res = await request(`${this.baseUrl}${path}${buildQuery(query)}`, { timeoutMs: 30_000 });
    let body: unknown;
    try {
      body = res.body ? JSON.parse(res.body) : null;
    } catch {
      return { status: res.status, body: null, error: `${path} did not answer JSON` };
    }
    if (res.status >= 400) {
      const err = (body as { error?: string } | null)?.error ?? `HTTP ${res.status}`;
      return { status: res.status, body, error: err };
    }
    return { status: res.status, body };
  }

  startImport(req: ImportRequest): Promise<ImportStarted> {
    return requestJson<ImportStarted>(`${this.baseUrl}/api/import`, { method: 'POST', body: req, token: this.token, timeoutMs: 600_000 });
  }

  cancelImport(importId: string): Promise<unknown> {
    return requestJson(`${this.baseUrl}/api/import/${encodeURIComponent(importId)}`, { method: 'DELETE', token: this.token });
  }

  clearData(): Promise<unknown> {
    return requestJson(`${this.baseUrl}/api/data`, { method: 'DELETE', body: { confirm: true }, token: this.token, timeoutMs: 120_000 });
  }
}
