/**
 * Response shapes of the HTTP API (DESIGN §5). The dashboard, the extension and the CLI read these;
 * the server's query layer produces them. Times are ISO-8601 strings; money is USD; token names
 * follow the event contract (`events.ts`).
 */
import type { AgentDirsRequest } from '../agents/identities';
import type { CostSource, EventStatus, StoredEvent } from './events';

export type SessionStatus = 'active' | 'idle' | 'ended';

/**
 * What a session's agent is doing now (`store/sessionState.ts`): `working`, waiting for the user
 * (`waiting_permission`: a tool call to allow; `waiting_input`: its turn is over, or it asks a
 * question), `idle` (silent past the idle threshold, or started and nothing asked yet), `ended`
 * (ended, or silent past the end threshold), `error` (its turn failed).
 */
export const SESSION_STATES = ['working', 'waiting_permission', 'waiting_input', 'idle', 'ended', 'error'] as const;
export type SessionState = (typeof SESSION_STATES)[number];
/** The states in which an agent waits for the user (`GET /api/attention`). */
export const WAITING_STATES: readonly SessionState[] = ['waiting_permission', 'waiting_input'];

/**
 * What `GET /api/sessions?sort=KEY&dir=asc|desc` orders by (default `last_event_at`, `desc`); ties
 * break on `session_id` in the same direction, and `next_cursor` continues in that order. `status`
 * orders active, idle, ended; `duration` is start to end (now while active, last event when
 * silent); `project` and `model` put sessions without one first in ascending order.
 */
