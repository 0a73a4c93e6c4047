/**
 * A session's live state (issue 18), kept on `sessions` (`state`, `state_at`, `waiting_since`,
 * `waiting_message`) by the insert batch: each stored event that says something about the agent
 * moves it, in event-time order (an event older than the stored `state_at` changes nothing, so a
 * late transcript or OTLP copy never undoes a newer hook).
 *
 * - `waiting_permission`: a `PermissionRequest` hook, or a `Notification` of type
 *   `permission_prompt`;
 * - `waiting_input`: a `Stop` (or `Interrupt`) hook — the turn is over and the agent waits for the
 *   next prompt — or Codex's rollout saying so (`task_complete`, `turn_aborted`), or a
 *   `Notification` of type `idle_prompt` / `elicitation_dialog`;
 * - `working`: a prompt, a tool call (its start or its end: a granted permission ends in the call's
 *   PostToolUse, or earlier in the OTLP `tool_decision` on it), a subagent starting or stopping, a
 *   compaction. A call's start never ends a permission wait: Codex runs its PermissionRequest and
 *   PreToolUse hooks at once, so the start of the call it asks about can arrive after the request;
 * - `idle`: a session (re)started and nothing asked yet;
 * - `error`: the turn failed (`StopFailure` hook);
 * - `ended`: `session_end`, or the turn's end in a Codex thread no user answers (`codex exec`, a
 *   subagent's thread: metadata `unattended`).
 *
 * `waiting_since` is when the current wait began (kept while further signals of the same wait
 * arrive: the permission_prompt notification that follows a PermissionRequest, idle_prompt after
 * Stop), null when not waiting. What a session reports also ages with time (`queries/sessions.ts`).
 *
 * Beside it, how full the context is (`context_tokens`, `context_at`): the prompt of the main
 * agent's latest model request (input + cache read + cache write tokens; a subagent's requests,
 * marked `agent_id`, have their own context, and usage derived from OTLP metrics is no request),
 * and `context_window` when the agent reports it (Codex's token_count; Claude Code's status line
 * writes it apart, `queries/sessions.ts`).
 */
import { METRICS_USAGE_ID_PREFIX } from '../contracts/eventIds';
import type { SqlDb } from './sqlDb';
import type { EventRecord } from './records';

export const STORED_STATES = ['working', 'waiting_permission', 'waiting_input', 'idle', 'ended', 'error'] as const;
export type StoredState = (typeof STORED_STATES)[number];

export interface StateChange {
  state: StoredState;
  at: number;
  message: string | null;
  /** A tool call's start: moves a session to `working`, but never out of `waiting_permission`. */
  callStart?: true;
}

export interface SessionLiveState {
  state: StoredState | null;
  state_at: number | null;
  waiting_since: number | null;
  waiting_message: string | null;
}

const MESSAGE_MAX = 300;

