/**
 * Messages of the SSE stream `GET /api/stream` (DESIGN §5). Each message is sent as
 * `event: <type>\ndata: <JSON of the message>\n\n`, where `<type>` is the message's `type`.
 *
 * Query-string filters (`agent_type`, `session_id`, `event_type`, `tool_name`, `model`, `project`,
 * each repeatable or comma-separated) apply to `event` messages and, by agent/session/project, to
 * `session_update`. `stats` is throttled (at most one per `STATS_THROTTLE_MS`), sent to everyone.
 * A comment line `: heartbeat` is sent every `AGENTMONITOR_SSE_HEARTBEAT_MS`.
 */
import type { ImportProgress, ImportSummary, Session, Stats } from './api';
import type { StoredEvent } from './events';

export const STATS_THROTTLE_MS = 1000;

export type SseMessage =
  | { type: 'hello'; server_version: string; at: string }
  | { type: 'event'; event: StoredEvent }
  | { type: 'session_update'; session: Session }
  | { type: 'stats'; stats: Stats }
  | { type: 'import_progress'; progress: ImportProgress }
  | { type: 'import_done'; summary: ImportSummary }
  | { type: 'data_cleared'; at: string };

export type SseMessageType = SseMessage['type'];

/** Every message type once: a type added to `SseMessage` and not here (or the reverse) does not compile. */
const SSE_TYPE_SET = {
  hello: true,
  event: true,
  session_update: true,
  stats: true,
  import_progress: true,
  import_done: true,
  data_cleared: true,
} as const satisfies Record<SseMessageType, true>;

export const SSE_MESSAGE_TYPES = Object.keys(SSE_TYPE_SET) as readonly SseMessageType[];

/** Filters a client can give on `/api/stream` and `/api/events`. */
export interface EventFilter {
  agent_type?: string[];
  session_id?: string[];
  event_type?: string[];
  tool_name?: string[];
  model?: string[];
  project?: string[];
  branch?: string[];
  source?: string[];
  /** Who sent the event: a team server only (`StoredEvent.person`); a local server refuses it. */
  person?: string[];
  /** The machine it came from: a team server only (`StoredEvent.machine`); a local server refuses it. */
  machine?: string[];
  /** ISO or epoch ms. */
  since?: string;
  until?: string;
}

export const FILTER_KEYS = ['agent_type', 'session_id', 'event_type', 'tool_name', 'model', 'project', 'branch', 'source', 'person', 'machine'] as const;
