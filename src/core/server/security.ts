import type { RequestHandler } from 'express';
import type { ServerContext } from './context';

/** Placeholder: Host/Origin checks and bearer auth land with the server-core routes. */
export function securityMiddleware(_ctx: ServerContext): RequestHandler {
  return (_req, _res, next) => next();
}
