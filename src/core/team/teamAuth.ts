/**
 * Who may use a team server: the Host and Origin checks of the local server (DNS rebinding, CSRF),
 * then tokens. Every write needs a person's token (`team token create`) and is stored as that
 * person (`res.locals.person`, read by the events route into `IngestOptions.person`); reads need
 * one too unless the server is bound to loopback. `AGENTMONITOR_TOKEN`, when set, is a service
 * token for a trusted relay (an OTel collector that sets `user.email`): its writes keep each
 * event's own person. A write's `X-AgentMonitor-Machine` header names the machine its events came
 * from (`res.locals.machine`).
 */
import type { RequestHandler, Response } from 'express';
import type { ServerConfig } from '../config';
import type { Logger } from '../log';
import { isLoopbackHost, refuseForeignHostOrOrigin, secretMatches, WRITE_METHODS } from '../server/security';
import { machineHeader } from '../server/writer';
import { checkToken } from './pgTokens';
import type { PgStore } from './pgStore';

function unauthorized(res: Response, why: string): void {
  res.status(401).set('www-authenticate', 'Bearer realm="agentmonitor-team"').json({ error: why });
}

export function teamAuth(config: Pick<ServerConfig, 'host' | 'token'>, store: PgStore, log: Logger): RequestHandler {
  const openReads = isLoopbackHost(config.host);
  return (req, res, next) => {
    if (refuseForeignHostOrOrigin(req, res, config.host)) return;
    const write = WRITE_METHODS.has(req.method);
    if (!write && openReads) {
      next();
      return;
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) {
      unauthorized(res, `${write ? 'writes' : 'reads'} on this team server need a token: send "Authorization: Bearer <token>" (an admin creates one with "agentmonitor team token create --person EMAIL")`);
      return;
    }
    const token = m[1];
    const machine = machineHeader(req);
    if (machine.error) {
      res.status(400).json({ error: machine.error });
      return;
    }
    if (machine.machine !== undefined) res.locals.machine = machine.machine;
    if (config.token && secretMatches(token, config.token)) {
      next();
      return;
    }
    checkToken(store.pool, token).then(
      (c) => {
        if (!c.ok) {
          unauthorized(res, `refused: ${c.why}`);
          return;
        }
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
