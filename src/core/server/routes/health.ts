/**
 * `GET /api/health` (Health in contracts/api.ts): what the extension's supervisor and followers
 * poll to know that an AgentMonitor server (not some other program) answers on the port.
 */
import type { Router } from 'express';
import type { Health } from '../../contracts/api';
import type { ServerContext } from '../context';
import { apiGet } from './apiGet';

/** Records journaled but not yet applied above which the store counts as falling behind. */
const DEGRADED_PENDING = 50_000;

export function register(router: Router, ctx: ServerContext): void {
  apiGet(router, '/api/health', async (req, res) => {
    let events = -1;
    let status: Health['status'] = 'ok';
    try {
      events = (await ctx.store.query('storeCounts', {})).events;
    } catch (e) {
      status = 'degraded';
      ctx.log.warn(`health: store query failed: ${(e as Error).message}`);
    }
    const stats = ctx.core.store.stats;
    const pending = stats.pendingRecords;
    if (pending > DEGRADED_PENDING) status = 'degraded';
    const body: Health = {
      status,
      service: 'agentmonitor',
      storage: 'sqljs',
      version: ctx.version,
      pid: process.pid,
      port: req.socket.localPort ?? ctx.config.port,
      host: ctx.config.host,
      db_path: ctx.config.dbPath,
      uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
      sse_clients: ctx.sse.clientCount(),
      events,
      journal_pending: pending,
      journal_seq: stats.journalSeq,
      last_snapshot_at: stats.lastSnapshotAt ? new Date(stats.lastSnapshotAt).toISOString() : null,
      last_snapshot: stats.lastSnapshot
        ? { bytes: stats.lastSnapshot.bytes, export_ms: Math.round(stats.lastSnapshot.exportMs), write_ms: Math.round(stats.lastSnapshot.writeMs), seq: stats.lastSnapshot.seq }
        : null,
    };
    res.json(body);
  });
}
