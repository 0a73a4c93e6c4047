/**
 * The team store's PostgreSQL schema: append-only, versioned migrations applied at open under an
 * advisory lock (several team servers may start at once against one database). `am_schema` records
 * each applied version.
 *
 * - `am_events`: every event, partitioned by month of `created_at` (epoch ms, UTC); monthly
 *   partitions are made on demand (`monthPartition`). The primary key (id, created_at) is per
 *   partition, so `event_id` dedup lives in `am_event_ids` (one row per event_id, across all months).
 * - `am_usage_hourly`: the rollup per hour × person × project × model × agent, written in the same
 *   transaction as the events, so cost views never scan events for whole hours.
 * - `am_sessions`: per session its span, agent, first project, latest model and person (what the
 *   cost views count sessions by); from version 2 also the local `sessions` row's totals and state.
 * - `am_agents`, `am_event_values` (version 2): the agents seen and the values of the filter menus.
 * - `am_tokens` (3): per-person access tokens (`team token create`); only the SHA-256 of a token
 *   is kept, so the database cannot give a token back.
 * - `am_events.search_terms` (4): the search index (`pgSearch.ts`); `am_meta` holds where the
 *   backfill of older rows stands.
 * - `am_otel_counters`, `am_codex_ordinals` (5): OTLP metric counters and Codex response/prompt
 *   ordinals, the local `otel_counters` / `otel_codex_responses` (`store/queries/otelMetrics.ts`).
 * - `machine` (6) on events and sessions: the host an event came from (null: not known).
 */

export const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE am_events (
  id bigint NOT NULL,
  event_id text,
  session_id text NOT NULL,
  agent_type text NOT NULL,
  event_type text NOT NULL,
  tool_name text,
  status text,
  model text,
  tokens_in bigint NOT NULL,
  tokens_out bigint NOT NULL,
  cache_read_tokens bigint NOT NULL,
  cache_write_tokens bigint NOT NULL,
  cache_write_1h_tokens bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  cost_usd double precision,
  cost_source text NOT NULL,
  duration_ms double precision,
  project text,
  branch text,
  source text NOT NULL,
  person text NOT NULL,
  created_at bigint NOT NULL,
  received_at bigint NOT NULL,
  client_timestamp text,
  metadata text,
  payload_truncated smallint NOT NULL,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE SEQUENCE am_events_id_seq AS bigint;
CREATE INDEX am_events_session ON am_events (session_id, created_at);
CREATE TABLE am_event_ids (
  event_id text PRIMARY KEY,
  id bigint NOT NULL,
  created_at bigint NOT NULL
);
CREATE TABLE am_usage_hourly (
  hour bigint NOT NULL,
  person text NOT NULL,
  project text NOT NULL,
  model text NOT NULL,
  agent_type text NOT NULL,
  events bigint NOT NULL,
  requests bigint NOT NULL,
  tokens_in bigint NOT NULL,
  tokens_out bigint NOT NULL,
  cache_read_tokens bigint NOT NULL,
  cache_write_tokens bigint NOT NULL,
  cost_usd double precision NOT NULL,
  unpriced_tokens bigint NOT NULL,
  PRIMARY KEY (hour, person, project, model, agent_type)
);
CREATE TABLE am_sessions (
  session_id text PRIMARY KEY,
  agent_type text NOT NULL,
  project text,
  model text,
  person text NOT NULL,
  started_at bigint NOT NULL,
  last_event_at bigint NOT NULL
);
CREATE INDEX am_sessions_span ON am_sessions (last_event_at, started_at);
`,
  },
  {
    // The read API (issue 25, team read routes): sessions carry the local `sessions` row's running
    // totals and live state (written from the same per-batch sums as the local store,
    // `store/insert.ts` addToSession); agents' first/last event; the values the filter menus list.
    version: 2,
    sql: `
ALTER TABLE am_sessions
  ADD COLUMN branch text, ADD COLUMN ended_at bigint,
  ADD COLUMN event_count bigint NOT NULL DEFAULT 0, ADD COLUMN tokens_in bigint NOT NULL DEFAULT 0,
  ADD COLUMN tokens_out bigint NOT NULL DEFAULT 0, ADD COLUMN cache_read_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN cache_write_tokens bigint NOT NULL DEFAULT 0, ADD COLUMN cost_usd double precision NOT NULL DEFAULT 0,
  ADD COLUMN unpriced_tokens bigint NOT NULL DEFAULT 0, ADD COLUMN parent_session_id text, ADD COLUMN last_tool text,
  ADD COLUMN last_tool_status text, ADD COLUMN last_event_type text, ADD COLUMN transcript_path text,
  ADD COLUMN state text, ADD COLUMN state_at bigint, ADD COLUMN waiting_since bigint, ADD COLUMN waiting_message text,
  ADD COLUMN context_tokens bigint, ADD COLUMN context_at bigint, ADD COLUMN context_window bigint;
UPDATE am_sessions s SET event_count = t.n, tokens_in = t.tin, tokens_out = t.tout, cache_read_tokens = t.cr, cache_write_tokens = t.cw,
  cost_usd = t.cost, unpriced_tokens = t.unpriced
FROM (SELECT session_id, COUNT(*) AS n, SUM(tokens_in) AS tin, SUM(tokens_out) AS tout, SUM(cache_read_tokens) AS cr,
        SUM(cache_write_tokens) AS cw, COALESCE(SUM(cost_usd), 0) AS cost,
        COALESCE(SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) FILTER (WHERE cost_source = 'unpriced'), 0) AS unpriced
      FROM am_events GROUP BY session_id) t
