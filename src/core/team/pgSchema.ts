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
 *   cost views count sessions by).
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
