/**
 * The row shape that the ingest pipeline hands to the store: an event after validation,
 * normalization and pricing. `id` is assigned by the ingest pipeline (the single writer), so an
 * acknowledgement can name it before the store has inserted the row.
 */
import type { StoredEvent } from '../contracts/events';
import type { EventRecord } from '../contracts/storeWorker';

export type { EventRecord };

/** The `client_timestamp` to store: `''` when it says exactly `created_at` (read back as that). */
export function storedClientTimestamp(r: Pick<EventRecord, 'client_timestamp' | 'created_at'>): string | null {
  return r.client_timestamp !== null && r.client_timestamp === isoTime(r.created_at) ? '' : r.client_timestamp;
}

function isoTime(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function recordToStoredEvent(r: EventRecord): StoredEvent {
  let metadata: Record<string, unknown> | null = null;
  if (r.metadata) {
    try {
      metadata = JSON.parse(r.metadata) as Record<string, unknown>;
    } catch {
      metadata = { _unparsable: r.metadata.slice(0, 200) };
    }
  }
  return {
    id: r.id,
    event_id: r.event_id,
    session_id: r.session_id,
    agent_type: r.agent_type,
    event_type: r.event_type,
    tool_name: r.tool_name,
    status: r.status,
    model: r.model,
    tokens_in: r.tokens_in,
    tokens_out: r.tokens_out,
    cache_read_tokens: r.cache_read_tokens,
    cache_write_tokens: r.cache_write_tokens,
    cache_write_1h_tokens: r.cache_write_1h_tokens,
    reasoning_tokens: r.reasoning_tokens,
    cost_usd: r.cost_usd,
    cost_source: r.cost_source,
    duration_ms: r.duration_ms,
    project: r.project,
    branch: r.branch,
    source: r.source,
    created_at: new Date(r.created_at).toISOString(),
    received_at: new Date(r.received_at).toISOString(),
    client_timestamp: r.client_timestamp === '' ? isoTime(r.created_at) : r.client_timestamp,
    metadata,
    payload_truncated: r.payload_truncated === 1,
    ...(metadata === null && (r as { payload_off?: number | null }).payload_off != null ? { payload_missing: true as const } : {}),
  };
}
