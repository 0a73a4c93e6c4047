/**
 * Versioned schema. Each migration runs once, in order, inside a transaction; `meta.schema_version`
 * records the last applied. Append new migrations; never edit an applied one.
 *
 * Hot table `event_rows` keeps lean rows (no JSON, numbers for repeated strings: migration 7);
 * queries read the view `events`, which has every column by name. Metadata lives outside SQLite in
 * the append-only payload file (`payloadFile.ts`), read back with the SQL function
 * `payload(payload_off, payload_len, id)`.
 * `usage_hourly` holds per-hour aggregates (kept when raw events are pruned) so stats
 * never scan events; `sessions` keeps running totals so the tree and ticker never scan events.
 * Times are epoch milliseconds (UTC).
 */
import { CREATE_SEARCH_TABLE, SEARCH_TABLE } from './searchIndex';

/** `event_types.id` of tool_use (migration 7): the partial index of tool calls is on this code. */
export const TOOL_USE_TYPE = 1;

/**
 * The `event_labels.key` of a row's label columns, in SQL (`prefix` qualifies the columns); the
 * store builds the same text with `labelKey` (`eventDictionary.ts`). Two texts for equal values
 * would only give those values two labels, each read back right.
 */
export function labelKeySql(prefix: string): string {
  return `json_array(${LABEL_COLUMNS.map((c) => prefix + c).join(', ')})`;
}

/**
 * `created_at` (epoch ms) as JavaScript's `toISOString` writes it, in SQL: a client timestamp that
 * says exactly this is stored as `''` (`storedClientTimestamp`), also by the conversion.
 */
export function isoCreatedAtSql(prefix: string): string {
  return `strftime('%Y-%m-%dT%H:%M:%fZ', ${prefix}created_at / 1000.0, 'unixepoch')`;
}

/** The event columns `event_labels` holds, in key order. */
export const LABEL_COLUMNS = ['agent_type', 'tool_name', 'status', 'model', 'cost_source', 'source', 'project', 'branch'] as const;

export interface Migration {
  version: number;
  sql: string;
  /** It rewrites every stored event: run in a short-lived worker and written out compacted. */
  rewritesEvents?: boolean;
}

