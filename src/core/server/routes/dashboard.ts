/**
 * `GET /`: the dashboard page (the same Preact app as the VS Code webview) with a strict CSP —
 * `default-src 'none'`, the script allowed by nonce, styles only from files. Assets are served from
 * `dist/` (`/assets/webview.js`, `/assets/webview.css`) and `media/` (`/media/*`).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Request, Response, Router } from 'express';
import type { ServerContext } from '../context';
import {
  DASHBOARD_ASSETS,
  DASHBOARD_VIEWS,
  INITIAL_STATE_ELEMENT_ID,
  serializeInitialState,
  type DashboardInitialState,
} from '../../contracts/webview';

/** First existing folder among candidates that holds `probe`. Bundled: `__dirname` is `dist/`. */
function findDir(candidates: string[], probe: string): string | null {
  for (const dir of candidates) if (fs.existsSync(path.join(dir, probe))) return dir;
  return null;
}

export function distDir(): string | null {
  return findDir([__dirname, path.resolve(__dirname, '../../../../dist')], DASHBOARD_ASSETS.script);
}

export function mediaDir(): string | null {
  return findDir([path.resolve(__dirname, '../media'), path.resolve(__dirname, '../../../../media')], DASHBOARD_ASSETS.browserTheme);
}

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

/** The page shell; the extension's panel renders the same with its own URIs and `cspSource`. */
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
  </head>
  <body>
    <div id="app"></div>
    <script type="application/json" id="${INITIAL_STATE_ELEMENT_ID}">${serializeInitialState(o.initialState)}</script>
    <script nonce="${o.nonce}" src="${escapeAttr(o.scriptUrl)}"></script>
  </body>
</html>
`;
}

function notBuiltPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AgentMonitor</title></head><body>
<h1>AgentMonitor</h1><p>The dashboard is not built. Run <code>npm run build</code> and reload. The API is available under <code>/api</code>.</p>
</body></html>`;
}

const STATIC_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

function sendStatic(res: Response, dir: string | null, name: string): void {
  const ext = path.extname(name);
  if (!dir || !STATIC_TYPES[ext] || name.includes('/') || name.includes('\\') || name.startsWith('.')) {
    res.status(404).type('text/plain').send('not found');
    return;
  }
  const file = path.join(dir, name);
  fs.readFile(file, (err, buf) => {
    if (err) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    res.setHeader('Content-Type', STATIC_TYPES[ext]);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(buf);
  });
}

export function register(router: Router, ctx: ServerContext): void {
  const page = (req: Request, res: Response) => {
    const dist = distDir();
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    if (!dist) {
      res.status(503).type('html').send(notBuiltPage());
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    const view = typeof req.query.view === 'string' && (DASHBOARD_VIEWS as readonly string[]).includes(req.query.view) ? req.query.view : undefined;
    const options: DashboardHtmlOptions = {
      nonce,
      scriptUrl: `/assets/${DASHBOARD_ASSETS.script}`,
      styleUrls: [`/media/${DASHBOARD_ASSETS.browserTheme}`, `/assets/${DASHBOARD_ASSETS.style}`],
      iconUrl: '/media/icon.svg',
      cspSource: "'self'",
      connectSrc: "'self'",
      initialState: {
        host: 'browser',
        version: ctx.version,
        view: view as DashboardInitialState['view'],
        server_url: `${req.protocol}://${req.get('host') ?? `${ctx.config.host}:${ctx.config.port}`}`,
      },
    };
    res.setHeader('Content-Security-Policy', `${dashboardCsp(options)}; frame-ancestors 'none'`);
    res.type('html').send(renderDashboardHtml(options));
  };
  router.get('/', page);
  router.get('/index.html', page);
  router.get('/favicon.ico', (_req, res) => res.redirect(301, '/media/icon.svg'));
  router.get('/assets/:name', (req, res) => sendStatic(res, distDir(), String(req.params.name)));
  router.get('/media/:name', (req, res) => sendStatic(res, mediaDir(), String(req.params.name)));
}
