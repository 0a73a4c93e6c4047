/**
 * SSE hub (minimal version by the lead so the server runs; the query/SSE owner extends it):
 * bounded client count (503 past it), heartbeat comments, per-client filters, a bounded send
 * buffer per client (a slow client is dropped), throttled `stats` messages.
 */
import type { Request, Response } from 'express';
import type { Stats } from '../contracts/api';
import type { EventFilter, SseMessage } from '../contracts/sse';
import { STATS_THROTTLE_MS } from '../contracts/sse';
import type { Logger } from '../log';
import type { Broadcaster } from './context';

export interface SseHubOptions {
  maxClients: number;
  heartbeatMs: number;
  log: Logger;
  computeStats?: () => Promise<Stats>;
  /** Bytes a client may have unsent before it is dropped. */
  maxBufferedBytes?: number;
}

interface Client {
  res: Response;
  filter: EventFilter;
}

export class SseHub implements Broadcaster {
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout;
  private statsTimer: NodeJS.Timeout | null = null;
  private lastStatsAt = 0;

  constructor(private readonly o: SseHubOptions) {
    this.heartbeat = setInterval(() => this.writeAll(': heartbeat\n\n'), o.heartbeatMs);
    this.heartbeat.unref();
  }

  clientCount(): number {
    return this.clients.size;
  }

  attach(req: Request, res: Response, filter: EventFilter): void {
    if (this.clients.size >= this.o.maxClients) {
      res.status(503).json({ error: `too many SSE clients (max ${this.o.maxClients})` });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const client: Client = { res, filter };
    this.clients.add(client);
    req.on('close', () => this.clients.delete(client));
    this.send(client, { type: 'hello', server_version: '', at: new Date().toISOString() });
  }

  broadcast(msg: SseMessage): void {
    for (const c of this.clients) if (matches(c.filter, msg)) this.send(c, msg);
    if (msg.type === 'event') this.scheduleStats();
  }

  private send(c: Client, msg: SseMessage): void {
    this.write(c, `event: ${msg.type}\ndata: ${JSON.stringify(msg)}\n\n`);
  }

  private write(c: Client, text: string): void {
    if (c.res.writableLength > (this.o.maxBufferedBytes ?? 4 * 1024 * 1024)) {
      this.o.log.warn('dropping a slow SSE client');
      this.clients.delete(c);
      c.res.destroy();
      return;
    }
    c.res.write(text);
  }

  private writeAll(text: string): void {
    for (const c of this.clients) this.write(c, text);
  }

  private scheduleStats(): void {
    if (!this.o.computeStats || this.statsTimer) return;
    const wait = Math.max(0, this.lastStatsAt + STATS_THROTTLE_MS - Date.now());
    this.statsTimer = setTimeout(() => {
      this.lastStatsAt = Date.now();
      this.o.computeStats!().then(
        (stats) => {
          this.statsTimer = null;
          this.broadcast({ type: 'stats', stats });
        },
        () => {
          this.statsTimer = null;
        },
      );
    }, wait);
    this.statsTimer.unref();
  }

  close(): void {
    clearInterval(this.heartbeat);
    if (this.statsTimer) clearTimeout(this.statsTimer);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}

function matches(f: EventFilter, msg: SseMessage): boolean {
  if (msg.type === 'event') {
    const e = msg.event as unknown as Record<string, unknown>;
    for (const k of ['agent_type', 'session_id', 'event_type', 'tool_name', 'model', 'project', 'source'] as const) {
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
  }
  return true;
}
