/**
 * Starting the HTTP server: lock the database, open the core (store, ingest, SSE hub), listen on
 * 127.0.0.1 by default, and stop cleanly (drain connections, flush, final snapshot).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type ServerConfig } from '../config';
import { stderrLogger, type Logger } from '../log';
import { openCore, type Core } from '../runtime';
import { VERSION } from '../version';
import { createApp } from './app';
import { importJobs } from './routes/importRoute';
import { warmViewsBeforeListening } from './routes/queries';
import { Warmer } from './warmer';
import type { ServerContext } from './context';
import { statsParams } from '../store/queries/stats';
import { acquireLock, newLockKey } from './lockFile';
import { portTakenMessage, probePortHolder } from './portHolder';
import { checkBindExposure } from './security';
import { SseHub } from './sseHub';

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  core: Core;
  ctx: ServerContext;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Hook to start extra services (the log watcher) once the core is open. */
  onCoreOpen?: (core: Core) => Promise<{ close(): Promise<void>; followTranscript?(sessionId: string, transcriptPath: string): void } | null>;
}

/**
 * Listen, resolving once listening and rejecting on the listen error. (Express 5's `app.listen`
 * calls its callback on an error too, which would hand a server that never listened onward.)
 */
function listen(app: http.RequestListener, port: number, host: string): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const s = http.createServer(app);
    s.once('error', reject);
    s.listen(port, host, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

export async function startServer(overrides: Partial<ServerConfig> = {}, opts: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(opts.env ?? process.env, overrides);
  const log = opts.log ?? stderrLogger();
  checkBindExposure(config, log);
  const lockKey = newLockKey();
  const lockOpts = { log, token: config.token };
  // Port 0 in the lock until we listen: nobody can be sent to a port we do not answer on yet.
  const releaseLock = await acquireLock(config.dbPath, { port: 0, host: config.host, key: lockKey }, lockOpts);
  let core: Core;
  const ctxRef: { ctx: ServerContext | null } = { ctx: null };
  const hub = new SseHub({
    maxClients: config.maxSseClients,
    heartbeatMs: config.sseHeartbeatMs,
    log,
    computeStats: () => ctxRef.ctx!.store.query('stats', statsParams(config, Intl.DateTimeFormat().resolvedOptions().timeZone)),
  });
  try {
    core = await openCore({ config, log, hub });
  } catch (e) {
    releaseLock();
    throw e;
  }
  const warmer = new Warmer({ generation: () => core.store.generation, dashboards: () => hub.clientCount() });
  const ctx: ServerContext = { config, store: core.store, ingest: core.ingest, sse: hub, log, version: VERSION, startedAt: Date.now(), core, lockKey, warmer };
  ctxRef.ctx = ctx;
  const app = createApp(ctx);
  await warmViewsBeforeListening(ctx);
  let server: http.Server;
  try {
    server = await listen(app, config.port, config.host);
  } catch (e) {
    hub.close();
    await core.close();
    releaseLock();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(portTakenMessage(config.host, config.port, await probePortHolder(config.host, config.port, config.token)), { cause: e });
    throw e;
  }
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
  const port = (server.address() as AddressInfo).port;
  await acquireLock(config.dbPath, { port, host: config.host, key: lockKey }, lockOpts);
  const extra = opts.onCoreOpen ? await opts.onCoreOpen(core) : null;
  if (extra?.followTranscript) ctx.followTranscript = extra.followTranscript.bind(extra);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    host: config.host,
    core,
    ctx,
    close() {
      closing ??= (async () => {
        await extra?.close();
        // A running import stops at its next file boundary; what it stored so far stays.
        await importJobs(ctx).close();
        hub.close();
        warmer.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections?.();
          setTimeout(() => server.closeAllConnections?.(), 250).unref();
        });
        await core.close();
        releaseLock();
      })();
      return closing;
    },
  };
}
