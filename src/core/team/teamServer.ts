/**
 * The team server (`agentmonitor serve --database-url postgres://…`): stateless, over PostgreSQL
 * (`pgStore.ts`), so several can serve one database. It serves our JSON ingest contract, OTLP
 * (`pgOtel.ts` keeps its counters and Codex ordinals) and hooks (the local route modules, over a
 * PostgreSQL `IngestSink`), `GET /api/health` (storage `postgres`), the
 * dashboard and the local read routes over `PgReader` (`pgRead.ts`; `person=` filters, `by=person`),
 * and `GET /api/stream`, whose events come from LISTEN/NOTIFY, so a client of any server sees what
 * any server committed. Every other route, and a read whose query `PgReader` does not answer yet,
 * answers 501 naming what a team server serves. Access: `teamAuth.ts` (per-person tokens).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Health, HealthBrief } from '../contracts/api';
import type { EventInput } from '../contracts/events';
import { loadConfig, type ServerConfig } from '../config';
import { channelEventId } from '../contracts/eventIds';
import { toRecords } from '../ingest/normalize';
import type { IngestOptions, IngestOutcome, IngestSink } from '../ingest/types';
import { stderrLogger, type Logger } from '../log';
import { SseHub } from '../server/sseHub';
import * as eventsRoute from '../server/routes/events';
import * as streamRoute from '../server/routes/stream';
import * as otelRoute from '../server/routes/otel';
import * as hooksRoute from '../server/routes/hooks';
import * as dashboardRoute from '../server/routes/dashboard';
import * as searchRoute from '../server/routes/search';
import * as usageMonitorRoute from '../server/routes/usageMonitor';
import { registerReads } from '../server/routes/queries';
import { VERSION } from '../version';
import { NotServedError, PgReader } from './pgRead';
import { statsParams } from '../store/queries/stats';
import { PgStore, redactUrl, type TeamRecord } from './pgStore';
import { PgOtelStore } from './pgOtel';
import { teamAuth } from './teamAuth';
import { registerLogin, sendLoginPage } from './teamLogin';

/**
 * Who sent an event written with the service token (`AGENTMONITOR_TOKEN`): `metadata["user.email"]`
 * (OTLP's resource attribute), else `metadata.user_email`, else `unknown`. A person's token
 * overrides it (`IngestOptions.person`).
 */
export function personOf(e: EventInput): string {
  const m = e.metadata;
  if (m && typeof m === 'object' && !Array.isArray(m)) {
    for (const k of ['user.email', 'user_email']) {
      const v = (m as Record<string, unknown>)[k];
      if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 320);
    }
  }
  return 'unknown';
}

/** Errors of the team database, answered 503 with what failed (never a bare 500). */
class TeamStoreError extends Error {
  readonly status = 503;
  readonly expose = true;
}

/** The ingest boundary over PostgreSQL: acknowledged once the batch's transaction committed. */
export class TeamIngest implements IngestSink {
  constructor(
    private readonly store: PgStore,
    private readonly config: ServerConfig,
    private readonly otel: PgOtelStore,
  ) {}

  async ingest(events: EventInput[], opts: IngestOptions = {}): Promise<IngestOutcome> {
    const settings = { source: opts.source ?? 'api', maxPayloadBytes: this.config.maxPayloadBytes, storeThinking: this.config.storeThinking, numberCodexPrompts: opts.numberCodexPrompts };
    const machine = opts.machine ?? null;
    const records: TeamRecord[] = toRecords(events, settings).map((r, i) => ({ ...r, person: opts.person ?? personOf(events[i]), machine }));
    try {
      // Codex hook prompts get their turn's id, as the local store gives them (`store/numberTurns.ts`).
      const turns = records.filter((r) => r.number_turn !== undefined);
      if (turns.length) {
        const ordinals = await this.otel.assignOrdinals(turns.map((r) => ({ kind: 'hook_prompt', conversation_id: r.session_id, record_key: r.number_turn! })));
        turns.forEach((r, i) => {
          r.event_id = channelEventId('prompt', 'codex', r.session_id, String(ordinals[i]));
          delete r.number_turn;
        });
      }
      const out = await this.store.insert(records);
      return { ...out, completed: 0 };
    } catch (e) {
      throw new TeamStoreError(`the team database did not take the events: ${(e as Error).message}`);
    }
  }

  /** No journal ahead of PostgreSQL: `applied` is the commit (the hook route waits for it on a team server). */
  journalNow(events: EventInput[], opts?: IngestOptions): { applied: Promise<IngestOutcome> } {
    return { applied: this.ingest(events, opts) };
  }
}

export interface RunningTeamServer {
  url: string;
  port: number;
  store: PgStore;
  hub: SseHub;
  /** Settles once the events stored before search existed are indexed (the number indexed). */
  searchBackfill: Promise<number>;
  close(): Promise<void>;
}

export interface TeamStartOptions {
  databaseUrl: string;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
}

const SERVED =
  'the dashboard (GET /; off loopback its sign-in, POST /api/login), POST /api/events, POST /api/events/batch, POST /api/otel/v1/logs|metrics|traces, POST /api/hooks/claude-code|codex, GET /api/health, /api/stats, /api/stats/cost, /api/stats/tools, /api/stats/pulse, ' +
  '/api/sessions, /api/sessions/:id (and its transcript and timeline), /api/attention, /api/events, /api/filter-options, /api/search, /api/stats/usage-monitor, /api/stream';