WHERE s.session_id = t.session_id;
CREATE INDEX am_sessions_parent ON am_sessions (parent_session_id) WHERE parent_session_id IS NOT NULL;
CREATE INDEX am_sessions_person ON am_sessions (person, last_event_at);
CREATE INDEX am_events_time ON am_events (created_at, id);
CREATE TABLE am_agents (agent_type text PRIMARY KEY, first_seen_at bigint NOT NULL, last_seen_at bigint NOT NULL);
INSERT INTO am_agents SELECT agent_type, MIN(created_at), MAX(created_at) FROM am_events GROUP BY agent_type;
CREATE TABLE am_event_values (col text NOT NULL, value text NOT NULL, PRIMARY KEY (col, value));
INSERT INTO am_event_values SELECT DISTINCT 'event_type', event_type FROM am_events
  UNION SELECT DISTINCT 'tool_name', tool_name FROM am_events WHERE tool_name IS NOT NULL
  UNION SELECT DISTINCT 'model', model FROM am_events WHERE model IS NOT NULL;
`,
  },
  {
    // Per-person access tokens (team/pgTokens.ts).
    version: 3,
    sql: `
CREATE TABLE am_tokens (
  id bigserial PRIMARY KEY,
  person text NOT NULL,
  token_sha256 text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX am_tokens_person ON am_tokens (person);
`,
  },
  {
    // Search (team/pgSearch.ts): each searchable event's words, made by the server; older rows are
    // indexed after start, from search_backfill_to down.
    version: 4,
    sql: `
ALTER TABLE am_events ADD COLUMN search_terms tsvector;
CREATE INDEX am_events_search ON am_events USING gin (search_terms);
CREATE TABLE am_meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO am_meta (key, value) SELECT 'search_backfill_to', COALESCE(MAX(id), 0)::text FROM am_events;
`,
  },
  {
    // OTLP straight to a team server (team/pgOtel.ts): metric counters and Codex ordinals.
    version: 5,
    sql: `
CREATE TABLE am_otel_counters (
  agent_type text NOT NULL,
  metric text NOT NULL,
  session_id text NOT NULL,
  attributes text NOT NULL,
  stream_start text NOT NULL,
  point_key text NOT NULL,
  end_ns text NOT NULL,
  value double precision NOT NULL,
  unit text NOT NULL,
  observed_at bigint NOT NULL,
  PRIMARY KEY (agent_type, metric, session_id, attributes, stream_start, point_key)
);
CREATE TABLE am_codex_ordinals (
  conversation_id text NOT NULL,
  record_key text NOT NULL,
  ordinal integer NOT NULL,
  PRIMARY KEY (conversation_id, record_key)
);
`,
  },
  {
    // The machine an event came from (push: the pushing host; OTLP: host.name; hooks: a header).
    version: 6,
    sql: `
ALTER TABLE am_events ADD COLUMN machine text;
ALTER TABLE am_sessions ADD COLUMN machine text;
`,
  },
];

/** Advisory lock key held while migrating or creating partitions ("AgMo"). */
export const SCHEMA_LOCK = 0x41674d6f;

/** The channel on which a committed batch announces its event ids (JSON array). */
export const EVENTS_CHANNEL = 'agentmonitor_events';

/** The month partition holding `ms`: its name and [from, to) in epoch ms (UTC months). */
export function monthPartition(ms: number): { name: string; from: number; to: number } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return {
    name: `am_events_${y}${String(m + 1).padStart(2, '0')}`,
    from: Date.UTC(y, m, 1),
    to: Date.UTC(y, m + 1, 1),
  };
}
