/**
 * The dashboard page's HTML shell and its Content-Security-Policy, shared by the browser page
 * (`server/routes/dashboard.ts`) and the VS Code panel (`extension/panel/dashboardPanel.ts`):
 * `default-src 'none'`, scripts only by nonce, styles and images only from the given source.
 */
import { INITIAL_STATE_ELEMENT_ID, serializeInitialState, type DashboardInitialState } from './contracts/webview';

export interface DashboardHtmlOptions {
  nonce: string;
  scriptUrl: string;
  styleUrls: string[];
  /** CSP sources allowed besides the nonce (a webview's `cspSource`); `'self'` in the browser. */
  cspSource: string;
  /** Where API calls may go (`connect-src`); `'none'` inside VS Code where the host fetches. */
  connectSrc: string;
  initialState: DashboardInitialState;
  title?: string;
  iconUrl?: string;
  /** Script run first, allowed by the nonce (the browser page's request preloader). */
  inlineScript?: string;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function dashboardCsp(o: Pick<DashboardHtmlOptions, 'nonce' | 'cspSource' | 'connectSrc'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
    `connect-src ${o.connectSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * The page shell; the extension's panel renders the same with its own URIs and `cspSource`. The
 * bundle is requested from the head (`defer`: it runs once the page is parsed, as at the end of the
 * body) before the inline script runs, whose first execution also pays for the page's JS context.
 */
export function renderDashboardHtml(o: DashboardHtmlOptions): string {
  const csp = dashboardCsp(o);
  const styles = o.styleUrls.map((u) => `<link rel="stylesheet" href="${escapeAttr(u)}">`).join('\n    ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeAttr(o.title ?? 'AgentMonitor')}</title>
    ${o.iconUrl ? `<link rel="icon" href="${escapeAttr(o.iconUrl)}">` : ''}
    ${styles}
    <script nonce="${o.nonce}" src="${escapeAttr(o.scriptUrl)}" defer></script>
    ${o.inlineScript ? `<script nonce="${o.nonce}">${o.inlineScript}</script>` : ''}
  </head>
  <body>
    <div id="app"></div>
    <script type="application/json" id="${INITIAL_STATE_ELEMENT_ID}">${serializeInitialState(o.initialState)}</script>
  </body>
</html>
`;
}
