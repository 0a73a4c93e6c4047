/**
 * Signing in to a team server's dashboard off loopback. A browser cannot put a token on an
 * `EventSource`, so the dashboard carries it in a cookie: `POST /api/login {"token": "…"}` checks
 * the token as a Bearer token is checked and answers 204 with `Set-Cookie: agentmonitor_team=…;
 * HttpOnly; SameSite=Strict; Path=/` (`Secure` over HTTPS: an https `publicUrl`, or a proxy that
 * says so in `X-Forwarded-Proto`), for 12 hours. The cookie is accepted for reads (GET/HEAD) only, checked in
 * PostgreSQL on every request as a Bearer token is (a revoked token ends the session at once); writes
 * always need `Authorization`. `POST /api/logout` clears it. `GET /` without a valid token is this
 * page's sign-in form (static text: nothing of the team's data, no HTML built from input).
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { DASHBOARD_ASSETS } from '../contracts/webview';
import type { ServerConfig } from '../config';
import type { Logger } from '../log';
import { secretMatches } from '../server/security';
import { checkToken } from './pgTokens';
import type { PgStore } from './pgStore';

export const LOGIN_COOKIE = 'agentmonitor_team';
/** How long a browser keeps the sign-in (seconds). */
const LOGIN_MAX_AGE_S = 12 * 3600;
/** Longest token accepted (ours are 47 characters). */
const MAX_TOKEN = 512;

/** The token of the sign-in cookie, or null. */
export function cookieToken(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== LOGIN_COOKIE) continue;
    try {
      const v = decodeURIComponent(part.slice(eq + 1).trim());
      return v && v.length <= MAX_TOKEN ? v : null;
    } catch {
      return null;
    }
  }
  return null;
}

function secure(req: Request, publicUrl: string | null): boolean {
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim().toLowerCase();
  return req.protocol === 'https' || forwarded === 'https' || !!publicUrl?.startsWith('https:');
}

function cookie(req: Request, publicUrl: string | null, value: string, maxAge: number): string {
  return `${LOGIN_COOKIE}=${encodeURIComponent(value)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure(req, publicUrl) ? '; Secure' : ''}`;
}

/** `POST /api/login` and `POST /api/logout` (the team auth lets both through: they check the token themselves). */
export function registerLogin(router: Router, ctx: { config: Pick<ServerConfig, 'token' | 'publicUrl'>; store: PgStore; log: Logger }): void {
  router.post('/api/login', express.json({ limit: 4096 }), (req: Request, res: Response) => {
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !token.trim() || token.length > MAX_TOKEN) {
      res.status(400).json({ error: `token must be the access token as a string (1 to ${MAX_TOKEN} characters)`, errors: [{ field: 'token', message: 'required' }] });
      return;
    }
    const t = token.trim();
    const ok = () => {
      res.setHeader('Set-Cookie', cookie(req, ctx.config.publicUrl, t, LOGIN_MAX_AGE_S));
      res.setHeader('Cache-Control', 'no-store');
      res.status(204).end();
    };
    if (ctx.config.token && secretMatches(t, ctx.config.token)) {
      ok();
      return;
    }
    checkToken(ctx.store.pool, t).then(
      (c) => (c.ok ? ok() : res.status(401).json({ error: `refused: ${c.why}` })),
      (e: Error) => {
        ctx.log.warn(`postgres: checking a token failed: ${e.message}`);
        res.status(503).json({ error: `the team database did not answer the token check: ${e.message}` });
      },
    );
  });
  router.post('/api/logout', (req: Request, res: Response) => {
    res.setHeader('Set-Cookie', cookie(req, ctx.config.publicUrl, '', 0));
    res.status(204).end();
  });
}

/** The sign-in form, under the same strict CSP as the dashboard (script and style by nonce). */
export function sendLoginPage(res: Response): void {
  const nonce = randomBytes(16).toString('base64');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`,
  );
  res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>AgentMonitor team: sign in</title>
<link rel="icon" href="/media/icon.svg"><link rel="stylesheet" href="/media/${DASHBOARD_ASSETS.browserTheme}">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family, sans-serif); background: var(--vscode-editor-background); color: var(--vscode-foreground); }
main { max-width: 26rem; margin: 12vh auto; padding: 0 1rem; }
form { display: grid; gap: 0.5rem; }
input, button { font: inherit; padding: 0.4rem 0.6rem; }
#login-error { color: var(--vscode-errorForeground); min-height: 1.5em; }
</style></head>
<body><main data-testid="team-login">
<h1>AgentMonitor team</h1>
<p>This team server needs an access token to show its dashboard.</p>
<form id="login"><label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required maxlength="${MAX_TOKEN}" autofocus>
<button type="submit">Sign in</button>
<p id="login-error" role="alert"></p></form>
<p>An admin creates one with <code>agentmonitor team token create --person EMAIL</code>. The browser keeps the sign-in for 12 hours in a cookie that scripts cannot read.</p>
</main>
<script nonce="${nonce}">
(function () {
  var form = document.getElementById('login');
  var error = document.getElementById('login-error');
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    error.textContent = '';
    fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: document.getElementById('token').value }) })
      .then(function (r) {
        if (r.status === 204) { location.reload(); return; }
        return r.json().then(function (b) { error.textContent = (b && b.error) || 'sign-in failed (' + r.status + ')'; }, function () { error.textContent = 'sign-in failed (' + r.status + ')'; });
      })
      .catch(function (x) { error.textContent = 'the server did not answer: ' + x.message; });
  });
})();
</script></body></html>`);
}
