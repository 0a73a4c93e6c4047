import { signal } from '@preact/signals';
import { SSE_MESSAGE_TYPES, type SseMessage } from '../../src/core/contracts/sse';
import { apiGetPath, readApiGet, type ApiGetQuery, type ApiGetResponses, type ApiGetRoute } from '../../src/core/contracts/apiRoutes';
import { buildQueryString, DASHBOARD_PRELOAD_GLOBAL, DASHBOARD_PRELOAD_MAX_AGE_MS } from '../../src/core/contracts/webview';
import { TEAM_AUTH_REALM } from '../../src/core/contracts/api';
import { ApiRequestError, Listeners, type ConnectionState, type DataSource } from './dataSource';

type Preloaded = Record<string, { at: number; res: Promise<Response> } | undefined>;

/** The answer to `url` that the page's inline script already asked for, once and while fresh. */
function takePreloaded(url: string): Promise<Response> | null {
  const all = (window as unknown as Record<string, Preloaded | undefined>)[DASHBOARD_PRELOAD_GLOBAL];
  const p = all?.[url];
  if (!p) return null;
  delete all[url];
  return Date.now() - p.at <= DASHBOARD_PRELOAD_MAX_AGE_MS ? p.res : null;
}

/** Browser: same-origin fetch and one unfiltered EventSource on `/api/stream`. */
export class HttpDataSource implements DataSource {
  readonly connection = signal<ConnectionState>('connecting');
  private readonly messages = new Listeners<[SseMessage]>();
  private readonly resyncs = new Listeners<[]>();
  private es: EventSource | null = null;
  private everConnected = false;

  constructor(private readonly base = '') {}

  async get<R extends ApiGetRoute>(route: R, query?: ApiGetQuery<R>): Promise<ApiGetResponses[R]> {
    let res: Response;
    const { path, query: rest } = apiGetPath(route, query);
    const url = `${this.base}${path}${buildQueryString(rest)}`;
    try {
      res = await (takePreloaded(url) ?? fetch(url, { headers: { Accept: 'application/json' } }));
    } catch (e) {
      throw new ApiRequestError(0, `server unreachable: ${(e as Error).message}`);
    }
    if (!res.ok) {
      // A team server's sign-in ended (token revoked, cookie expired): its page is the sign-in form again.
      if (res.status === 401 && (res.headers.get('www-authenticate') ?? '').includes(`realm="${TEAM_AUTH_REALM}"`)) location.reload();
      let msg = `${res.status} ${res.statusText}`;
      try {
        const body = (await res.json()) as { error?: string };
        if (body.error) msg = body.error;
      } catch {
        /* not JSON */
      }
      throw new ApiRequestError(res.status, msg);
    }
    return readApiGet(route, res);
  }

  onMessage(listener: (m: SseMessage) => void): () => void {
    return this.messages.add(listener);
  }

  onResync(listener: () => void): () => void {
    return this.resyncs.add(listener);
  }

  save(filename: string, mime: string, content: string): void {
    const url = URL.createObjectURL(new Blob([content], { type: mime }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  start(): void {
    if (this.es) return;
    const es = new EventSource(`${this.base}/api/stream`);
    this.es = es;
    es.onopen = () => {
      this.connection.value = 'connected';
      if (this.everConnected) this.resyncs.emit();
      this.everConnected = true;
    };
    es.onerror = () => {
      this.connection.value = es.readyState === EventSource.CLOSED ? 'disconnected' : 'connecting';
      if (es.readyState === EventSource.CLOSED) {
        // The server refused (e.g. 503 past max clients) or went away: retry later.
        this.es = null;
        setTimeout(() => this.start(), 5000);
      }
    };
    for (const type of SSE_MESSAGE_TYPES) {
      es.addEventListener(type, (ev) => {
        try {
          this.messages.emit(JSON.parse((ev as MessageEvent<string>).data) as SseMessage);
        } catch (e) {
          console.error('bad SSE message', e);
        }
      });
    }
  }
}
