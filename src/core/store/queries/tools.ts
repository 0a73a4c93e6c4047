/**
 * Tool analytics (`GET /api/stats/tools`): calls, errors, running, error rate and duration
 * percentiles per tool, plus a calls-over-time timeline. Percentiles are nearest-rank, computed in
 * SQL with window functions: the p-th percentile of n ordered durations is the one at rank
 * ceil(p·n/100). The error rate is errors over finished calls (running calls excluded).
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
  p50_ms: number | null;
  p95_ms: number | null;
  avg_ms: number | null;
}

/** Per-tool stats over tool_use events matching extra clauses on `events e`. */
/** The base condition of tool calls; the event_type index is skipped when a session narrows better. */
function toolWhere(clauses: string[]): string {
  const bySession = clauses.some((c) => c.includes('e.session_id'));
  return whereSql([bySession ? "+e.event_type = 'tool_use'" : "e.event_type = 'tool_use'", 'e.tool_name IS NOT NULL', ...clauses]);
}

export function toolStatsWhere(db: SqlDb, clauses: string[], params: SqlValue[]): { tools: ToolStat[] } {
  const where = toolWhere(clauses);
  const rows = db.all<ToolRow>(
    `WITH t AS (SELECT e.tool_name, e.status, e.duration_ms FROM events e ${where}),
     ranked AS (
       SELECT tool_name, duration_ms,
         ROW_NUMBER() OVER (PARTITION BY tool_name ORDER BY duration_ms) AS rn,
         COUNT(*) OVER (PARTITION BY tool_name) AS n
       FROM t WHERE duration_ms IS NOT NULL AND status IS NOT 'running'),
     pct AS (
       SELECT tool_name,
         MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN duration_ms END) AS p50_ms,
         MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN duration_ms END) AS p95_ms,
         AVG(duration_ms) AS avg_ms
       FROM ranked GROUP BY tool_name),
     agg AS (
       SELECT tool_name, COUNT(*) AS calls, SUM(status IN ('error', 'timeout')) AS errors, SUM(status = 'running') AS running
       FROM t GROUP BY tool_name)
     SELECT agg.tool_name, agg.calls, agg.errors, agg.running, pct.p50_ms, pct.p95_ms, pct.avg_ms
     FROM agg LEFT JOIN pct ON pct.tool_name = agg.tool_name
     ORDER BY agg.calls DESC, agg.tool_name`,
    params,
  );
  return {
    tools: rows.map((r) => {
      const finished = r.calls - r.running;
      return {
        tool_name: r.tool_name,
        calls: r.calls,
        errors: r.errors,
        running: r.running,
        error_rate: finished > 0 ? r.errors / finished : 0,
        p50_ms: r.p50_ms,
        p95_ms: r.p95_ms,
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
    const where = toolWhere(w.clauses);
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
