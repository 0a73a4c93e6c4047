/**
 * Rebuilding derived state from the events table: session running totals and the `usage_hourly`
 * rollup. Used after re-pricing (`recalc`). Hours whose raw events were pruned by retention keep
 * their rollup rows untouched.
 */
import type { SqlDb } from '../sqlDb';
import type { WriteDeclarations } from './writes';
import { recreateSearchTable } from '../searchIndex';

export const queries = {
  rebuildAggregates(db: SqlDb, _p: Record<string, never> = {}): { sessions: number; hours: number } {
    return db.transaction(() => {
      const oldest = db.get<{ t: number | null }>('SELECT MIN(created_at) AS t FROM event_rows')?.t ?? null;
      if (oldest === null) return { sessions: 0, hours: 0 };
      const fromHour = Math.floor(oldest / 3_600_000) * 3_600_000;
      db.run('DELETE FROM usage_hourly WHERE hour >= ?', [fromHour]);
      const hours = db.run(
        `INSERT INTO usage_hourly (hour, agent_type, model, project, events, requests, tokens_in, tokens_out,
           cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens)
         SELECT (created_at / 3600000) * 3600000, agent_type, COALESCE(model, ''), COALESCE(project, ''), COUNT(*),
           SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0),
           SUM(tokens_in), SUM(tokens_out), SUM(cache_read_tokens), SUM(cache_write_tokens), COALESCE(SUM(cost_usd), 0),
           SUM(CASE WHEN cost_source = 'unpriced' THEN tokens_in + tokens_out + cache_read_tokens + cache_write_tokens ELSE 0 END)
         FROM events GROUP BY 1, 2, 3, 4`,
      );
      const sessions = db.run(
        `UPDATE sessions SET
           tokens_in = t.tokens_in, tokens_out = t.tokens_out, cache_read_tokens = t.cache_read_tokens,
           cache_write_tokens = t.cache_write_tokens, cost_usd = t.cost_usd, unpriced_tokens = t.unpriced_tokens
         FROM (SELECT session_id, SUM(tokens_in) AS tokens_in, SUM(tokens_out) AS tokens_out,
                 SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
                 COALESCE(SUM(cost_usd), 0) AS cost_usd,
                 SUM(CASE WHEN cost_source = 'unpriced' THEN tokens_in + tokens_out + cache_read_tokens + cache_write_tokens ELSE 0 END) AS unpriced_tokens
               FROM events GROUP BY session_id) AS t
         WHERE sessions.session_id = t.session_id AND sessions.started_at >= ?`,
        [oldest],
      );
      return { sessions, hours };
    });
  },

  /**
   * Retention: drop raw events older than `before`; per-hour aggregates and session totals stay.
   * Their payload bytes stay in the payload file as unreferenced garbage (no compaction yet).
   */
  pruneEventsBefore(db: SqlDb, p: { before: number }): { events: number } {
    return db.transaction(() => {
      const events = db.run('DELETE FROM event_rows WHERE created_at < ?', [p.before]);
      return { events };
    });
  },

  /** Counts for health and tests. */
  storeCounts(db: SqlDb, _p: Record<string, never> = {}): { events: number; sessions: number; max_id: number } {
    const e = db.get<{ n: number; m: number | null }>('SELECT COUNT(*) AS n, MAX(id) AS m FROM event_rows')!;
    const s = db.get<{ n: number }>('SELECT COUNT(*) AS n FROM sessions')!;
    return { events: e.n, sessions: s.n, max_id: e.m ?? 0 };
  },

  /**
   * Delete every stored event and derived row ("Clear Data"). Import offsets are reset too. The
   * payloads move to a new empty file (the old one stays while a snapshot on disk refers to it)
   * and VACUUM leaves no deleted rows in free pages.
   */
  clearAll(db: SqlDb, _p: Record<string, never> = {}): { events: number } {
    const events = db.transaction(() => {
      const events = db.run('DELETE FROM event_rows');
      // event_types stays: the partial index of tool calls names tool_use's number.
      for (const t of ['event_sessions', 'event_labels', 'sessions', 'agents', 'usage_hourly', 'import_state', 'rate_limits', 'otel_counters', 'otel_codex_responses', 'event_values']) db.run(`DELETE FROM ${t}`);
      db.payloads.clear();
      recreateSearchTable(db);
      return events;
    });
    db.dictionary.forget();
    db.exec('VACUUM');
    return { events };
  },
};

/** The tables each writing query changes (`registry.ts`). */
export const writeQueries = {
  rebuildAggregates: ['sessions', 'usage_hourly'],
  clearAll: ['events', 'sessions', 'agents', 'usage_hourly', 'import_state', 'rate_limits', 'otel_counters', 'otel_codex_responses', 'event_values', 'search'],
  pruneEventsBefore: ['events'],
} as const satisfies WriteDeclarations<typeof queries>;