export async function startTeamServer(overrides: Partial<ServerConfig>, opts: TeamStartOptions): Promise<RunningTeamServer> {
  const config = loadConfig(opts.env ?? process.env, overrides);
  const log = opts.log ?? stderrLogger();
  // No bind check: off loopback every request needs a token (teamAuth.ts).
  const store = await PgStore.open(opts.databaseUrl, log);
  const reader = new PgReader(store);
  const serverZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // `stats` messages (throttled by the hub) and `session_update`s, as the local server sends them.
  const hub = new SseHub({ maxClients: config.maxSseClients, heartbeatMs: config.sseHeartbeatMs, log, computeStats: () => reader.query('stats', statsParams(config, serverZone)) });
  const startedAt = Date.now();
  try {
    await store.listen((ids) => {
      if (!hub.clientCount()) return;
      store
        .eventsByIds(ids)
        .then(async (events) => {
          for (const event of events) hub.broadcast({ type: 'event', event });
          const clock = { now: Date.now(), idleMs: config.idleAfterMinutes * 60_000, endMs: config.endAfterMinutes * 60_000 };
          for (const session of await reader.query('sessionsByIds', { ...clock, ids: [...new Set(events.map((e) => e.session_id))] })) hub.broadcast({ type: 'session_update', session });
        })
        .catch((e: Error) => log.warn(`postgres: could not read notified events: ${e.message}`));
    });
  } catch (e) {
    hub.close();
    await store.close();
    throw e;
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(teamAuth(config, store, log));
  const router = express.Router();
  const otelStore = new PgOtelStore(store.pool);
  const ingest = new TeamIngest(store, config, otelStore);
  eventsRoute.register(router, { config, ingest });
  otelRoute.register(router, { config, ingest, log, store: otelStore });
  // Gemini CLI's hooks wait for its chat log (agents/geminiCli/hooks.ts), which is on the person's machine: push carries them.
  hooksRoute.register(router, { config, ingest, log, ackAfterStore: true, agents: ['claude-code', 'codex'] });
  streamRoute.register(router, { sse: hub, people: true });
  registerLogin(router, { config, store, log });
  router.get('/api/health', async (req, res) => {
    if (!res.locals.reader) {
      // Off loopback without a token (a load balancer): up or not, and the backend; nothing else.
      let up = true;
      try {
        await store.pool.query('SELECT 1');
      } catch (e) {
        up = false;
        log.warn(`health: postgres query failed: ${(e as Error).message}`);
      }
      const brief: HealthBrief = { status: up ? 'ok' : 'degraded', storage: 'postgres' };
      res.status(up ? 200 : 503).json(brief);
      return;
    }
    let events = -1;
    let status: Health['status'] = 'ok';
    try {
      events = await store.eventCount();
    } catch (e) {
      status = 'degraded';
      log.warn(`health: postgres query failed: ${(e as Error).message}`);
    }
    const body: Health = {
      status,
      service: 'agentmonitor',
      storage: 'postgres',
      version: VERSION,
      pid: process.pid,
      port: req.socket.localPort ?? config.port,
      host: config.host,
      db_path: redactUrl(opts.databaseUrl),
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      sse_clients: hub.clientCount(),
      events,
      journal_pending: 0,
      journal_seq: 0,
      last_snapshot_at: null,
    };
    res.json(body);
  });
  // The local read routes over the PostgreSQL reader (one route layer), and the dashboard they feed.
  registerReads(router, { config, store: reader, cached: (_key, _ttl, compute) => compute(), warmer: { want() {} }, people: true });
  searchRoute.register(router, { store: reader, people: true });
  usageMonitorRoute.register(router, { config, store: reader, people: true });
  // Off loopback, the page of a browser without a valid token is the sign-in form.
  router.get(['/', '/index.html'], (_req, res, next) => (res.locals.reader ? next() : sendLoginPage(res)));
  dashboardRoute.register(router, { config, version: VERSION });
  app.use(router);
  const notServed = (req: express.Request, res: express.Response) => {
    res.status(501).json({ error: `${req.method} ${req.path} is not available in team mode (PostgreSQL) yet; a team server serves ${SERVED}` });
  };
  app.use(notServed);
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (err instanceof NotServedError) {
      notServed(req, res);
      return;
    }
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string; limit?: number; expose?: boolean };
    const status = e.status ?? e.statusCode ?? 500;
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: `request body larger than the limit of ${e.limit ?? config.maxBodyBytes} bytes` });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: `invalid JSON body: ${e.message ?? ''}` });
      return;
    }
    if (status >= 500) log.error(`request failed: ${(err as Error)?.stack ?? String(err)}`);
    if (res.headersSent) return;
    res.status(status).json({ error: status >= 500 && !e.expose ? 'internal error' : (e.message ?? 'bad request') });
  });

  let server: http.Server;
  try {
    server = await new Promise<http.Server>((resolve, reject) => {
      const s = http.createServer(app);
      s.once('error', reject);
      s.listen(config.port, config.host, () => {
        s.off('error', reject);
        resolve(s);
      });
    });
  } catch (e) {
    hub.close();
    await store.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  // Rows stored before search existed are indexed in the background; search answers what is indexed meanwhile.
  const searchBackfill = store.backfillSearch().then(
    (n) => {
      if (n) log.info(`postgres: indexed ${n} older events for search`);
      return n;
    },
    (e: Error) => {
      log.warn(`postgres: indexing older events for search failed: ${e.message} (it resumes at the next start)`);
      return 0;
    },
  );
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closed = false;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    store,
    hub,
    searchBackfill,
    async close() {
      if (closed) return;
      closed = true;
      hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}
