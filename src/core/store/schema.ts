/**
 * Versioned schema. Each migration runs once, in order, inside a transaction; `meta.schema_version`
 * records the last applied. Append new migrations; never edit an applied one.
 *
 * Hot table `events` keeps lean rows (no JSON); metadata lives outside SQLite in the append-only
 * payload file (`payloadFile.ts`), read back with the SQL function `payload(payload_off, payload_len, id)`.
 * `usage_hourly` holds per-hour aggregates (kept when raw events are pruned) so stats
 * never scan events; `sessions` keeps running totals so the tree and ticker never scan events.
 * Times are epoch milliseconds (UTC).
 */
import { CREATE_SEARCH_TABLE } from './searchIndex';

export const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  event_id TEXT,
  session_id TEXT NOT NULL,
  agent_type TEXT NOT NULL,
  event_type TEXT NOT NULL,
  tool_name TEXT,
  status TEXT,
  model TEXT,
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL,
  cost_source TEXT NOT NULL DEFAULT 'none',
  duration_ms REAL,
  project TEXT,
  branch TEXT,
  source TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  client_timestamp TEXT,
  payload_truncated INTEGER NOT NULL DEFAULT 0,
  payload_off INTEGER,
  payload_len INTEGER
);
CREATE UNIQUE INDEX events_event_id ON events(event_id) WHERE event_id IS NOT NULL;
CREATE INDEX events_created_at ON events(created_at);
CREATE INDEX events_session ON events(session_id, id);
CREATE INDEX events_type ON events(event_type, created_at);
CREATE INDEX events_tool ON events(tool_name, created_at) WHERE tool_name IS NOT NULL;
CREATE INDEX events_model ON events(model, created_at) WHERE model IS NOT NULL;
CREATE TABLE sessions (
  session_id TEXT PRIMARY KEY,
  agent_type TEXT NOT NULL,
  project TEXT,
  branch TEXT,
  model TEXT,
  started_at INTEGER NOT NULL,
  last_event_at INTEGER NOT NULL,
  ended_at INTEGER,
  event_count INTEGER NOT NULL DEFAULT 0,
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  unpriced_tokens INTEGER NOT NULL DEFAULT 0,
  parent_session_id TEXT,
  last_tool TEXT,
  last_tool_status TEXT,
  last_event_type TEXT,
  transcript_path TEXT
);
CREATE INDEX sessions_last_event ON sessions(last_event_at);
CREATE INDEX sessions_parent ON sessions(parent_session_id) WHERE parent_session_id IS NOT NULL;
CREATE TABLE agents (agent_type TEXT PRIMARY KEY, first_seen_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL);
CREATE TABLE usage_hourly (
  hour INTEGER NOT NULL,
  agent_type TEXT NOT NULL,
  model TEXT NOT NULL,
  project TEXT NOT NULL,
  events INTEGER NOT NULL DEFAULT 0,
  requests INTEGER NOT NULL DEFAULT 0,
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  unpriced_tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, agent_type, model, project)
) WITHOUT ROWID;
CREATE TABLE import_state (
  path TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  byte_offset INTEGER NOT NULL,
  head_hash TEXT NOT NULL,
  state_json TEXT,
  updated_at INTEGER NOT NULL
);
CREATE TABLE rate_limits (
  agent_type TEXT NOT NULL,
  window TEXT NOT NULL,
  used_percent REAL NOT NULL,
  window_minutes INTEGER,
  resets_at INTEGER,
  observed_at INTEGER NOT NULL,
  PRIMARY KEY (agent_type, window)
);
`,
  },
  {
    // OTLP metric counters (informational, never in token/cost totals) and Codex response
    // ordinals; see queries/otelMetrics.ts.
    version: 2,
    sql: `
CREATE TABLE otel_counters (
  agent_type TEXT NOT NULL,
  metric TEXT NOT NULL,
  session_id TEXT NOT NULL,
  attributes TEXT NOT NULL,
  stream_start TEXT NOT NULL,
  point_key TEXT NOT NULL,
  end_ns TEXT NOT NULL,
  value REAL NOT NULL,
  unit TEXT NOT NULL,
  observed_at INTEGER NOT NULL,
  PRIMARY KEY (agent_type, metric, session_id, attributes, stream_start, point_key)
) WITHOUT ROWID;
CREATE INDEX otel_counters_session ON otel_counters(session_id);
CREATE TABLE otel_codex_responses (
  conversation_id TEXT NOT NULL,
  record_key TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, record_key)
) WITHOUT ROWID;
`,
  },
  {
    // A session's live state (store/sessionState.ts): what the agent does or waits for.
    version: 3,
    sql: `
ALTER TABLE sessions ADD COLUMN state TEXT;
ALTER TABLE sessions ADD COLUMN state_at INTEGER;
ALTER TABLE sessions ADD COLUMN waiting_since INTEGER;
ALTER TABLE sessions ADD COLUMN waiting_message TEXT;
CREATE INDEX sessions_waiting ON sessions(waiting_since) WHERE waiting_since IS NOT NULL;
`,
  },
  {
    // Full-text search (store/searchIndex.ts): a contentless FTS4 index of prompts, answers, tool
    // inputs and file paths; the rows stored before it are indexed at open (backfillSearch).
    version: 4,
    sql: `
${CREATE_SEARCH_TABLE};
INSERT OR REPLACE INTO meta (key, value) SELECT 'search_backfill_to', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM events;
`,
  },
  {
    // How full a session's context is (store/sessionState.ts): the prompt size of its main agent's
    // latest model request, and that request's time.
    version: 5,
    sql: `
ALTER TABLE sessions ADD COLUMN context_tokens INTEGER;
ALTER TABLE sessions ADD COLUMN context_at INTEGER;
`,
  },
  {
    // Footprint (issue 24): the event_type, tool_name and model indexes (59 bytes an event on 1M
    // events) served the feed's filter menus (a skip scan of each for its distinct values) and the
    // Tools view's scan; the menus read \`event_values\` instead (filled here through those indexes
    // before they go, then by every insert), and the Tools view a partial index of tool calls by
    // time. The type index also steered a session's lookup of its model requests away from the
    // session index, through every request stored.
    version: 6,
    sql: `
CREATE TABLE event_values (col TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (col, value)) WITHOUT ROWID;
${['event_type', 'tool_name', 'model']
  .map(
    (col) => `INSERT OR IGNORE INTO event_values (col, value)
  WITH RECURSIVE d(v) AS (
    SELECT (SELECT MIN(${col}) FROM events WHERE ${col} IS NOT NULL)
    UNION ALL
    SELECT (SELECT MIN(${col}) FROM events WHERE ${col} > d.v) FROM d WHERE d.v IS NOT NULL)
  SELECT '${col}', v FROM d WHERE v IS NOT NULL;`,
  )
  .join('\n')}
DROP INDEX IF EXISTS events_model;
DROP INDEX IF EXISTS events_tool;
DROP INDEX IF EXISTS events_type;
CREATE INDEX events_tool_calls ON events(created_at) WHERE event_type = 'tool_use';
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