function meta(r: EventRecord): Record<string, unknown> {
  if (!r.metadata) return {};
  try {
    const m = JSON.parse(r.metadata) as unknown;
    return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function text(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.replace(/\s+/g, ' ').trim();
  if (!t) return null;
  return t.length > MESSAGE_MAX ? `${t.slice(0, MESSAGE_MAX - 1)}…` : t;
}

/** What a permission request asks: the tool and its input's summary (`Bash: rm -rf build`). */
function permissionAsk(r: EventRecord, m: Record<string, unknown>): string | null {
  const input = m.input && typeof m.input === 'object' ? (m.input as Record<string, unknown>) : null;
  const detail = input ? text(input.command ?? input.file_path ?? input.url ?? input.pattern ?? input.description) : null;
  const tool = r.tool_name ?? null;
  return text(tool && detail ? `${tool}: ${detail}` : (tool ?? detail ?? m.message));
}

/** The state an event moves its session to, or null when it says nothing about it. */
export function stateChange(r: EventRecord): StateChange | null {
  const at = r.created_at;
  switch (r.event_type) {
    case 'permission_request': {
      return { state: 'waiting_permission', at, message: permissionAsk(r, meta(r)) };
    }
    case 'notification': {
      const m = meta(r);
      const kind = m.notification_type;
      if (kind === 'permission_prompt') return { state: 'waiting_permission', at, message: text(m.message) };
      if (kind === 'idle_prompt' || kind === 'elicitation_dialog') return { state: 'waiting_input', at, message: text(m.message) };
      return null;
    }
    case 'stop': {
      const m = meta(r);
      if (m.unattended === true) return { state: 'ended', at, message: null };
      return { state: 'waiting_input', at, message: text(m.last_assistant_message) };
    }
    case 'tool_use':
      // An OTLP tool_decision is stored as the call running, with the user's `decision`: an answer, not a start.
      return (r.status === 'running' || r.status === null) && !(r.metadata?.includes('"decision"') && typeof meta(r).decision === 'string')
        ? { state: 'working', at, message: null, callStart: true }
        : { state: 'working', at, message: null };
    case 'user_prompt':
    case 'subagent_start':
    case 'subagent_stop':
    case 'compaction':
      return { state: 'working', at, message: null };
    case 'session_start':
      return meta(r).source === 'compact' ? null : { state: 'idle', at, message: null };
    case 'session_end':
      return { state: 'ended', at, message: null };
    case 'error':
      return r.source === 'hook' ? { state: 'error', at, message: text(meta(r).error) } : null;
    default:
      return null;
  }
}

const isWaiting = (s: StoredState | null) => s === 'waiting_permission' || s === 'waiting_input';

export function fold(cur: SessionLiveState, c: StateChange): void {
  if (cur.state_at !== null && c.at < cur.state_at) return;
  if (c.callStart && cur.state === 'waiting_permission') return;
  if (isWaiting(c.state)) {
    if (cur.state === c.state) {
      cur.waiting_message = cur.waiting_message ?? c.message;
    } else {
      cur.waiting_since = c.at;
      cur.waiting_message = c.message;
    }
  } else {
    cur.waiting_since = null;
    cur.waiting_message = c.state === 'error' ? c.message : null;
  }
  cur.state = c.state;
  cur.state_at = c.at;
}

/** The state changes of one insert batch, applied after its session rows are written. */
/** The prompt size of a main-agent model request, or null when the record is none. */
export function contextTokens(r: EventRecord): number | null {
  if (r.event_type !== 'llm_request') return null;
  const prompt = r.tokens_in + r.cache_read_tokens + r.cache_write_tokens;
  if (prompt <= 0 || (r.event_id !== null && r.event_id.startsWith(METRICS_USAGE_ID_PREFIX))) return null;
  if (r.metadata && r.metadata.includes('"agent_id"') && typeof meta(r).agent_id === 'string') return null;
  return prompt;
}

/** The context window a model request reports (`metadata.context_window`: Codex's token_count), or null. */
export function reportedWindow(r: EventRecord): number | null {
  if (r.event_type !== 'llm_request' || !r.metadata || !r.metadata.includes('"context_window"')) return null;
  const w = meta(r).context_window;
  return typeof w === 'number' && Number.isInteger(w) && w > 0 ? w : null;
}

export class SessionStates {
  private readonly changes = new Map<string, StateChange[]>();
  private readonly contexts = new Map<string, { tokens: number; at: number }>();
  private readonly windows = new Map<string, number>();

  /** The context window a model request reports, also when the request was stored already by another channel. */
  noteWindow(sessionId: string, r: EventRecord): void {
    const w = reportedWindow(r);
    if (w !== null) this.windows.set(sessionId, w);
  }

  /** An event stored (inserted, or completing a stored call) for `sessionId`. */
  note(sessionId: string, r: EventRecord): void {
    this.noteWindow(sessionId, r);
    const tokens = contextTokens(r);
    if (tokens !== null) {
      const had = this.contexts.get(sessionId);
      if (!had || r.created_at >= had.at) this.contexts.set(sessionId, { tokens, at: r.created_at });
    }
    const c = stateChange(r);
    if (!c) return;
    const list = this.changes.get(sessionId);
    if (list) list.push(c);
    else this.changes.set(sessionId, [c]);
  }

  apply(db: SqlDb): void {
    for (const [sid, w] of this.windows) db.run('UPDATE sessions SET context_window = ? WHERE session_id = ? AND context_window IS NOT ?', [w, sid, w]);
    for (const [sid, c] of this.contexts) {
      db.run('UPDATE sessions SET context_tokens = ?, context_at = ? WHERE session_id = ? AND (context_at IS NULL OR context_at <= ?)', [c.tokens, c.at, sid, c.at]);
    }
    for (const [sid, list] of this.changes) {
      const cur = db.get<SessionLiveState>('SELECT state, state_at, waiting_since, waiting_message FROM sessions WHERE session_id = ?', [sid]);
      if (!cur) continue;
      const before = JSON.stringify(cur);
      for (const c of list) fold(cur, c);
      if (JSON.stringify(cur) === before) continue;
      db.run('UPDATE sessions SET state = ?, state_at = ?, waiting_since = ?, waiting_message = ? WHERE session_id = ?', [
        cur.state,
        cur.state_at,
        cur.waiting_since,
        cur.waiting_message,
        sid,
      ]);
    }
  }
}
