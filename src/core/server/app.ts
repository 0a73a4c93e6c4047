/**
 * The express app: security first, then every route module, then JSON errors. Route modules own
 * their body parsing (JSON, OTLP protobuf, gzip) so each can bound and type its own input.
 */
import express from 'express';
import type { ServerContext } from './context';
import { securityMiddleware } from './security';
import * as events from './routes/events';
import * as queries from './routes/queries';
import * as stream from './routes/stream';
import * as health from './routes/health';
import * as importRoute from './routes/importRoute';
import * as hooks from './routes/hooks';
import * as otel from './routes/otel';
import * as usageMonitor from './routes/usageMonitor';
import * as dashboard from './routes/dashboard';
import * as data from './routes/data';
import * as search from './routes/search';
import * as statusLine from './routes/statusLine';

export function createApp(ctx: ServerContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityMiddleware(ctx));
  // Dashboard reads (not ingest, hooks or the stream) hold back the warmer's work while they come.
  app.use('/api', (req, _res, next) => {
    if (req.method === 'GET' && req.path !== '/stream' && req.path !== '/health') ctx.warmer.userRequest();
    next();
  });
  const router = express.Router();
  for (const mod of [health, events, queries, search, stream, importRoute, hooks, statusLine, otel, usageMonitor, data, dashboard]) {
    mod.register(router, ctx);
  }
  app.use(router);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string; limit?: number; expose?: boolean };
    const status = e.status ?? e.statusCode ?? 500;
    if (e.type === 'entity.too.large') {
      // body-parser reports the limit of the parser that refused: each route bounds its own body.
      res.status(413).json({ error: `request body larger than the limit of ${e.limit ?? ctx.config.maxBodyBytes} bytes` });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: `invalid JSON body: ${e.message ?? ''}` });
      return;
    }
    if (status >= 500) ctx.log.error(`request failed: ${(err as Error)?.stack ?? String(err)}`);
    if (res.headersSent) return;
    // `expose`: a message meant for the client (a full disk, an overloaded store: see StorageError).
    res.status(status).json({ error: status >= 500 && !e.expose ? 'internal error' : (e.message ?? 'bad request') });
  });
  return app;
}
