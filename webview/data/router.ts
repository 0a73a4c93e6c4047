/**
 * How the dashboard moves between its pages. A page is a location hash (`#/costs`,
 * `#/sessions/<id>`: `parseHash` / `routeHash`) and every in-dashboard link is a real
 * `<a href="#/…">`, so in a browser links do what links do (middle-click, copy link, history).
 * A VS Code webview's host swallows clicks on fragment links (it only scrolls to an element with
 * that id), so there the router takes activations of `#/` links itself. Explicit open requests of
 * the host win over the restored location (protocol rule 4 in `contracts/webview.ts`).
 */
import type { DashboardInitialState, DashboardOpenRequest, DashboardTarget, DashboardWebviewState } from '../../src/core/contracts/webview';
import { parseHash, routeHash, type AppState } from './appState';
import type { VscodeApi } from './vscodeDataSource';

/** A hash that names a dashboard page (`#/…`), not an element of the page (`#main`). */
export function isRouteHash(hash: string | null | undefined): hash is string {
  return !!hash && hash.startsWith('#/');
}

/** The page of a target: a session wins over a view; '' for neither. */
export function targetHash(t: DashboardTarget): string {
  if (t.session_id) return routeHash({ view: 'sessions', sessionId: t.session_id, eventId: t.event_id ?? null });
  return t.view ? routeHash({ view: t.view, sessionId: null }) : '';
}

/**
 * The page to show first: an open request not applied yet, else the location hash, else the saved
 * one, else the initial target.
 */
export function startHash(locationHash: string, saved: DashboardWebviewState | undefined, initial: DashboardInitialState): string {
  const request = initial.open_request;
  if (request && request.request_id !== saved?.applied_request_id) {
    const h = targetHash(request);
    if (h) return h;
  }
  if (isRouteHash(locationHash)) return locationHash;
  if (isRouteHash(saved?.hash)) return saved.hash;
  return targetHash(initial);
}

/** The `#/…` of the in-dashboard link an event landed in, or null. */
export function routeLinkOf(target: EventTarget | null): string | null {
  const a = target instanceof Element ? target.closest('a[href]') : null;
  const href = a?.getAttribute('href');
  return isRouteHash(href) ? href : null;
}

/** Where the host's explicit open requests come from (the VS Code bridge). */
export interface OpenRequests {
  onOpenRequest(listener: (request: DashboardOpenRequest) => void): unknown;
}

/**
 * Sets the first route and follows the location from then on. `vscode` is the webview API inside
 * VS Code, null in a browser.
 */
export function startRouter(app: AppState, vscode: VscodeApi | null, requests: OpenRequests | null): void {
  const saved = vscode?.getState() as DashboardWebviewState | undefined;
  const initialRequest = app.initial.open_request;
  const applied = initialRequest?.request_id ?? saved?.applied_request_id;
  const save = () => vscode?.setState({ hash: location.hash, ...(applied ? { applied_request_id: applied } : {}) } satisfies DashboardWebviewState);

  const first = startHash(location.hash, saved, app.initial);
  app.route.value = parseHash(first);
  if (first && location.hash !== first) history.replaceState(null, '', first);
  save();

  window.addEventListener('hashchange', () => {
    if (!isRouteHash(location.hash)) return;
    app.route.value = parseHash(location.hash);
    save();
  });

  if (!vscode) return;
  window.addEventListener(
    'click',
    (e) => {
      const hash = routeLinkOf(e.target);
      if (!hash) return;
      e.preventDefault();
      if (location.hash !== hash) location.hash = hash;
    },
    true,
  );
  // The webview host would hand a middle-clicked link's webview URL to the editor to open.
  window.addEventListener(
    'auxclick',
    (e) => {
      if (!routeLinkOf(e.target)) return;
      e.preventDefault();
      e.stopPropagation();
    },
    true,
  );
  requests?.onOpenRequest((request) => {
    const hash = targetHash(request);
    if (hash && location.hash !== hash) location.hash = hash;
  });
}
