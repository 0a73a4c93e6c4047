/**
 * The dashboard's boundary (issue 7). The same Preact app runs in two hosts:
 *
 * - the browser, served by `GET /` of the server: it calls the HTTP API with `fetch` and listens to
 *   `GET /api/stream` with `EventSource`;
 * - a VS Code webview: it cannot reach the server itself, so it asks the extension host to perform
 *   API GETs for it (`api_get` → `api_response`) and receives the host's one SSE subscription
 *   forwarded as `sse` messages.
 *
 * Protocol inside VS Code:
 * 1. The host renders the page with the initial state in a `<script type="application/json"
 *    id="${INITIAL_STATE_ELEMENT_ID}">` element (JSON with `<` escaped as `\u003c`).
 * 2. The webview posts `ready` once its listeners are installed; only then does the host send.
 * 3. The host answers every `api_get` with exactly one `api_response` carrying the same
 *    `request_id`, forwards every SSE message as `sse` while the panel is visible, reports its
 *    connection with `connection`, and when the panel becomes visible again after being hidden
 *    sends `resync` (the webview then refetches what it shows, since forwarded messages were
 *    skipped meanwhile).
 * 4. An explicit request to show a view or session (a command, a tree item's "Open in Dashboard")
 *    always wins over the location the page restores: a loaded, visible page gets it as `navigate`;
 *    otherwise the host renders the page again with it as `open_request` in the initial state.
 *    The page saves the id of the initial request it applied (`DashboardWebviewState`), so a
 *    reload of the same page (shown again after being hidden) does not apply it a second time.
 */
import type { SseMessage } from './sse';

/** Id of the JSON data element holding `DashboardInitialState` in the page. */
export const INITIAL_STATE_ELEMENT_ID = 'agentmonitor-initial-state';

/** File names of the dashboard bundle inside `dist/`, and of the browser theme inside `media/`. */
export const DASHBOARD_ASSETS = {
  script: 'webview.js',
  style: 'webview.css',
  browserTheme: 'theme.css',
} as const;

/** The views of the dashboard; also the first segment of its location hash (`#/costs`). */
export const DASHBOARD_VIEWS = ['overview', 'feed', 'costs', 'tools', 'sessions', 'usage'] as const;
export type DashboardView = (typeof DASHBOARD_VIEWS)[number];

/** A view or a session page (`#/sessions/<id>`) of the dashboard. */
export interface DashboardTarget {
  view?: DashboardView;
  session_id?: string;
  /** With `session_id`: the stored event to show on its page (a search hit). */
  event_id?: number;
}

/** An explicit request of the host to show a target; `request_id` is unique (random) per request. */
export interface DashboardOpenRequest extends DashboardTarget {
  request_id: string;
}

/**
 * What the page carries when it loads. Its `view` / `session_id` are what to open when the page
 * restores no location (no location hash, no saved state); a session wins over a view.
 */
export interface DashboardInitialState extends DashboardTarget {
  host: 'browser' | 'vscode';
  /** Server version the page was rendered for. */
  version: string;
  /** What to open even over a restored location, unless the saved state says it was applied. */
  open_request?: DashboardOpenRequest;
  /** The server's URL, shown in empty states ("point your agent at …"). */
  server_url?: string;
}

/** Query values of an API GET: repeated keys as arrays. */
export type ApiQuery = Record<string, string | number | boolean | (string | number)[] | undefined>;

/** `?k=v&…` of an API GET (empty values left out, arrays comma-joined); '' for no query. */
export function buildQueryString(query?: ApiQuery): string {
  if (!query) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) sp.set(k, v.join(','));
    } else sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/** Stands for the browser's IANA time zone in `DASHBOARD_STARTUP_REQUESTS`. */
export const TIME_ZONE_PLACEHOLDER = '__tz__';

/**
 * What the browser dashboard asks for as it starts (AppState.refresh: stats, live sessions and the
 * sessions waiting for the user, the feed's first page), in that order. The page served by `GET /`
 * starts these requests from an inline script while the app's bundle still loads, and the app takes each answer once (window property
 * `DASHBOARD_PRELOAD_GLOBAL`: URL → { at: epoch ms, res: Promise<Response> }), so that first paint
 * waits for the slower of the two, not for their sum.
 */
