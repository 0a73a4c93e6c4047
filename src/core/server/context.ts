/**
 * What every route module receives. Route modules live in `routes/` and export
 * `register(router, ctx)`; `app.ts` mounts them in one place.
 */
import type { ServerConfig } from '../config';
import type { IngestSink } from '../ingest/types';
import type { Logger } from '../log';
import type { Core } from '../runtime';
import type { Warmer } from './warmer';
import type { StoreClient } from '../store/storeClient';
import type { Broadcaster } from '../ingest/broadcaster';

/**
 * What the read routes (`routes/queries.ts` registerReads) need: the local server gives its store,
 * the store's answer cache and the warmer; a team server (`team/teamServer.ts`) its PostgreSQL
 * reader (`team/pgRead.ts`), no cache and no warmer.
 */
export interface ReadContext {
  config: ServerConfig;
  store: StoreClient;
  /** An answer kept `ttlMs` while nothing was written (or computed each time). */
  cached<T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<T>;
  warmer: Pick<Warmer, 'want'>;
  /** The store knows who sent each event (a team server): `person=` filters and `by=person` are served. */
  people: boolean;
}

export interface ServerContext {
  config: ServerConfig;
  store: StoreClient;
  ingest: IngestSink;
  sse: Broadcaster;
  log: Logger;
  version: string;
  startedAt: number;
  /** The running core (store stats for health, clear, snapshots; the answer cache). */
  core: Core;
  /** Keeps the dashboard's heavy answers ready (`warmer.ts`). */
  warmer: Warmer;
  /** This run's secret from the 0600 lock file: a client sending it runs as this server's user. */
  lockKey?: string;
  /** Tail the transcript a hook names (the log watcher's, while `serve` follows logs live). */
  followTranscript?(sessionId: string, transcriptPath: string): void;
}
