/**
 * From a validated `EventInput` to the row the store keeps: event time, capped metadata, price.
 */
import { isPlausibleEventMs } from '../contracts/eventTime';
import type { EventInput, EventSource } from '../contracts/events';
import { computeCost } from '../pricing/cost';
import type { EventRecord } from '../store/records';

/**
 * Serialize metadata within `maxBytes` of UTF-8. Oversized metadata keeps its shape: the longest
 * strings are shortened first (never splitting a character); if that is not enough, a preview of
 * the serialized form is kept instead. Returns whether anything was cut.
 */
export function capMetadata(metadata: unknown, maxBytes: number): { json: string | null; truncated: boolean } {
  if (metadata === undefined || metadata === null) return { json: null, truncated: false };
  let json: string;
  try {
    json = JSON.stringify(typeof metadata === 'object' ? metadata : { value: metadata });
  } catch {
    return { json: JSON.stringify({ _unserializable: true }), truncated: true };
  }
  if (json === undefined) return { json: null, truncated: false };
  if (Buffer.byteLength(json, 'utf8') <= maxBytes) return { json, truncated: false };

  for (let limit = Math.floor(maxBytes / 4); limit >= 32; limit = Math.floor(limit / 2)) {
    const shortened = JSON.stringify(shortenStrings(metadata, limit, 0));
    if (Buffer.byteLength(shortened, 'utf8') <= maxBytes) return { json: shortened, truncated: true };
  }
  const preview = utf8Slice(json, Math.max(0, maxBytes - 64));
  return { json: JSON.stringify({ _truncated_preview: preview }), truncated: true };
}

/** The longest prefix of `s` that fits in `maxBytes` UTF-8 bytes, never splitting a code point. */
export function utf8Slice(s: string, maxBytes: number): string {
  const full = Buffer.from(s, 'utf8');
  if (full.length <= maxBytes) return s;
  let end = maxBytes;
  // A cut that lands inside a character steps back to that character's first byte.
  while (end > 0 && (full[end] & 0xc0) === 0x80) end--;
  return full.subarray(0, end).toString('utf8');
}

function shortenStrings(v: unknown, limit: number, depth: number): unknown {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8') > limit ? utf8Slice(v, limit) + '…' : v;
  if (depth > 20 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const items = v.slice(0, 200).map((x) => shortenStrings(x, limit, depth + 1));
    if (v.length > 200) items.push(`… ${v.length - 200} more`);
    return items;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = shortenStrings(x, limit, depth + 1);
  return out;
}

/** The event's time: its `client_timestamp`, or when received if absent or outside the range. */
export function eventTime(clientTimestamp: string | undefined, now: number): number {
  if (!clientTimestamp) return now;
  const t = Date.parse(clientTimestamp);
  return isPlausibleEventMs(t, now) ? t : now;
}

export function toRecord(e: EventInput, defaultSource: EventSource, maxPayloadBytes: number, now = Date.now()): EventRecord {
  const { json, truncated } = capMetadata(e.metadata, maxPayloadBytes);
  const usage = {
    tokens_in: e.tokens_in ?? 0,
    tokens_out: e.tokens_out ?? 0,
    cache_read_tokens: e.cache_read_tokens ?? 0,
    cache_write_tokens: e.cache_write_tokens ?? 0,
    cache_write_1h_tokens: Math.min(e.cache_write_1h_tokens ?? 0, e.cache_write_tokens ?? 0),
    reasoning_tokens: e.reasoning_tokens ?? 0,
  };
  const hasTokens = usage.tokens_in + usage.tokens_out + usage.cache_read_tokens + usage.cache_write_tokens > 0;
  let cost_usd: number | null = null;
  let cost_source: EventRecord['cost_source'] = 'none';
  if (e.cost_usd !== undefined) {
    cost_usd = e.cost_usd;
    cost_source = 'agent';
  } else if (hasTokens) {
    const c = computeCost(e.model, usage);
    if (c.priced && c.cost_usd !== null) {
      cost_usd = c.cost_usd;
      cost_source = 'computed';
    } else cost_source = 'unpriced';
  }
  return {
    id: 0,
    event_id: e.event_id ?? null,
    session_id: e.session_id,
    agent_type: e.agent_type,
    event_type: e.event_type,
    tool_name: e.tool_name ?? null,
    status: e.status ?? null,
    model: e.model ?? null,
    ...usage,
    cost_usd,
    cost_source,
    duration_ms: e.duration_ms ?? null,
    project: e.project ?? null,
    branch: e.branch ?? null,
    source: e.source ?? defaultSource,
    created_at: eventTime(e.client_timestamp, now),
    received_at: now,
    client_timestamp: e.client_timestamp ?? null,
    metadata: json,
    payload_truncated: truncated ? 1 : 0,
  };
}
