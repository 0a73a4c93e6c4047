/**
 * Tool analytics (`GET /api/stats/tools`): calls, errors, running, error rate and duration
 * percentiles per tool, plus a calls-over-time timeline. Percentiles are nearest-rank over the
 * durations of finished calls, read in SQL by ordered offset: the p-th percentile of n ordered
 * durations is the one at rank ceil(p·n/100) (measured ~3× faster in sql.js than ROW_NUMBER()
 * windows). The error rate is errors over finished calls (running calls excluded).
 */
import type { ToolStat, ToolStats } from '../../contracts/api';
import type { SqlValue } from 'sql.js';
import type { SqlDb } from '../sqlDb';
import { dayKey } from '../../zonedTime';
import { eventFilterWhere, whereSql, type EventQueryFilter } from './events';

const HOUR_MS = 3_600_000;

interface ToolRow {
  tool_name: string;
  calls: number;
  errors: number;
  running: number;
  /** Finished calls with a duration. */
  timed: number;
  avg_ms: number | null;
}

const TIMED = "e.duration_ms IS NOT NULL AND e.status IS NOT 'running'";

/** The base condition of tool calls; the event_type index is skipped when a session narrows better. */
function toolClauses(clauses: string[]): { bySession: boolean; all: string[] } {
  const bySession = clauses.some((c) => c.includes('e.session_id'));
  return { bySession, all: [bySession ? "+e.event_type = 'tool_use'" : "e.event_type = 'tool_use'", 'e.tool_name IS NOT NULL', ...clauses] };
}

/** Per-tool stats over tool_use events matching extra clauses on `events e`. */
export function toolStatsWhere(db: SqlDb, clauses: string[], params: SqlValue[]): { tools: ToolStat[] } {
  const { bySession, all } = toolClauses(clauses);
  const rows = db.all<ToolRow>(
    `SELECT e.tool_name, COUNT(*) AS calls, SUM(e.status IN ('error', 'timeout')) AS errors, SUM(e.status = 'running') AS running,
       COUNT(CASE WHEN ${TIMED} THEN 1 END) AS timed, AVG(CASE WHEN ${TIMED} THEN e.duration_ms END) AS avg_ms
     FROM events e ${whereSql(all)} GROUP BY e.tool_name ORDER BY calls DESC, e.tool_name`,
    params,
  );
  // The duration at a 0-based offset in one tool's ordered durations (scans that tool's rows only).
  const pickSql = `SELECT e.duration_ms AS d FROM events e ${whereSql([...all, bySession ? '+e.tool_name = ?' : 'e.tool_name = ?', TIMED])}
    ORDER BY e.duration_ms LIMIT 1 OFFSET ?`;
  const pick = (tool: string, n: number, pct: number): number | null =>
    n === 0 ? null : (db.get<{ d: number }>(pickSql, [...params, tool, Math.ceil((pct * n) / 100) - 1])?.d ?? null);
  return {
    tools: rows.map((r) => {
      const finished = r.calls - r.running;
      return {
        tool_name: r.tool_name,
        calls: r.calls,
        errors: r.errors,
        running: r.running,
        error_rate: finished > 0 ? r.errors / finished : 0,
        p50_ms: pick(r.tool_name, r.timed, 50),
        p95_ms: pick(r.tool_name, r.timed, 95),
        avg_ms: r.avg_ms,
      };
    }),
  };
}

export interface ToolStatsParams {
  filter: EventQueryFilter;
  bucket: 'hour' | 'day';
  /** Zone of day buckets. */
  tz: string;
}

export const queries = {
  toolStats(db: SqlDb, p: ToolStatsParams): ToolStats {
    const w = eventFilterWhere(p.filter);
    const { tools } = toolStatsWhere(db, w.clauses, w.params);
    const where = whereSql(toolClauses(w.clauses).all);
    const hourly = db.all<{ h: number; tool_name: string; calls: number; errors: number }>(
      `SELECT e.created_at / ${HOUR_MS} AS h, e.tool_name, COUNT(*) AS calls, SUM(e.status IN ('error', 'timeout')) AS errors
       FROM events e ${where} GROUP BY h, e.tool_name ORDER BY h`,
      w.params,
    );
    const buckets = new Map<string, { bucket: string; tool_name: string; calls: number; errors: number }>();
    const labels = new Map<number, string>();
    for (const r of hourly) {
      let label = labels.get(r.h);
      if (label === undefined) {
        label = p.bucket === 'day' ? dayKey(r.h * HOUR_MS, p.tz) : new Date(r.h * HOUR_MS).toISOString();
        labels.set(r.h, label);
      }
      const key = `${label}\u0000${r.tool_name}`;
      const b = buckets.get(key);
      if (b) {
        b.calls += r.calls;
        b.errors += r.errors;
      } else buckets.set(key, { bucket: label, tool_name: r.tool_name, calls: r.calls, errors: r.errors });
    }
    return { tools, timeline: [...buckets.values()], bucket: p.bucket };
  },
};

export const writeQueries = [] as const;
