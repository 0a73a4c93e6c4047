/**
 * The composition root of the server process: store + ingest + SSE hub (+ log watcher), without
 * HTTP. `startServer` adds the express app on top; CLI commands that run with no server use this
 * directly.
 */
import * as fs from 'node:fs';
import type { ServerConfig } from './config';
import type { Logger } from './log';
import { Ingestor } from './ingest/pipeline';
import { setPriceUpdate } from './pricing/priceTables';
import { loadPriceUpdate } from './pricing/priceUpdate';
import type { Broadcaster } from './ingest/broadcaster';
import { Store } from './store/store';
import type { SseMessage } from './contracts/sse';

export interface Core {
  config: ServerConfig;
  store: Store;
  ingest: Ingestor;
  hub: Broadcaster & { close?(): void };
  log: Logger;
  close(): Promise<void>;
}

export interface CoreOptions {
  config: ServerConfig;
  log: Logger;
  /** Broadcast target; defaults to a hub with no clients. */
  hub?: Broadcaster & { close?(): void };
  /** Open without journal or snapshots (read-only reporting). */
  readOnly?: boolean;
}

/** Price new usage with the database's price update (`agentmonitor prices update`), if it has one. */
function usePriceUpdateOf(dbPath: string, log: Logger): void {
  try {
    setPriceUpdate(loadPriceUpdate(dbPath)?.models ?? {});
  } catch (e) {
    log.warn(`ignoring the price update: ${(e as Error).message}`);
    setPriceUpdate({});
  }
}

export const nullHub: Broadcaster & { close?(): void } = {
  broadcast(_msg: SseMessage) {},
  clientCount: () => 0,
};

export async function openCore(opts: CoreOptions): Promise<Core> {
  const { config, log } = opts;
  if (opts.readOnly && !fs.existsSync(config.dbPath)) {
    throw new Error(`no database at ${config.dbPath}`);
  }
  const store = await Store.open({ dbPath: config.dbPath, log, snapshotIntervalS: config.snapshotIntervalS, readOnly: opts.readOnly, retentionDays: config.retentionDays });
  usePriceUpdateOf(config.dbPath, log);
  const hub = opts.hub ?? nullHub;
  const ingest = new Ingestor({
    store,
    hub,
    log,
    maxPayloadBytes: config.maxPayloadBytes,
    storeThinking: config.storeThinking,
    idleAfterMinutes: config.idleAfterMinutes,
    endAfterMinutes: config.endAfterMinutes,
  });
  let closed = false;
  return {
    config,
    store,
    ingest,
    hub,
    log,
    async close() {
      if (closed) return;
      closed = true;
      ingest.close();
      hub.close?.();
      await store.close();
    },
  };
}
