/**
 * From a validated `EventInput` to the row the store keeps: event time, capped metadata, price.
 */
import { isPlausibleEventMs } from '../contracts/eventTime';
import type { EventInput, EventSource } from '../contracts/events';
import { computeCost } from '../pricing/cost';
import type { PriceBook } from '../pricing/priceBook';
import { priceBook } from '../pricing/priceTables';
import { cappedJson, exactJson, MAX_DEPTH } from './capJson';

export { utf8Slice } from './capJson';
import type { EventRecord } from '../store/records';

/**
 * Serialize metadata within `maxBytes` of UTF-8. Oversized metadata keeps its shape: strings are
 * shortened (never splitting a character), the longest limit that keeps every entry first; when
 * none does, containers keep what fits and say how many entries were left out. The work is bounded
 * by `maxBytes`, not by the size of the metadata (see `capJson.ts`). Returns whether anything was cut.
 *
 * `fromLog`: the metadata was built from a log line the importer has parsed already, so one
 * `JSON.stringify` of it costs no more than that parse did; it is tried first (0.6-0.7x the
 * walk's CPU on the benchmark logs) and kept when it is what the walk would give: within
 * `maxBytes`, and too few brackets for a container as deep as `MAX_DEPTH`.
 */
export function capMetadata(metadata: unknown, maxBytes: number, fromLog = false): { json: string | null; truncated: boolean } {
  if (metadata === undefined || metadata === null) return { json: null, truncated: false };
  const value = typeof metadata === 'object' ? metadata : { value: metadata };
  if (fromLog) {
    const json = plainJson(value, maxBytes);
    if (json !== null) return { json, truncated: false };
  }
  const keys = new Map<object, string[]>();
  try {
    const exact = exactJson(value, maxBytes, keys);
    if (exact !== null) return { json: exact, truncated: false };
    let fewest: string | null = null;
    for (let limit = Math.floor(maxBytes / 4); limit >= 32; limit = Math.floor(limit / 2)) {
      const capped = cappedJson(value, maxBytes, limit, keys);
      if (capped && !capped.dropped) return { json: capped.json, truncated: true };
      fewest = capped?.json ?? fewest;
    }
    if (fewest !== null) return { json: fewest, truncated: true };
  } catch {
    // A BigInt somewhere: what JSON.stringify refuses too.
  }
  return { json: JSON.stringify({ _unserializable: true }), truncated: true };
}

/** `JSON.stringify(value)` when `exactJson` would give the same text, else null (then the walk decides). */
function plainJson(value: object, maxBytes: number): string | null {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return null;
  }
  if (json === undefined || (json.length * 3 > maxBytes && Buffer.byteLength(json, 'utf8') > maxBytes)) return null;
  // A container at depth MAX_DEPTH has MAX_DEPTH opening brackets before it.
  let brackets = 0;
  for (const open of ['{', '[']) {
    for (let i = json.indexOf(open); i >= 0; i = json.indexOf(open, i + 1)) if (++brackets >= MAX_DEPTH) return null;
  }
  return json;
}

/** The event's time: its `client_timestamp`, or when received if absent or outside the range. */
export function eventTime(clientTimestamp: string | undefined, now: number): number {
  if (!clientTimestamp) return now;
  const t = Date.parse(clientTimestamp);
  return isPlausibleEventMs(t, now) ? t : now;
}

/** The event without `metadata.thinking` (the setting to keep thinking is off). */
export function withoutThinking(e: EventInput): EventInput {
  const m = e.metadata;
  if (!m || typeof m !== 'object' || Array.isArray(m) || !('thinking' in m)) return e;
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (k !== 'thinking') rest[k] = v;
  return { ...e, metadata: rest };
}

/** How a batch of events becomes records: `Ingestor`'s settings, and the price book (the process's by default). */
export interface RecordSettings {
  source: EventSource;
  maxPayloadBytes: number;
  /** False: `metadata.thinking` is dropped. */
  storeThinking: boolean;
  /** Codex hook prompts get their turn numbered by the store (`IngestOptions.numberCodexPrompts`). */
  numberCodexPrompts?: boolean;
  book?: PriceBook;
}

/** A batch of events as records (ids still 0: the store's writer assigns them). */
export function toRecords(events: EventInput[], settings: RecordSettings, now = Date.now()): EventRecord[] {
  const dropThinking = settings.storeThinking === false;
  return events.map((e) => {
    if (dropThinking) e = withoutThinking(e);
    const r = toRecord(e, settings.source, settings.maxPayloadBytes, now, settings.book);
    const turn = settings.numberCodexPrompts && e.event_type === 'user_prompt' ? (e.metadata as Record<string, unknown> | null | undefined)?.turn_id : undefined;
    if (typeof turn === 'string') r.number_turn = turn;
    return r;
  });
}

export function toRecord(e: EventInput, defaultSource: EventSource, maxPayloadBytes: number, now = Date.now(), book?: PriceBook): EventRecord {
  const { json, truncated } = capMetadata(e.metadata, maxPayloadBytes, defaultSource === 'import');
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
    const c = computeCost(e.model, usage, book ?? priceBook());
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
    // Spelled out, not `...usage`: V8 builds literals with a spread many times slower.
    tokens_in: usage.tokens_in,
    tokens_out: usage.tokens_out,
    cache_read_tokens: usage.cache_read_tokens,
    cache_write_tokens: usage.cache_write_tokens,
    cache_write_1h_tokens: usage.cache_write_1h_tokens,
    reasoning_tokens: usage.reasoning_tokens,
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
