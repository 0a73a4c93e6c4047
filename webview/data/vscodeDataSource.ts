import { signal } from '@preact/signals';
import { apiGetPath, type ApiGetQuery, type ApiGetResponses, type ApiGetRoute } from '../../src/core/contracts/apiRoutes';
import type { SseMessage } from '../../src/core/contracts/sse';
import { isHostToWebview, type DashboardOpenRequest, type HostToWebview, type WebviewToHost } from '../../src/core/contracts/webview';
import { ApiRequestError, Listeners, type ConnectionState, type DataSource } from './dataSource';

export interface VscodeApi {
  postMessage(msg: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_PENDING = 200;

/** Inside a VS Code webview: the extension host fetches for us and forwards its SSE messages. */
export class VscodeDataSource implements DataSource {
  readonly connection = signal<ConnectionState>('connecting');
  readonly serverUrl = signal<string | null>(null);
  private readonly messages = new Listeners<[SseMessage]>();
  private readonly resyncs = new Listeners<[]>();
  private readonly openRequests = new Listeners<[DashboardOpenRequest]>();
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();
  private nextId = 1;
  private started = false;

  constructor(private readonly api: VscodeApi) {}

  get<R extends ApiGetRoute>(route: R, query?: ApiGetQuery<R>): Promise<ApiGetResponses[R]> {
    if (this.pending.size >= MAX_PENDING) return Promise.reject(new ApiRequestError(0, 'too many requests in flight'));
    const request_id = this.nextId++;
    const { path, query: rest } = apiGetPath(route, query);
    // The host relays the server's answer to this route unchanged.
    return new Promise<ApiGetResponses[R]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request_id);
        reject(new ApiRequestError(0, `no answer from the extension for ${path}`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(request_id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.api.postMessage({ type: 'api_get', request_id, path, query: rest });
    });
  }

  onMessage(listener: (m: SseMessage) => void): () => void {
    return this.messages.add(listener);
  }

  onResync(listener: () => void): () => void {
    return this.resyncs.add(listener);
  }

  /** The host's explicit requests to show a view or session (`navigate`). */
  onOpenRequest(listener: (request: DashboardOpenRequest) => void): () => void {
    return this.openRequests.add(listener);
  }

  save(filename: string, mime: 'text/csv' | 'application/json', content: string): void {
    this.api.postMessage({ type: 'save_file', filename, mime, content });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    window.addEventListener('message', (ev: MessageEvent) => {
      if (isHostToWebview(ev.data)) this.handle(ev.data);
    });
    this.api.postMessage({ type: 'ready' });
  }

  private handle(msg: HostToWebview): void {
    switch (msg.type) {
      case 'api_response': {
        const p = this.pending.get(msg.request_id);
        if (!p) return;
        this.pending.delete(msg.request_id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.body);
        else p.reject(new ApiRequestError(msg.status, msg.error));
        return;
      }
      case 'sse':
        this.messages.emit(msg.message);
        return;
      case 'connection': {
        const was = this.connection.value;
        this.connection.value = msg.state;
        if (msg.server_url) this.serverUrl.value = msg.server_url;
        if (msg.state === 'connected' && was !== 'connected') this.resyncs.emit();
        return;
      }
      case 'resync':
        this.resyncs.emit();
        return;
      case 'navigate':
        this.openRequests.emit(msg.request);
        return;
      default: {
        const never: never = msg;
        void never;
      }
    }
  }
}
