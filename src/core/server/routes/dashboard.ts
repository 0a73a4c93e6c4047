/**
 * `GET /`: the dashboard page (the same Preact app as the VS Code webview) with a strict CSP —
 * `default-src 'none'`, scripts allowed by nonce, styles only from files. Assets are served from
 * `dist/` (`/assets/webview.js`, `/assets/webview.css`) and `media/` (`/media/*`), from memory
 * (re-read when the file changes), gzipped when the client accepts it, with an ETag; the page
 * links them with `?v=<content hash>`, and such a request is cacheable for good (the next visit
 * neither downloads nor recompiles the bundle).
 *
 * Start-up: an inline script at the top of the page starts the app's first API requests
 * (`DASHBOARD_STARTUP_REQUESTS`) before the bundle is even requested; the app takes their answers.
 * Without it the requests left only after the bundle was downloaded, parsed and run.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Request, Response, Router } from 'express';
import type { ServerContext } from '../context';
import {
  buildQueryString,
  DASHBOARD_ASSETS,
  DASHBOARD_PRELOAD_GLOBAL,
  DASHBOARD_STARTUP_REQUESTS,
  DASHBOARD_VIEWS,
  TIME_ZONE_PLACEHOLDER,
  type DashboardInitialState,
} from '../../contracts/webview';
import { dashboardCsp, renderDashboardHtml, type DashboardHtmlOptions } from '../../dashboardHtml';

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

function notBuiltPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AgentMonitor</title></head><body>
<h1>AgentMonitor</h1><p>The dashboard is not built. Run <code>npm run build</code> and reload. The API is available under <code>/api</code>.</p>
</body></html>`;
}

/**
 * The inline script of the browser page, run first: starts `DASHBOARD_STARTUP_REQUESTS` and leaves
 * them in `window[DASHBOARD_PRELOAD_GLOBAL]` (URL → { at, res }). The time zone is found as the
 * app finds it (`localTimeZone` in webview/data/appState.ts); the first Intl call of a page
 * initializes ICU (50–140 ms measured in Chromium on a busy machine), so the requests go out with
 * the zone the last visit saved, else the server's own (a browser on the same machine shares it),
 * and the zone is looked up after, asking again only if the guess was wrong. A failed request is
 * left to the app, which sees the rejection. (A string, not a serialized function: build tools
 * add helpers to functions that the page would not have.)
 */
export function preloadScript(): string {
  if (preloadJs === undefined) {
    const o = {
      urls: DASHBOARD_STARTUP_REQUESTS.map((r) => `${r.path}${buildQueryString(r.query)}`),
      placeholder: TIME_ZONE_PLACEHOLDER,
      global: DASHBOARD_PRELOAD_GLOBAL,
      key: 'agentmonitor.timeZone',
      guess: serverTimeZone(),
    };
    preloadJs = `(function (o) {
  var pending = (window[o.global] = {});
  function zoned(tz) {
    var q = new URLSearchParams({ tz: tz }).toString().slice(3);
    return o.urls.map(function (u) { return u.indexOf(o.placeholder) < 0 ? null : u.split(o.placeholder).join(q); });
  }
  function start(urls) {
    urls.forEach(function (url) {
      if (!url) return;
      var res = fetch(url, { headers: { Accept: 'application/json' } });
      res.catch(function () {});
      pending[url] = { at: Date.now(), res: res };
    });
  }
  var guess = o.guess;
  try { guess = localStorage.getItem(o.key) || guess; } catch (e) {}
  var guessed = zoned(guess);
  start(o.urls.map(function (u, i) { return guessed[i] || u; }));
  var tz = 'UTC';
  try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) {}
  if (tz === guess) return;
  guessed.forEach(function (url) { if (url) delete pending[url]; });
  start(zoned(tz));
  try { localStorage.setItem(o.key, tz); } catch (e) {}
})(${JSON.stringify(o).replace(/</g, '\\u003c')});`;
  }
  return preloadJs;
}
let preloadJs: string | undefined;

function serverTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const STATIC_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.map']);

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  /** Content hash: the ETag (quoted) and the `v` of versioned URLs. */
  version: string;
  mtimeMs: number;
  size: number;
}

const assets = new Map<string, Asset>();

/** A static file from memory, read again (hashed, gzipped) only when it changed on disk. */
function loadAsset(dir: string | null, name: string): Asset | null {
  if (!dir || !STATIC_TYPES[path.extname(name)] || name.includes('/') || name.includes('\\') || name.startsWith('.')) return null;
  const file = path.join(dir, name);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return null;
  }
  const hit = assets.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    return null;
  }
  const asset: Asset = {
    body,
    gzip: COMPRESSIBLE.has(path.extname(name)) && body.length > 1024 ? gzipSync(body) : null,
    version: createHash('sha256').update(body).digest('base64url').slice(0, 16),
    mtimeMs: st.mtimeMs,
    size: st.size,
  };
  assets.set(file, asset);
  return asset;
}

/** `url?v=<content hash>` when the file is there (cacheable for good), else `url`. */
function versioned(url: string, dir: string | null, name: string): string {
  const a = loadAsset(dir, name);
  return a ? `${url}?v=${a.version}` : url;
}

function sendStatic(req: Request, res: Response, dir: string | null, name: string): void {
  const asset = loadAsset(dir, name);
  if (!asset) {
    res.status(404).type('text/plain').send('not found');
    return;
  }
  const etag = `"${asset.version}"`;
  res.setHeader('Content-Type', STATIC_TYPES[path.extname(name)]);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('ETag', etag);
  // The page links `?v=<hash>`: that URL always names these bytes. Anything else revalidates.
  res.setHeader('Cache-Control', req.query.v === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (asset.gzip) res.setHeader('Vary', 'Accept-Encoding');
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  if (asset.gzip && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    res.setHeader('Content-Encoding', 'gzip');
    res.send(asset.gzip);
  } else res.send(asset.body);
}

/** Needs only the config and version: the team server serves the same page (`team/teamServer.ts`). */
export function register(router: Router, ctx: Pick<ServerContext, 'config' | 'version'>): void {
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
    const media = mediaDir();
    const view = typeof req.query.view === 'string' && (DASHBOARD_VIEWS as readonly string[]).includes(req.query.view) ? req.query.view : undefined;
    const options: DashboardHtmlOptions = {
      nonce,
      scriptUrl: versioned(`/assets/${DASHBOARD_ASSETS.script}`, dist, DASHBOARD_ASSETS.script),
      styleUrls: [versioned(`/media/${DASHBOARD_ASSETS.browserTheme}`, media, DASHBOARD_ASSETS.browserTheme), versioned(`/assets/${DASHBOARD_ASSETS.style}`, dist, DASHBOARD_ASSETS.style)],
      iconUrl: versioned('/media/icon.svg', media, 'icon.svg'),
      inlineScript: preloadScript(),
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
  router.get('/assets/:name', (req, res) => sendStatic(req, res, distDir(), String(req.params.name)));
  router.get('/media/:name', (req, res) => sendStatic(req, res, mediaDir(), String(req.params.name)));
}