export const MIGRATIONS: Migration[] = [
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
CREATE VIRTUAL TABLE search_fts USING fts4(content="", body, tokenize=unicode61 "remove_diacritics=2");
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
    // Tools view's scan; the menus read `event_values` instead (filled here through those indexes
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
  {
    // Footprint (issue 24): the hot rows hold integers where they held repeated strings. A
    // session id is stored once in `event_sessions`, the event type once in `event_types`
    // (tool_use is 1: the partial index of tool calls names it), and the other repeated columns
    // together as one `event_labels` row (agent, tool, status, model, cost source, source,
    // project, branch: a few thousand combinations for a million events). `events` becomes a
    // view with the old columns, so every query reads it as before; writes go to `event_rows`
    // through `eventDictionary.ts`. A large database is converted in a short-lived worker
    // (`convertDatabase.ts`) whose memory goes when it ends, and written out compacted.
    version: 7,
    rewritesEvents: true,
    sql: `
CREATE TABLE event_sessions (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL UNIQUE);
CREATE TABLE event_types (id INTEGER PRIMARY KEY, event_type TEXT NOT NULL UNIQUE);
CREATE TABLE event_labels (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  agent_type TEXT NOT NULL,
  tool_name TEXT,
  status TEXT,
  model TEXT,
  cost_source TEXT NOT NULL,
  source TEXT NOT NULL,
  project TEXT,
  branch TEXT
);
INSERT INTO event_types (id, event_type) VALUES (${TOOL_USE_TYPE}, 'tool_use');
INSERT OR IGNORE INTO event_types (event_type) SELECT DISTINCT event_type FROM events;
INSERT INTO event_sessions (session_id) SELECT DISTINCT session_id FROM events;
INSERT OR IGNORE INTO event_labels (key, agent_type, tool_name, status, model, cost_source, source, project, branch)
  SELECT DISTINCT ${labelKeySql('')}, agent_type, tool_name, status, model, cost_source, source, project, branch FROM events;
CREATE TABLE event_rows (
  id INTEGER PRIMARY KEY,
  event_id TEXT,
  session INTEGER NOT NULL,
  type INTEGER NOT NULL,
  label INTEGER NOT NULL,
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL,
  duration_ms REAL,
  created_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  client_timestamp TEXT,
  payload_truncated INTEGER NOT NULL DEFAULT 0,
  payload_off INTEGER,
  payload_len INTEGER
);
INSERT INTO event_rows (id, event_id, session, type, label, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens,
    cache_write_1h_tokens, reasoning_tokens, cost_usd, duration_ms, created_at, received_at, client_timestamp,
    payload_truncated, payload_off, payload_len)
  SELECT e.id, e.event_id, s.id, t.id, l.id, e.tokens_in, e.tokens_out, e.cache_read_tokens, e.cache_write_tokens,
    e.cache_write_1h_tokens, e.reasoning_tokens, e.cost_usd, e.duration_ms, e.created_at, e.received_at,
    CASE WHEN e.client_timestamp = ${isoCreatedAtSql('e.')} THEN '' ELSE e.client_timestamp END,
    e.payload_truncated, e.payload_off, e.payload_len
  FROM events e
  JOIN event_sessions s ON s.session_id = e.session_id
  JOIN event_types t ON t.event_type = e.event_type
  JOIN event_labels l ON l.key = ${labelKeySql('e.')}
  ORDER BY e.id;
DROP TABLE events;
CREATE VIEW events AS SELECT r.id AS id, r.event_id AS event_id, s.session_id AS session_id, l.agent_type AS agent_type,
    t.event_type AS event_type, l.tool_name AS tool_name, l.status AS status, l.model AS model, r.tokens_in AS tokens_in,
    r.tokens_out AS tokens_out, r.cache_read_tokens AS cache_read_tokens, r.cache_write_tokens AS cache_write_tokens,
    r.cache_write_1h_tokens AS cache_write_1h_tokens, r.reasoning_tokens AS reasoning_tokens, r.cost_usd AS cost_usd,
    l.cost_source AS cost_source, r.duration_ms AS duration_ms, l.project AS project, l.branch AS branch, l.source AS source,
    r.created_at AS created_at, r.received_at AS received_at, r.client_timestamp AS client_timestamp,
    r.payload_truncated AS payload_truncated, r.payload_off AS payload_off, r.payload_len AS payload_len, r.type AS type_code
  FROM event_rows r JOIN event_sessions s ON s.id = r.session JOIN event_types t ON t.id = r.type JOIN event_labels l ON l.id = r.label;
CREATE UNIQUE INDEX events_event_id ON event_rows(event_id) WHERE event_id IS NOT NULL;
CREATE INDEX events_created_at ON event_rows(created_at);
CREATE INDEX events_session ON event_rows(session, id);
CREATE INDEX events_tool_calls ON event_rows(created_at) WHERE type = ${TOOL_USE_TYPE};
`,
  },
  {
    // Footprint (issue 24): stored event ids are found by a 48-bit hash (`eventIdHash.ts`, the
    // SQL function `event_id_hash`) instead of a unique index of their text, 55 -> about 14 bytes
    // an event; the store compares the text in the row (`insert.ts`). The two lookups of an id
    // range (a session's usage from OTLP metrics, a Codex conversation's OTLP responses) go
    // through the session.
    version: 8,
    rewritesEvents: true,
    sql: `
ALTER TABLE event_rows ADD COLUMN id_hash INTEGER;
UPDATE event_rows SET id_hash = event_id_hash(event_id) WHERE event_id IS NOT NULL;
DROP INDEX events_event_id;
CREATE INDEX events_event_hash ON event_rows(id_hash) WHERE id_hash IS NOT NULL;
`,
  },
  {
    // A session's context window as its agent reports it (Claude Code's status line,
    // `context_window.context_window_size`); null: the model's, from its name (`contextWindow.ts`).
    version: 9,
    sql: `
ALTER TABLE sessions ADD COLUMN context_window INTEGER;
`,
  },
  {
    // The search index without per-document sizes (`matchinfo=fts3`, see `CREATE_SEARCH_TABLE`).
    // Its terms are kept, not indexed again: the segments' format does not depend on the option,
    // so they are copied into the new table as they are; `%_docsize` and `%_stat` go.
    version: 10,
    sql: `
${CREATE_SEARCH_TABLE.replace(`TABLE ${SEARCH_TABLE} `, `TABLE ${SEARCH_TABLE}_v10 `)};
INSERT INTO ${SEARCH_TABLE}_v10_segments SELECT * FROM ${SEARCH_TABLE}_segments;
INSERT INTO ${SEARCH_TABLE}_v10_segdir SELECT * FROM ${SEARCH_TABLE}_segdir;
DROP TABLE ${SEARCH_TABLE};
ALTER TABLE ${SEARCH_TABLE}_v10 RENAME TO ${SEARCH_TABLE};
`,
  },
  {
    // The filter menus' projects and branches by index seeks, one per distinct value
    // (`filterOptions.ts`), instead of a scan of every session (13 of the 14 ms of the question on
    // 1M demo events, 14k sessions); the Sessions list's project filter finds its rows by it too.
    version: 11,
    sql: `
CREATE INDEX sessions_project ON sessions(project) WHERE project IS NOT NULL AND project != '';
CREATE INDEX sessions_branch ON sessions(branch) WHERE branch IS NOT NULL AND branch != '';
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
