/**
 * OTLP metric counters and the Codex response ordinals (schema migration 2).
 *
 * Counters (`otel_counters`) feed token or cost totals only through `otel/metricsUsage.ts`: what
 * Claude Code's token and cost counters grew by becomes usage of a session that has no
 * `api_request` log events or transcript (the store drops it when those arrive). Each row is one delta interval
 * (`point_key` = its end time) or one cumulative stream (`point_key` = 'cumulative', keeping the
 * latest value), so a re-sent export changes nothing and a counter's value is the SUM of its rows
 * whatever the temporality. Nanosecond times are 20-digit zero-padded decimal strings, which
 * compare correctly as text.
 *
 * Codex ordinals (`otel_codex_responses`): the n-th usage-bearing `response.completed` record of a
 * conversation gets ordinal n (see `contracts/eventIds.ts`); the same record re-sent keeps its n.
 * Prompts are numbered the same way, under the conversation key `prompt:<conversation id>`.
 */
import type { SqlDb } from '../sqlDb';
import type { WriteDeclarations } from './writes';

export interface OtelCounterPoint {
  agent_type: string;
  metric: string;
  /** '' when the point has no session. */
  session_id: string;
  /** Canonical JSON of the point's distinguishing attributes (sorted keys). */
  attributes: string;
  stream_start: string;
  point_key: string;
  end_ns: string;
  value: number;
  unit: string;
  /** Epoch ms of the point's end time. */
  observed_at: number;
}

export interface OtelCounterTotal {
  agent_type: string;
  metric: string;
  session_id: string;
  attributes: Record<string, unknown>;
  unit: string;
  value: number;
  points: number;
  first_at: number;
  last_at: number;
}

export interface CodexOrdinalItem {
  kind: 'response' | 'prompt' | 'hook_prompt';
  conversation_id: string;
  record_key: string;
}

/** `llm:codex:<conversation>#` … the id prefix shared by a conversation's usage events. */
function codexIdRange(conversationId: string): [string, string] {
  const prefix = `llm:codex:${conversationId}#`;
  return [prefix, `${prefix.slice(0, -1)}$`];
}

export const queries = {
  /**
   * Store counter points; answers how many rows were new, advanced (cumulative) or unchanged, and
   * per point how much its series grew by it (`deltas`: the value of a new row, the increase of an
   * advanced cumulative stream, 0 for one already stored).
   */
  recordOtelCounters(db: SqlDb, p: { points: OtelCounterPoint[] }): { inserted: number; updated: number; unchanged: number; deltas: number[] } {
    return db.transaction(() => {
      let inserted = 0;
      let updated = 0;
      const deltas: number[] = [];
      for (const pt of p.points) {
        const existing = db.get<{ end_ns: string; value: number }>(
          `SELECT end_ns, value FROM otel_counters WHERE agent_type = ? AND metric = ? AND session_id = ? AND attributes = ?
             AND stream_start = ? AND point_key = ?`,
          [pt.agent_type, pt.metric, pt.session_id, pt.attributes, pt.stream_start, pt.point_key],
        );
        deltas.push(!existing ? pt.value : pt.end_ns > existing.end_ns ? pt.value - existing.value : 0);
        if (!existing) {
          db.run(
            `INSERT INTO otel_counters (agent_type, metric, session_id, attributes, stream_start, point_key, end_ns, value, unit, observed_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [pt.agent_type, pt.metric, pt.session_id, pt.attributes, pt.stream_start, pt.point_key, pt.end_ns, pt.value, pt.unit, pt.observed_at],
          );
          inserted++;
        } else if (pt.end_ns > existing.end_ns) {
          db.run(
            `UPDATE otel_counters SET end_ns = ?, value = ?, observed_at = ?
             WHERE agent_type = ? AND metric = ? AND session_id = ? AND attributes = ? AND stream_start = ? AND point_key = ?`,
            [pt.end_ns, pt.value, pt.observed_at, pt.agent_type, pt.metric, pt.session_id, pt.attributes, pt.stream_start, pt.point_key],
          );
          updated++;
        }
      }
      return { inserted, updated, unchanged: p.points.length - inserted - updated, deltas };
    });
  },

  /** Counter values per series, optionally for one session, agent or metric. */
  otelCounterTotals(db: SqlDb, p: { session_id?: string; agent_type?: string; metric?: string } = {}): OtelCounterTotal[] {
    const where: string[] = [];
    const params: string[] = [];
    for (const key of ['session_id', 'agent_type', 'metric'] as const) {
      const v = p[key];
      if (v === undefined) continue;
      where.push(`${key} = ?`);
      params.push(v);
    }
    const rows = db.all<Omit<OtelCounterTotal, 'attributes'> & { attributes: string }>(
      `SELECT agent_type, metric, session_id, attributes, MAX(unit) AS unit, SUM(value) AS value, COUNT(*) AS points,
              MIN(observed_at) AS first_at, MAX(observed_at) AS last_at
       FROM otel_counters ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY agent_type, metric, session_id, attributes
       ORDER BY agent_type, metric, session_id, attributes`,
      params,
    );
    return rows.map((r) => ({ ...r, attributes: JSON.parse(r.attributes) as Record<string, unknown> }));
  },

  /**
   * Ordinals for Codex usage (or prompt) records, in order. A known record keeps its ordinal; a new
   * one gets the next after the conversation's highest, which for usage also counts the events
   * this channel stored (so a lost table, e.g. after a crash between snapshots, does not restart
   * numbering at 1).
   */
  assignCodexOrdinals(db: SqlDb, p: { items: CodexOrdinalItem[] }): number[] {
    return db.transaction(() => p.items.map((it) => codexOrdinal(db, it)));
  },
};

export function codexOrdinal(db: SqlDb, it: CodexOrdinalItem): number {
  const key = it.kind === 'response' ? it.conversation_id : `${it.kind}:${it.conversation_id}`;
  const known = db.get<{ ordinal: number }>('SELECT ordinal FROM otel_codex_responses WHERE conversation_id = ? AND record_key = ?', [key, it.record_key]);
  if (known) return known.ordinal;
  const maxKnown = db.get<{ n: number | null }>('SELECT MAX(ordinal) AS n FROM otel_codex_responses WHERE conversation_id = ?', [key])?.n ?? 0;
  let stored = 0;
  if (it.kind === 'response') {
    const [lo, hi] = codexIdRange(it.conversation_id);
    // Stored under the conversation's session (\`otel/codex.ts\`): found through the session index.
    stored =
      db.get<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE session_id = ? AND event_id >= ? AND event_id < ? AND source = 'otel'", [it.conversation_id, lo, hi])
        ?.n ?? 0;
  }
  const ordinal = Math.max(maxKnown, stored) + 1;
  db.run('INSERT INTO otel_codex_responses (conversation_id, record_key, ordinal) VALUES (?, ?, ?)', [key, it.record_key, ordinal]);
  return ordinal;
}

/** The tables each writing query changes (`registry.ts`). */
export const writeQueries = { recordOtelCounters: ['otel_counters'], assignCodexOrdinals: ['otel_codex_responses'] } as const satisfies WriteDeclarations<typeof queries>;
