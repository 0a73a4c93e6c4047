import type { StoredEvent } from '../../src/core/contracts/events';

/** Test-data builder: a stored event (as the API and SSE deliver it) with neutral defaults. */
export function storedEvent(id: number, over: Partial<StoredEvent> = {}): StoredEvent {
  const at = new Date(1_700_000_000_000 + id * 1000).toISOString();
  return {
    id,
    event_id: `e${id}`,
    session_id: 's1',
    agent_type: 'claude-code',
    event_type: 'tool_use',
    tool_name: 'Bash',
    status: 'success',
    model: null,
    tokens_in: 0,
    tokens_out: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: null,
    cost_source: 'none',
    duration_ms: null,
    project: null,
    branch: null,
    source: 'api',
    created_at: at,
    received_at: at,
    client_timestamp: null,
    metadata: null,
    payload_truncated: false,
    ...over,
  };
}
