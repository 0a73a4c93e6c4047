/**
 * Who may use a team server: the Host and Origin checks of the local server (DNS rebinding, CSRF),
 * then tokens. Every write needs a person's token (`team token create`) and is stored as that
 * person (`res.locals.person`, read by the events route into `IngestOptions.person`); reads need
 * one too unless the server is bound to loopback (the dashboard's sign-in cookie carries it for a
 * browser, `teamLogin.ts`). `AGENTMONITOR_TOKEN`, when set, is a service
 * token for a trusted relay (an OTel collector that sets `user.email`): its writes keep each
 * event's own person. A write's `X-AgentMonitor-Machine` header names the machine its events came
 * from (`res.locals.machine`).
 */
import type { RequestHandler, Response } from 'express';
import { TEAM_AUTH_REALM } from '../contracts/api';
import type { ServerConfig } from '../config';
import type { Logger } from '../log';
import { isLoopbackHost, refuseForeignHostOrOrigin, secretMatches, WRITE_METHODS } from '../server/security';
import { machineHeader } from '../server/writer';
import { checkToken } from './pgTokens';
import type { PgStore } from './pgStore';
import { cookieToken } from './teamLogin';

function unauthorized(res: Response, why: string): void {
  res.status(401).set('www-authenticate', `Bearer realm="${TEAM_AUTH_REALM}"`).json({ error: why });
}

/** Static files of the dashboard and the sign-in form: no team data, served to anyone. */
const PUBLIC_FILES = /^\/(assets|media)\/[^/]+$|^\/favicon\.ico$/;
/** The dashboard's page: without a valid token it is the sign-in form (`teamLogin.ts`). */
const PAGES = new Set(['/', '/index.html']);
/** Check the token themselves (`teamLogin.ts`). */
const LOGIN = new Set(['/api/login', '/api/logout']);
/** What a load balancer checks: without a valid token it answers status and storage only. */
const HEALTH = '/api/health';

/**
 * Sets `res.locals.reader` when the request may read everything (open loopback reads or a valid
 * token), and `res.locals.person` for a person's token. Reads carry the token as `Authorization`
 * or as the dashboard's sign-in cookie; writes as `Authorization` only.
 */
export function teamAuth(config: Pick<ServerConfig, 'host' | 'token' | 'publicUrl'>, store: PgStore, log: Logger): RequestHandler {
  // Behind a reverse proxy (publicUrl) the proxy's requests come from loopback: reads need a token.
  const openReads = isLoopbackHost(config.host) && !config.publicUrl;
  return (req, res, next) => {
    if (refuseForeignHostOrOrigin(req, res, config.host, config.publicUrl)) return;
    const write = WRITE_METHODS.has(req.method);
    if (write && LOGIN.has(req.path)) {
      next();
      return;
    }
    if (!write && openReads) {
      res.locals.reader = true;
      next();
      return;
    }
    if (!write && PUBLIC_FILES.test(req.path)) {
      next();
      return;
    }
    // Without a valid token the page is the sign-in form and health the brief answer.
    const soft = !write && (PAGES.has(req.path) || req.path === HEALTH);
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const token = m ? m[1] : write ? null : cookieToken(req);
    if (!token) {
      if (soft) {
        next();
        return;
      }
      unauthorized(
        res,
        write
          ? 'writes on this team server need a token: send "Authorization: Bearer <token>" (an admin creates one with "agentmonitor team token create --person EMAIL")'
          : 'reads on this team server need a token: send "Authorization: Bearer <token>", or sign in on the dashboard (an admin creates one with "agentmonitor team token create --person EMAIL")',
      );
      return;
    }
    const machine = machineHeader(req);
    if (machine.error) {
      res.status(400).json({ error: machine.error });
      return;
    }
    if (machine.machine !== undefined) res.locals.machine = machine.machine;
    if (config.token && secretMatches(token, config.token)) {
      res.locals.reader = true;
      next();
      return;
    }
    checkToken(store.pool, token).then(
      (c) => {
        if (!c.ok) {
          if (soft) {
            next();
            return;
          }
          unauthorized(res, `refused: ${c.why}`);
          return;
        }
        res.locals.reader = true;
        res.locals.person = c.person;
        next();
      },
      (e: Error) => {
        log.warn(`postgres: checking a token failed: ${e.message}`);
        res.status(503).json({ error: `the team database did not answer the token check: ${e.message}` });
      },
    );
  };
}