export const DASHBOARD_STARTUP_REQUESTS: readonly { path: string; query: ApiQuery }[] = [
  { path: '/api/stats', query: { tz: TIME_ZONE_PLACEHOLDER } },
  { path: '/api/sessions', query: { status: 'active,idle', limit: 50 } },
  { path: '/api/attention', query: {} },
  { path: '/api/events', query: { limit: 200, order: 'created_at' } },
];
export const DASHBOARD_PRELOAD_GLOBAL = '__agentmonitorPreload';

/**
 * What the Costs and Tools views ask first: their default period in days and, besides `since` (local
 * midnight of the period's first day) and `tz`, each request's parameters. The views build their
 * requests from these, and the server keeps these answers ready once a dashboard opens the overview
 * (`server/warmer.ts`): one list, so a changed default cannot warm the wrong questions.
 */
export const VIEW_DEFAULT_REQUESTS = {
  costs: {
    path: '/api/stats/cost',
    days: 30,
    queries: [{ by: 'day', stack: 'model' }, { by: 'model' }, { by: 'project' }, { by: 'session', limit: 50 }],
  },
  tools: { path: '/api/stats/tools', days: 7, queries: [{ bucket: 'hour' }] },
} as const satisfies Record<string, { path: string; days: number; queries: readonly ApiQuery[] }>;
/** A preloaded answer older than this is not used (the tab may have loaded in the background). */
export const DASHBOARD_PRELOAD_MAX_AGE_MS = 10_000;

/** Messages the webview posts to the extension host. */
export type WebviewToHost =
  /** Listeners are installed; the host may start sending. */
  | { type: 'ready' }
  /** Perform `GET <server>/api/<path>?<query>`; `path` starts with `/api/`. */
  | { type: 'api_get'; request_id: number; path: string; query?: ApiQuery }
  /** Save text the user exported (CSV/JSON) through a save dialog. */
  | { type: 'save_file'; filename: string; mime: 'text/csv' | 'application/json'; content: string }
  /** Open a URL outside the editor (links in empty states). */
  | { type: 'open_external'; url: string };

/** Messages the extension host posts to the webview. */
export type HostToWebview =
  | { type: 'api_response'; request_id: number; ok: true; status: number; body: unknown }
  | { type: 'api_response'; request_id: number; ok: false; status: number; error: string }
  /** One message of the host's SSE subscription, unchanged. */
  | { type: 'sse'; message: SseMessage }
  /** The host's link to the server. */
  | { type: 'connection'; state: 'connected' | 'connecting' | 'disconnected'; server_url?: string; message?: string }
  /** The panel became visible again: refetch what is shown. */
  | { type: 'resync' }
  /** An explicit request to show a view or session, over whatever the page shows. */
  | { type: 'navigate'; request: DashboardOpenRequest };

/**
 * What the dashboard page keeps with the webview's `setState`; VS Code restores it when the page
 * reloads and hands it to the panel serializer after a window reload.
 */
export interface DashboardWebviewState {
  /** The location hash shown (`#/costs`). */
  hash?: string;
  /** `request_id` of the initial state's `open_request`, once applied. */
  applied_request_id?: string;
}

export type WebviewToHostType = WebviewToHost['type'];
export type HostToWebviewType = HostToWebview['type'];

/** Each list names every tag of its union once: a tag added to a union and not here does not compile. */
const HOST_TO_WEBVIEW_TYPES = { api_response: true, sse: true, connection: true, resync: true, navigate: true } as const satisfies Record<HostToWebviewType, true>;
const WEBVIEW_TO_HOST_TYPES = { ready: true, api_get: true, save_file: true, open_external: true } as const satisfies Record<WebviewToHostType, true>;

function tagIn(x: unknown, tags: object): boolean {
  if (!x || typeof x !== 'object') return false;
  const t = (x as { type?: unknown }).type;
  return typeof t === 'string' && Object.hasOwn(tags, t);
}

/** Narrow an unknown `postMessage` payload to a `HostToWebview` by its tag (fields are trusted). */
export function isHostToWebview(x: unknown): x is HostToWebview {
  return tagIn(x, HOST_TO_WEBVIEW_TYPES);
}

/** Narrow an unknown `postMessage` payload to a `WebviewToHost` by its tag (fields are trusted). */
export function isWebviewToHost(x: unknown): x is WebviewToHost {
  return tagIn(x, WEBVIEW_TO_HOST_TYPES);
}

/** Serialize initial state for a `<script type="application/json">` element (HTML-safe). */
export function serializeInitialState(state: DashboardInitialState): string {
  return JSON.stringify(state).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
