/**
 * The OTLP bookkeeping of a team server, in PostgreSQL (migration 4): metric counters and Codex
 * ordinals, answering the two named queries the OTLP ingest asks (`otel/otlpIngest.ts`) as the
 * local store does (`store/queries/otelMetrics.ts`), so the one OTLP route serves both. Each call
 * is one transaction; rows are locked in key order, so servers taking exports at once do not
 * deadlock, and a re-sent export changes nothing.
 */
import type pg from 'pg';
import type { StoreClient } from '../store/storeClient';
import type { QueryName, QueryParams, QueryResult } from '../store/queries/registry';
import type { CodexOrdinalItem, OtelCounterPoint } from '../store/queries/otelMetrics';
import { NotServedError } from './pgRead';
import { inTransaction } from './pgTransaction';

type CounterOutcome = QueryResult<'recordOtelCounters'>;

const KEY = ['agent_type', 'metric', 'session_id', 'attributes', 'stream_start', 'point_key'] as const;

function keyOf(p: OtelCounterPoint): string {
  return KEY.map((k) => p[k]).join('\u0000');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class PgOtelStore implements Pick<StoreClient, 'query'> {
  constructor(private readonly pool: pg.Pool) {}

  query<K extends QueryName>(name: K, params: QueryParams<K>): Promise<QueryResult<K>> {
    if (name === 'recordOtelCounters') return this.recordCounters((params as QueryParams<'recordOtelCounters'>).points) as Promise<QueryResult<K>>;
    if (name === 'assignCodexOrdinals') return this.assignOrdinals((params as QueryParams<'assignCodexOrdinals'>).items) as Promise<QueryResult<K>>;
    return Promise.reject(new NotServedError(name));
  }

  private transaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  /** As the local `recordOtelCounters`: per point, new (its value), advanced (the increase) or unchanged (0). */
  recordCounters(points: OtelCounterPoint[]): Promise<CounterOutcome> {
    const order = points.map((_, i) => i).sort((a, b) => compare(keyOf(points[a]), keyOf(points[b])) || a - b);
    return this.transaction(async (c) => {
      const deltas = new Array<number>(points.length).fill(0);
      let inserted = 0;
      let updated = 0;
      const where = `agent_type = $1 AND metric = $2 AND session_id = $3 AND attributes = $4 AND stream_start = $5 AND point_key = $6`;
      for (const i of order) {
        const pt = points[i];
        const key = KEY.map((k) => pt[k]);
        const fresh = await c.query(
          `INSERT INTO am_otel_counters (${KEY.join(', ')}, end_ns, value, unit, observed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT DO NOTHING RETURNING 1`,
          [...key, pt.end_ns, pt.value, pt.unit, pt.observed_at],
        );
        if (fresh.rowCount) {
          deltas[i] = pt.value;
          inserted++;
          continue;
        }
        const old = (await c.query<{ end_ns: string; value: number }>(`SELECT end_ns, value FROM am_otel_counters WHERE ${where} FOR UPDATE`, key)).rows[0];
        if (!old || !(pt.end_ns > old.end_ns)) continue;
        deltas[i] = pt.value - old.value;
        await c.query(`UPDATE am_otel_counters SET end_ns = $7, value = $8, observed_at = $9 WHERE ${where}`, [...key, pt.end_ns, pt.value, pt.observed_at]);
        updated++;
      }
      return { inserted, updated, unchanged: points.length - inserted - updated, deltas };
    });
  }

  /**
   * As the local `assignCodexOrdinals`: a known record keeps its ordinal, a new one gets the next
   * after the conversation's highest (usage also counts the events OTLP stored under the
   * conversation). Each conversation is serialized by an advisory lock, taken in key order.
   */
  assignOrdinals(items: CodexOrdinalItem[]): Promise<number[]> {
    const keyOfItem = (it: CodexOrdinalItem) => (it.kind === 'response' ? it.conversation_id : `${it.kind}:${it.conversation_id}`);
    const keys = [...new Set(items.map(keyOfItem))].sort(compare);
    return this.transaction(async (c) => {
      for (const k of keys) await c.query("SELECT pg_advisory_xact_lock(hashtextextended('am_codex_ordinals:' || $1, 0))", [k]);
      const out: number[] = [];
      for (const it of items) {
        const key = keyOfItem(it);
        const known = (await c.query<{ ordinal: number }>('SELECT ordinal FROM am_codex_ordinals WHERE conversation_id = $1 AND record_key = $2', [key, it.record_key])).rows[0];
        if (known) {
          out.push(known.ordinal);
          continue;
        }
        const maxKnown = (await c.query<{ n: number | null }>('SELECT MAX(ordinal) AS n FROM am_codex_ordinals WHERE conversation_id = $1', [key])).rows[0].n ?? 0;
        let stored = 0;
        if (it.kind === 'response') {
          const prefix = `llm:codex:${it.conversation_id}#`;
          stored = (
            await c.query<{ n: number }>(
              `SELECT COUNT(*) AS n FROM am_events WHERE session_id = $1 AND event_id COLLATE "C" >= $2 AND event_id COLLATE "C" < $3 AND source = 'otel'`,
              [it.conversation_id, prefix, `${prefix.slice(0, -1)}$`],
            )
          ).rows[0].n;
        }
        const ordinal = Math.max(maxKnown, stored) + 1;
        await c.query('INSERT INTO am_codex_ordinals (conversation_id, record_key, ordinal) VALUES ($1, $2, $3)', [key, it.record_key, ordinal]);
        out.push(ordinal);
      }
      return out;
    });
  }
}
