/**
 * Security on every route, before anything else runs:
 * - DNS rebinding: the `Host` header must name this server (127.0.0.1, localhost, [::1] or the
 *   configured host, with the port actually bound — read from the socket, so port 0 works).
 *   When bound to a wildcard address, IP literals are accepted too (rebinding needs a domain).
 * - CSRF: a request with an `Origin` must come from this server's own origin or a VS Code webview.
 * - With a token configured, writes (POST/PUT/PATCH/DELETE) need `Authorization: Bearer <token>`
 *   (compared in constant time); reads stay open to loopback clients and need it otherwise.
 * - Binding off loopback needs a token (`checkBindExposure`, at start).
 */
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import type { ServerConfig } from '../config';
import type { Logger } from '../log';
import type { ServerContext } from './context';

export const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** Split `host[:port]` (IPv6 in brackets); port null when absent. */
export function splitHost(value: string): { name: string; port: number | null } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return null;
  return { name: stripBrackets(m[1]).toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) };
}

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return a === '::1' || a.startsWith('127.');
}

/** Whether a `host[:port]` string names this server listening on `port`. */
export function isOwnHost(value: string, port: number, configuredHost: string): boolean {
  const h = splitHost(value);
  if (!h) return false;
  if ((h.port ?? 80) !== port) return false;
  const configured = stripBrackets(configuredHost).toLowerCase();
  if (LOOPBACK_NAMES.includes(h.name) || h.name === configured) return true;
  return WILDCARDS.has(configured) && net.isIP(h.name) !== 0;
}

export function isAllowedOrigin(origin: string, port: number, configuredHost: string): boolean {
  if (origin.startsWith('vscode-webview://')) return true;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' || u.pathname !== '/' || u.username || u.password) return false;
  return isOwnHost(u.host, port, configuredHost);
}

function digest(s: string): Buffer {
  return crypto.createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time comparison of a secret a client sent; an empty one never matches. */
export function secretMatches(given: string, secret: string): boolean {
  // Compare fixed-length digests so neither content nor length leaks through timing.
  return crypto.timingSafeEqual(digest(given), digest(secret)) && given.length > 0;
}

export function tokenMatches(header: string | undefined, token: string): boolean {
  const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return secretMatches(m ? m[1].trim() : '', token);
}

/** Whether binding `host` keeps the server reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = stripBrackets(host).toLowerCase();
  return h === 'localhost' || isLoopbackAddress(h);
}

/**
 * Refuses (throws) to bind off loopback without a token: every read and write of the API would be
 * open to the network. With `insecureNoToken` it only warns.
 */
export function checkBindExposure(config: Pick<ServerConfig, 'host' | 'token' | 'insecureNoToken'>, log: Logger): void {
  if (config.token || isLoopbackHost(config.host)) return;
  const open =
    `listening on ${config.host} without AGENTMONITOR_TOKEN would open every read (sessions, prompts, tool inputs, costs) ` +
    'and every write (events, imports, deleting all data) of the API to the network';
  if (!config.insecureNoToken) {
    throw new Error(
      `refusing to start: ${open}. Set AGENTMONITOR_TOKEN=<a long random secret> (clients then send "Authorization: Bearer <secret>"), ` +
        'or bind to 127.0.0.1, or accept it with --insecure-no-token (env AGENTMONITOR_INSECURE_NO_TOKEN=1)',
    );
  }
  log.warn(`INSECURE: ${open}; --insecure-no-token / AGENTMONITOR_INSECURE_NO_TOKEN=1 asked for it`);
}

function localPort(req: Request): number {
  return req.socket.localPort ?? 0;
}

/** Whether a `host[:port]` names the public origin (a team server's `publicUrl`). */
function isPublicHost(value: string, publicOrigin: string): boolean {
  const h = splitHost(value);
  const u = new URL(publicOrigin);
  const dflt = u.protocol === 'https:' ? 443 : 80;
  return !!h && h.name === u.hostname.toLowerCase() && (h.port ?? dflt) === (u.port ? Number(u.port) : dflt);
}

/**
 * Answers 403 and returns true when the Host or Origin is not this server's (DNS rebinding, CSRF);
 * `publicOrigin` (a team server behind a reverse proxy) is this server's too.
 */
export function refuseForeignHostOrOrigin(req: Request, res: Response, configuredHost: string, publicOrigin: string | null = null): boolean {
  const port = localPort(req);
  const host = req.headers.host;
  if (!host || !(isOwnHost(host, port, configuredHost) || (publicOrigin !== null && isPublicHost(host, publicOrigin)))) {
    res.status(403).json({
      error: `refused: Host "${host ?? ''}" is not this server's address (use http://127.0.0.1:${port}); this protects against DNS rebinding`,
    });
    return true;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== publicOrigin && !isAllowedOrigin(origin, port, configuredHost)) {
    res.status(403).json({ error: `refused: requests from origin "${origin}" are not allowed (only this server's own pages and VS Code webviews)` });
    return true;
  }
  return false;
}

export function securityMiddleware(ctx: Pick<ServerContext, 'config'>): RequestHandler {
  return (req, res, next) => {
    if (refuseForeignHostOrOrigin(req, res, ctx.config.host)) return;
    const token = ctx.config.token;
    if (token && (WRITE_METHODS.has(req.method) || !isLoopbackAddress(req.socket.remoteAddress))) {
      if (!tokenMatches(req.headers.authorization, token)) {
        res.status(401).set('www-authenticate', 'Bearer realm="agentmonitor"').json({
          error: 'missing or wrong token: send "Authorization: Bearer <AGENTMONITOR_TOKEN>"',
        });
        return;
      }
    }
    next();
  };
}
