/**
 * Usage from Claude Code's metrics (`claude_code.token.usage` by `type`, `claude_code.cost.usage`)
 * for sessions that export metrics only (Anthropic's Grafana recipe): what a series grew by in one
 * export becomes one `llm_request` per session, series (model, query source, ...) and interval,
 * with a `usage-metrics:` id (`contracts/eventIds.ts`). The store counts it only while the session
 * has no other `llm_request`: log records or a transcript of the same session replace it, so the
 * usage is never counted twice.
 */
import { createHash } from 'node:crypto';
import { metricsUsageEventId } from '../contracts/eventIds';
import type { EventInputRaw } from '../contracts/events';
import type { OtelCounterPoint } from '../store/queries/otelMetrics';

const TOKEN_METRIC = 'claude_code.token.usage';
const COST_METRIC = 'claude_code.cost.usage';
const TOKEN_FIELD: Record<string, 'tokens_in' | 'tokens_out' | 'cache_read_tokens' | 'cache_write_tokens'> = {
  input: 'tokens_in',
  output: 'tokens_out',
  cacheRead: 'cache_read_tokens',
  cacheCreation: 'cache_write_tokens',
};
const MAX_SESSION_ID = 200;

interface Group {
  session: string;
  end_ns: string;
  attributes: Record<string, unknown>;
  tokens: Partial<Record<(typeof TOKEN_FIELD)[string], number>>;
  cost: number | null;
}

/** Metric rows and how much each grew (`recordOtelCounters` deltas) → derived usage events. */
export function metricsUsageEvents(rows: OtelCounterPoint[], deltas: number[]): EventInputRaw[] {
  const groups = new Map<string, Group>();
  rows.forEach((row, i) => {
    const delta = deltas[i] ?? 0;
    if (row.agent_type !== 'claude-code' || (row.metric !== TOKEN_METRIC && row.metric !== COST_METRIC)) return;
    if (!(delta > 0) || !row.session_id || row.session_id.length > MAX_SESSION_ID) return;
    let attrs: Record<string, unknown>;
    try {
      attrs = JSON.parse(row.attributes) as Record<string, unknown>;
    } catch {
      return;
    }
    const { type, ...series } = attrs;
    const field = row.metric === TOKEN_METRIC ? TOKEN_FIELD[String(type)] : undefined;
    if (row.metric === TOKEN_METRIC && !field) return;
    const key = `${row.session_id}\u0000${JSON.stringify(series)}\u0000${row.end_ns}`;
    let g = groups.get(key);
    if (!g) {
      g = { session: row.session_id, end_ns: row.end_ns, attributes: series, tokens: {}, cost: null };
      groups.set(key, g);
    }
    if (field) g.tokens[field] = (g.tokens[field] ?? 0) + Math.round(delta);
    else g.cost = (g.cost ?? 0) + delta;
  });
  return [...groups.values()].map((g) => {
    const digest = createHash('sha256').update(`${JSON.stringify(g.attributes)}\u0000${g.end_ns}`).digest('hex').slice(0, 24);
    const model = typeof g.attributes.model === 'string' && g.attributes.model ? g.attributes.model.slice(0, 200) : undefined;
    const endMs = Number(BigInt(g.end_ns) / 1_000_000n);
    return {
      event_id: metricsUsageEventId('claude-code', g.session, digest),
      session_id: g.session,
      agent_type: 'claude-code',
      event_type: 'llm_request',
      status: 'success',
      source: 'otel',
      ...(model ? { model } : {}),
      ...g.tokens,
      ...(g.cost !== null ? { cost_usd: g.cost } : {}),
      client_timestamp: new Date(endMs).toISOString(),
      metadata: { derived_from: 'otel_metrics', ...(typeof g.attributes.query_source === 'string' ? { query_source: g.attributes.query_source } : {}) },
    };
  });
}