export const SESSION_SORT_KEYS = ['session_id', 'agent_type', 'project', 'model', 'status', 'started_at', 'last_event_at', 'duration', 'event_count', 'tokens', 'cost_usd'] as const;
export type SessionSortKey = (typeof SESSION_SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

/** Token and cost totals; the same names everywhere. */
export interface Totals {
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  /** Usage whose model has no price: its tokens are in the totals, its cost is not. */
  unpriced_tokens?: number;
}

/** What a usage rollup adds up per group: events and model requests, with their totals. */
export interface UsageSums extends Required<Totals> {
  events: number;
  requests: number;
}

export interface Session extends Totals {
  session_id: string;
  agent_type: string;
  project: string | null;
  branch: string | null;
  model: string | null;
  status: SessionStatus;
  started_at: string;
  last_event_at: string;
  ended_at: string | null;
  event_count: number;
  /** Parent session for subagent sessions, when known. */
  parent_session_id: string | null;
  /** Name of the tool most recently used, and its status. */
  last_tool: string | null;
  last_tool_status: EventStatus | null;
  last_event_type: string | null;
  /** Transcript file when the session was imported or reported one. */
  transcript_path: string | null;
  /** What the agent is doing now (see `SessionState`). */
  state: SessionState;
  /** While waiting: when the wait began; else null. */
  waiting_since: string | null;
  /** While waiting (or in error): what it asks (`Bash: npm test`, its last message), when known. */
  waiting_message: string | null;
  /** The prompt size of the main agent's latest model request (input + cache tokens): how full its context is. */
  context_tokens: number | null;
  /** The context window of the session's model, when known (`contextWindow.ts`). */
  context_window: number | null;
  /** Who ran it (a team server only; see `TeamCostBreakdown`). */
  person?: string;
  /** The machine its first event came from (a team server only, when known). */
  machine?: string;
}

/** `GET /api/attention`: sessions waiting for the user, longest waiting first. */
export interface AttentionList {
  sessions: Session[];
}

/**
 * `GET /api/sessions`. Besides `agent_type`, `project`, `status`, `q`, `since`, `sort`/`dir`:
 * `min_cost` / `max_cost` (USD, inclusive) and `nest=true`, which lists top-level sessions only
 * (no parent, or a parent not stored) with `subagents` set: how many sessions name each as parent
 * (`parent_session_id=<id>` lists them).
 */
export interface SessionsPage {
  sessions: (Session & { subagents?: number })[];
  next_cursor: string | null;
}

export interface SessionDetail {
  session: Session;
  /** Tokens and cost by model for this session. */
  models: ModelUsage[];
  /** Tool usage in this session. */
  tools: ToolStat[];
  /** Subagent sessions started by this one. */
  children: Session[];
}

/**
 * `GET /api/events?order=`: `id` (default) newest stored first; `created_at` by event time, newest
 * first (ties by id), so events imported from old transcripts fall in their place.
 */
export const EVENT_ORDERS = ['id', 'created_at'] as const;
export type EventOrder = (typeof EVENT_ORDERS)[number];

export interface EventsPage {
  events: StoredEvent[];
  next_cursor: string | null;
}

/** One entry of a session transcript (`GET /api/sessions/:id/transcript`). */
export interface TranscriptEntry {
  id: number;
  at: string;
  kind: 'prompt' | 'answer' | 'tool' | 'subagent' | 'compaction' | 'lifecycle' | 'error' | 'other';
  event_type: string;
  text: string | null;
  tool_name: string | null;
  status: EventStatus | null;
  duration_ms: number | null;
  model: string | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number | null;
  /**
   * A tool call's output as stored (importers keep its head, hooks a summary: stdout, stderr,
   * error), or null. Its whole length is `detail.output_chars` when the stored head was cut.
   */
  output: string | null;
  detail: Record<string, unknown> | null;
}

export interface TranscriptPage {
  session_id: string;
  entries: TranscriptEntry[];
  next_cursor: string | null;
}

/**
 * `GET /api/sessions/:id/timeline`: cumulative cost and tokens over the whole session and its
 * subagents, in at most 500 points (events bucketed evenly over the session's span), in time order.
 */
export interface SessionTimeline {
  session_id: string;
  points: { at: string; cost_usd: number; tokens: number }[];
}

/** One hit of `GET /api/search`. */
export interface SearchHit {
  session_id: string;
  /** The stored event's `id` (as in `/api/events` and `TranscriptEntry.id`). */
  event_id: number;
  /** Event time (ISO). */
  at: string;
  /** What matched: a prompt, the agent's answer, a tool call's input, a changed file's path. */
  kind: 'prompt' | 'answer' | 'tool' | 'file';
  /** About 160 characters of the text around the first term, on one line (plain text). */
  snippet: string;
}

/**
 * `GET /api/search?q=…`: newest stored first. A page may hold fewer than `limit` hits while
 * `next_cursor` is set (each request examines a bounded number of matches): follow it.
 */
export interface SearchPage {
  results: SearchHit[];
  next_cursor: string | null;
}

export interface ModelUsage extends Totals {
  model: string;
  requests: number;
  cost_source: CostSource | 'mixed';
  priced: boolean;
}

export interface PeriodTotals extends Totals {
  events: number;
  sessions: number;
  requests: number;
}

/** `GET /api/stats`. */
export interface Stats {
  generated_at: string;
  total: PeriodTotals;
  today: PeriodTotals;
  last_7_days: PeriodTotals;
  last_30_days: PeriodTotals;
  active_sessions: number;
  active_agents: number;
  agents: AgentSummary[];
  /** Cost per hour over the last hour of activity (USD/h). */
  burn_rate_usd_per_hour: number;
  events_per_minute: number;
}

export interface AgentSummary {
  agent_type: string;
  last_seen_at: string;
  sessions: number;
  active_sessions: number;
  today_cost_usd: number;
  total_cost_usd: number;
}

export interface CostRow extends Totals {
  key: string;
  requests: number;
  events: number;
  sessions: number;
}

/** `GET /api/stats/cost?by=day|model|project|session|agent[&stack=model]`. */
export interface CostBreakdown {
  by: 'day' | 'model' | 'project' | 'session' | 'agent';
  tz: string;
  since: string | null;
  until: string | null;
  rows: CostRow[];
  /** For `by=day&stack=model`: per day, per model. */
  stacked?: { key: string; model: string; cost_usd: number; tokens: number }[];
  /** Over everything in range, not only the rows returned. */
  totals: PeriodTotals;
}

/**
 * `GET /api/stats/cost?by=day|model|project|session|agent|person[&person=…]` on a team server (`serve --database-url`):
 * the local answer's shape, plus `by=person` and the `person` filter (who sent the events: `metadata["user.email"]`, else
 * `metadata.user_email`, else `unknown`).
 */
export type TeamCostBreakdown = Omit<CostBreakdown, 'by'> & { by: CostBreakdown['by'] | 'person' };

export interface ToolStat {
  tool_name: string;
  calls: number;
  errors: number;
  running: number;
  error_rate: number;
  p50_ms: number | null;
  p95_ms: number | null;
  avg_ms: number | null;
}

/** `GET /api/stats/tools`. */
export interface ToolStats {
  tools: ToolStat[];
  /** Calls per bucket for the over-time chart. */
  timeline: { bucket: string; tool_name: string; calls: number; errors: number }[];
  bucket: 'hour' | 'day';
}

export interface FilterOptions {
  agent_types: string[];
  event_types: string[];
  tool_names: string[];
  models: string[];
  projects: string[];
  branches: string[];
  sources: string[];
  /** Who sent events (a team server only: `person=` filters sessions, events and costs). */
  people?: string[];
  /** The machines events came from (a team server only: `machine=` filters sessions, events and the stream). */
  machines?: string[];
}

export interface Health {
  status: 'ok' | 'degraded';
  service: 'agentmonitor';
  /** Where events are kept: the local sql.js file, or a team server's PostgreSQL (`serve --database-url`). */
  storage: 'sqljs' | 'postgres';
  version: string;
  pid: number;
  port: number;
  host: string;
  db_path: string;
  uptime_s: number;
  sse_clients: number;
  events: number;
  journal_pending: number;
  /** Seq of the last batch written to the journal; a snapshot with `seq` at least this holds it. */
  journal_seq: number;
  last_snapshot_at: string | null;
  /** The last snapshot's size and timings (export runs in the store worker, off the ingest path). */
  last_snapshot?: { bytes: number; export_ms: number; write_ms: number; seq: number } | null;
}

/**
 * `GET /api/health` of a team server bound off loopback, asked without a token (a load balancer's
 * check): up or not (503 when PostgreSQL does not answer) and the backend, nothing else.
 */
/**
 * The realm of a team server's 401 (`WWW-Authenticate: Bearer realm="agentmonitor-team"`): the
 * dashboard reloads on it, and the page a browser without a valid token gets is the sign-in form.
 */
export const TEAM_AUTH_REALM = 'agentmonitor-team';

export interface HealthBrief {
  status: 'ok' | 'degraded';
  storage: 'postgres';
}

/** Common error body for 4xx/5xx answers. */
export interface ApiError {
  error: string;
  errors?: { field: string; message: string }[];
}

/**
 * `GET /api/stats/pulse?minutes=60`: activity per minute (by event time) over the last `minutes`
 * minutes, for the overview's live chart. The dashboard asks once, then adds the `event` messages
 * of the SSE stream whose id is above `last_event_id` (completions of running calls keep their id
 * and are not counted twice).
 */
export interface Pulse {
  generated_at: string;
  /** Bucket width in seconds. */
  bucket_s: number;
  /** Start of the first bucket (aligned to the bucket width). */
  since: string;
  /** Buckets with activity, oldest first; `at` is the bucket's start. */
  buckets: { at: string; events: number; cost_usd: number }[];
  /** Highest event id counted (0 when there are no events). */
  last_event_id: number;
  /** The server's idle threshold: a session silent this long is no longer active. */
  idle_after_minutes: number;
}

/** `GET /api/stats/usage-monitor`. */
/** Whose plan a usage block counts against: from the model (else the agent); `other` is local or unknown models. */
export const USAGE_PROVIDERS = ['anthropic', 'openai', 'google', 'other'] as const;
export type UsageProvider = (typeof USAGE_PROVIDERS)[number];

export interface UsageMonitor {
  generated_at: string;
  block_hours: number;
  /** The provider whose blocks, burn rate and projection these are (plans are per provider). */
  provider: UsageProvider;
  /** Providers with usage, the latest used first. */
  providers: UsageProvider[];
  current_block: UsageBlock | null;
  blocks: UsageBlock[];
  /** Current block's cost per hour over its last 60 minutes up to now (from `burn_rate_since`); 0 without a block. */
  burn_rate_usd_per_hour: number;
  burn_rate_tokens_per_minute: number;
  /** Start of the burn rate's window: an hour before now, or the block's first usage when later. */
  burn_rate_since: string | null;
  /** Block cost plus the burn rate until the block's end: falls while nothing happens. */
  projected_block_cost_usd: number | null;
  block_time_left_minutes: number | null;
  daily_budget_usd: number | null;
  today_cost_usd: number;
  rate_limits: RateLimitInfo[];
}

export interface UsageBlock extends Totals {
  start: string;
  end: string;
  /** Last activity within the block. */
  last_activity_at: string;
  active: boolean;
  requests: number;
  models: string[];
}

export interface RateLimitInfo {
  agent_type: string;
  /** e.g. "primary" (5 h) or "secondary" (weekly) for Codex. */
  window: string;
  used_percent: number;
  window_minutes: number | null;
  resets_at: string | null;
  /** When the agent reported it: the reading is "as of" this time. */
  observed_at: string;
  /**
   * The reading says nothing about now: its window reset since (`resets_at` passed) or it is older
   * than its window (`observed_at` more than `window_minutes` ago). Draw it as of `observed_at`,
   * never as a warning.
   */
  stale: boolean;
}

/**
 * `POST /api/import` body and its final summary. One folder list per agent with log folders, named
 * by its identity's `folders.request` (`claude_dirs`, `codex_dirs`, `gemini_dirs`, `copilot_dirs`,
 * `opencode_dirs`, `copilot_chat_dirs`, …; `src/core/agents/`). A request naming none imports every
 * agent's default folders; one naming some imports only those.
 */
export type ImportRequest = AgentDirsRequest & {
  /** Restrict to sessions whose cwd is inside one of these folders. */
  cwd_filter?: string[];
};

export interface ImportSummary {
  import_id: string;
  files: number;
  files_skipped_unchanged: number;
  events: number;
  duplicates: number;
  lines: number;
  skipped_lines: number;
  skipped: { file: string; line: number; reason: string }[];
  duration_ms: number;
  cancelled: boolean;
}

/** `GET /api/import`: the running import's id, and the summary of the last one that finished. */
export interface ImportStatus {
  running: string | null;
  last: ImportSummary | null;
}

export interface ImportProgress {
  import_id: string;
  phase: 'scanning' | 'importing' | 'done' | 'error';
  files_done: number;
  files_total: number;
  bytes_done: number;
  bytes_total: number;
  events: number;
  message?: string;
}
