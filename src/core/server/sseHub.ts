/**
 * The SSE hub behind `GET /api/stream` (messages in contracts/sse.ts). Bounded in every direction:
 * at most `maxClients` clients (503 past it); a client whose unsent bytes stay above
 * `maxBufferedBytes` at two consecutive checks, or ever exceed the hard cap, is dropped rather than
 * buffered without limit (a fast client briefly above the soft limit after a large batch is kept);
 * `stats` messages are
 * computed at most once per STATS_THROTTLE_MS and only after something changed; a heartbeat
 * comment keeps idle connections (and proxies) alive.
 */
import type { Request, Response } from 'express';
import type { Stats } from '../contracts/api';
import type { EventFilter, SseMessage } from '../contracts/sse';
import { FILTER_KEYS, STATS_THROTTLE_MS } from '../contracts/sse';
import type { Logger } from '../log';
import { VERSION } from '../version';
import type { Broadcaster } from '../ingest/broadcaster';

export interface SseHubOptions {
  maxClients: number;
  heartbeatMs: number;
  log: Logger;
  computeStats?: () => Promise<Stats>;
  /** Unsent bytes a client may keep across two checks before it is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Unsent bytes at which a client is dropped at once (default 8 × maxBufferedBytes, at least 8 MiB). */
  hardMaxBufferedBytes?: number;
  /** Interval of the slow-client check (default 1000 ms). */
  slowCheckMs?: number;
}

interface Client {
  res: Response;
  filter: EventFilter;
  /** Consecutive checks that found the client above the soft limit. */
  strikes: number;
}

/** Messages after which the headline stats may have changed. */
const CHANGES_STATS = new Set<SseMessage['type']>(['event', 'session_update', 'import_done', 'data_cleared']);

export function frame(msg: SseMessage): string {
  return `event: ${msg.type}\ndata: ${JSON.stringify(msg)}\n\n`;
}

/** Whether a client with this filter receives the message. */
export function matchesFilter(f: EventFilter, msg: SseMessage): boolean {
  if (msg.type === 'event') {
    const e = msg.event;
    for (const k of FILTER_KEYS) {
      const want = f[k];
      if (want && want.length && !want.includes(String(e[k] ?? ''))) return false;
    }
    return true;
  }
  if (msg.type === 'session_update') {
    const s = msg.session;
    if (f.agent_type?.length && !f.agent_type.includes(s.agent_type)) return false;
    if (f.session_id?.length && !f.session_id.includes(s.session_id)) return false;
    if (f.project?.length && !f.project.includes(s.project ?? '')) return false;
    if (f.person?.length && !f.person.includes(s.person ?? '')) return false;
    if (f.machine?.length && !f.machine.includes(s.machine ?? '')) return false;
  }
  return true;
}

export class SseHub implements Broadcaster {
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly slowCheck: NodeJS.Timeout;
  private readonly maxBuffered: number;
  private readonly hardMaxBuffered: number;
  private statsTimer: NodeJS.Timeout | null = null;
  private statsRunning = false;
  private statsDirty = false;
  private lastStatsAt = 0;
  private closed = false;
  /** Clients dropped for falling behind, since start. */
  dropped = 0;

  constructor(private readonly o: SseHubOptions) {
    this.maxBuffered = o.maxBufferedBytes ?? 1024 * 1024;
    this.hardMaxBuffered = o.hardMaxBufferedBytes ?? Math.max(8 * this.maxBuffered, 8 * 1024 * 1024);
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) this.write(c, ': heartbeat\n\n');
    }, o.heartbeatMs);
    this.heartbeat.unref();
    this.slowCheck = setInterval(() => this.dropSlowClients(), o.slowCheckMs ?? 1000);
    this.slowCheck.unref();
  }

  private dropSlowClients(): void {
    for (const c of this.clients) {
      if (c.res.writableLength <= this.maxBuffered) c.strikes = 0;
      else if (++c.strikes >= 2) this.drop(c);
    }
  }

  private drop(c: Client): void {
    this.dropped++;
    this.o.log.warn(`dropping an SSE client that fell ${c.res.writableLength} bytes behind`);
    this.clients.delete(c);
    c.res.destroy();
  }

  private readonly corked = new Set<Client>();

  clientCount(): number {
    return this.clients.size;
  }

  attach(req: Request, res: Response, filter: EventFilter): void {
    if (this.closed || this.clients.size >= this.o.maxClients) {
      res.status(503).set('retry-after', '5').json({ error: `too many SSE clients (at most ${this.o.maxClients}); close another dashboard or raise AGENTMONITOR_MAX_SSE_CLIENTS` });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    const client: Client = { res, filter, strikes: 0 };
    this.clients.add(client);
    const remove = () => this.clients.delete(client);
    res.on('close', remove);
    res.on('error', remove);
    this.write(client, `retry: 3000\n\n${frame({ type: 'hello', server_version: VERSION, at: new Date().toISOString() })}`);
  }

  broadcast(msg: SseMessage): void {
    if (this.closed) return;
    if (this.clients.size) {
      let text: string | null = null;
      for (const c of this.clients) {
        if (!matchesFilter(c.filter, msg)) continue;
        text ??= frame(msg);
        this.write(c, text);
      }
    }
    if (CHANGES_STATS.has(msg.type)) this.statsChanged();
  }

  private write(c: Client, text: string): void {
    const res = c.res;
    if (res.destroyed || res.writableEnded) {
      this.clients.delete(c);
      return;
    }
    if (res.writableLength + text.length > this.hardMaxBuffered) {
      this.drop(c);
      return;
    }
    // Messages broadcast in one synchronous run (a batch's events, its session updates) leave in
    // one socket write per client. The uncork is a microtask, not a nextTick: it runs before the
    // ingest route's own continuation answers the POST, so a batch reaches the dashboards without
    // waiting behind that response (node runs nextTicks only once the microtask queue is empty).
    if (!this.corked.has(c)) {
      res.cork();
      this.corked.add(c);
      if (this.corked.size === 1) queueMicrotask(() => this.uncorkAll());
    }
    res.write(text);
  }

  private uncorkAll(): void {
    for (const c of this.corked) if (!c.res.destroyed) c.res.uncork();
    this.corked.clear();
  }

  private statsChanged(): void {
    if (!this.o.computeStats) return;
    this.statsDirty = true;
    if (this.statsTimer || this.statsRunning || !this.clients.size) return;
    const wait = Math.max(0, this.lastStatsAt + STATS_THROTTLE_MS - Date.now());
    this.statsTimer = setTimeout(() => void this.sendStats(), wait);
    this.statsTimer.unref();
  }

  private async sendStats(): Promise<void> {
    this.statsTimer = null;
    if (this.closed || !this.statsDirty || !this.clients.size) return;
    this.statsDirty = false;
    this.statsRunning = true;
    this.lastStatsAt = Date.now();
    try {
      const stats = await this.o.computeStats!();
      if (!this.closed) {
        const text = frame({ type: 'stats', stats });
        for (const c of this.clients) this.write(c, text);
      }
    } catch (e) {
      this.o.log.warn(`could not compute stats for SSE: ${(e as Error).message}`);
    } finally {
      this.statsRunning = false;
    }
    if (this.statsDirty) this.statsChanged();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.slowCheck);
    if (this.statsTimer) clearTimeout(this.statsTimer);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}
