/**
 * Where the dashboard gets its data. Two implementations: `HttpDataSource` (browser: fetch +
 * EventSource) and `VscodeDataSource` (webview: postMessage bridge to the extension host).
 */
import type { ReadonlySignal } from '@preact/signals';
import type { SseMessage } from '../../src/core/contracts/sse';
import type { ApiGetQuery, ApiGetResponses, ApiGetRoute } from '../../src/core/contracts/apiRoutes';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface DataSource {
  /**
   * GET an API route (`ApiGetResponses`; path parameters such as `:id` go in `query`) and parse its
   * JSON answer; rejects with `ApiRequestError`.
   */
  get<R extends ApiGetRoute>(route: R, query?: ApiGetQuery<R>): Promise<ApiGetResponses[R]>;
  /** Every SSE message, in order. Returns an unsubscribe function. */
  onMessage(listener: (m: SseMessage) => void): () => void;
  /** Called when what is shown may be stale (reconnect, panel shown again). */
  onResync(listener: () => void): () => void;
  /** Save exported text (download in a browser, save dialog in VS Code). */
  save(filename: string, mime: 'text/csv' | 'application/json', content: string): void;
  readonly connection: ReadonlySignal<ConnectionState>;
  /** The server's URL as the host last reported it (VS Code: it changes with the port setting); absent in a browser. */
  readonly serverUrl?: ReadonlySignal<string | null>;
  /** Start listening (after the app has subscribed). */
  start(): void;
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A tiny listener set. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();
  add(fn: (...args: A) => void): () => void {
    this.set.add(fn);
    return () => this.set.delete(fn);
  }
  emit(...args: A): void {
    for (const fn of this.set) {
      try {
        fn(...args);
      } catch (e) {
        console.error(e);
      }
    }
  }
}
