/**
 * Applying a batch of event records to the database, inside one transaction: dedup by `event_id`
 * (completing `running` rows), the lean `events` row plus its payload, then the running totals on
 * `sessions`, the `usage_hourly` rollup, `agents` and `rate_limits`. Deterministic, so replaying
 * the journal rebuilds exactly the same state. Usage derived from OTLP metrics or Copilot CLI's
 * session store (`usage-metrics:` ids) counts only for a session without another `llm_request`:
 * it is skipped when the session has one, and removed (with its share of the totals) when one arrives.
 */
import { AGENT_IDENTITIES } from '../agents/identities';
import type { AgentIdentity } from '../agents/identity';
import type { UsageSums } from '../contracts/api';
import type { InsertOutcome } from '../contracts/storeWorker';
import { METRICS_USAGE_ID_PREFIX, metricsUsageIdRange } from '../contracts/eventIds';
import { recordChange, totalChanges } from './changeLog';
import type { SqlDb } from './sqlDb';
import { indexEvent, indexFilled } from './searchIndex';
import { storedClientTimestamp, type EventRecord } from './records';
import { eventIdHash } from './eventIdHash';
import { SessionStates } from './sessionState';

/** One batch's share of a session row (the team store, `team/pgStore.ts`, adds them up the same way). */
export interface SessionDelta {
  agent_type: string;
  project: string | null;
  branch: string | null;
  model: string | null;
  started_at: number;
  last_event_at: number;
  ended_at: number | null;
  /** The latest event of the batch that is not a session_end: one after the end reopens the session. */
  reopened_at: number | null;
  event_count: number;
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  unpriced_tokens: number;
  parent_session_id: string | null;
  last_tool: string | null;
  last_tool_status: string | null;
  last_tool_at: number;
  last_event_type: string | null;
  transcript_path: string | null;
}

interface HourDelta extends UsageSums {
  hour: number;
  agent_type: string;
  model: string;
  project: string;
}

const HOUR_MS = 3_600_000;

const INSERT_EVENT = `INSERT INTO event_rows (id, event_id, session, type, label,
  tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens,
  cost_usd, duration_ms, created_at, received_at, client_timestamp, payload_truncated, payload_off, payload_len, id_hash)
  VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`;
/** The stored row of an event id: by its hash (`eventIdHash.ts`), the text settling a collision. */
const STORED_ID = 'SELECT id FROM event_rows WHERE id_hash = ? AND event_id = ?';

/** The events columns whose values the filter menus list (`event_values`). */
export type EventValueColumn = 'event_type' | 'tool_name' | 'model';

/** A model request of session `?` that is not usage derived from OTLP metrics (through the session index). */
export const COVERING_REQUEST_SQL = `SELECT id FROM events WHERE session_id = ? AND event_type = 'llm_request'
  AND (event_id IS NULL OR event_id NOT LIKE '${METRICS_USAGE_ID_PREFIX}%') LIMIT 1`;

const UPSERT_SESSION = `INSERT INTO sessions (session_id, agent_type, project, branch, model, started_at, last_event_at, ended_at,
  event_count, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens,
  parent_session_id, last_tool, last_tool_status, last_event_type, transcript_path)
  VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
  ON CONFLICT(session_id) DO UPDATE SET
    project = COALESCE(sessions.project, excluded.project),
    branch = CASE WHEN excluded.last_event_at >= sessions.last_event_at THEN COALESCE(excluded.branch, sessions.branch) ELSE COALESCE(sessions.branch, excluded.branch) END,
    model = CASE WHEN excluded.last_event_at >= sessions.last_event_at THEN COALESCE(excluded.model, sessions.model) ELSE COALESCE(sessions.model, excluded.model) END,
    last_event_type = CASE WHEN excluded.last_event_at >= sessions.last_event_at THEN excluded.last_event_type ELSE sessions.last_event_type END,
    last_tool = CASE WHEN excluded.last_tool IS NOT NULL AND excluded.last_event_at >= sessions.last_event_at THEN excluded.last_tool ELSE COALESCE(sessions.last_tool, excluded.last_tool) END,
    last_tool_status = CASE WHEN excluded.last_tool IS NOT NULL AND excluded.last_event_at >= sessions.last_event_at THEN excluded.last_tool_status ELSE COALESCE(sessions.last_tool_status, excluded.last_tool_status) END,
    started_at = MIN(sessions.started_at, excluded.started_at),
    last_event_at = MAX(sessions.last_event_at, excluded.last_event_at),
    ended_at = CASE
      WHEN ?21 IS NOT NULL AND ?21 >= COALESCE(sessions.ended_at, 0) AND ?21 >= COALESCE(excluded.ended_at, 0) THEN NULL
      WHEN excluded.ended_at IS NOT NULL THEN MAX(COALESCE(sessions.ended_at, 0), excluded.ended_at)
      ELSE sessions.ended_at END,
    event_count = sessions.event_count + excluded.event_count,
    tokens_in = sessions.tokens_in + excluded.tokens_in,
    tokens_out = sessions.tokens_out + excluded.tokens_out,
    cache_read_tokens = sessions.cache_read_tokens + excluded.cache_read_tokens,
    cache_write_tokens = sessions.cache_write_tokens + excluded.cache_write_tokens,
    cost_usd = sessions.cost_usd + excluded.cost_usd,
    unpriced_tokens = sessions.unpriced_tokens + excluded.unpriced_tokens,
    parent_session_id = COALESCE(sessions.parent_session_id, excluded.parent_session_id),
    transcript_path = COALESCE(excluded.transcript_path, sessions.transcript_path)`;

const UPSERT_HOUR = `INSERT INTO usage_hourly (hour, agent_type, model, project, events, requests, tokens_in, tokens_out,
  cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
  ON CONFLICT(hour, agent_type, model, project) DO UPDATE SET
    events = events + excluded.events, requests = requests + excluded.requests,
    tokens_in = tokens_in + excluded.tokens_in, tokens_out = tokens_out + excluded.tokens_out,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    cost_usd = cost_usd + excluded.cost_usd, unpriced_tokens = unpriced_tokens + excluded.unpriced_tokens`;

function tokenSum(r: Pick<EventRecord, 'tokens_in' | 'tokens_out' | 'cache_read_tokens' | 'cache_write_tokens'>): number {
  return r.tokens_in + r.tokens_out + r.cache_read_tokens + r.cache_write_tokens;
}

type UsageTotals = Pick<HourDelta, 'tokens_in' | 'tokens_out' | 'cache_read_tokens' | 'cache_write_tokens' | 'cost_usd' | 'unpriced_tokens'>;

/** Add (sign 1) or take back (sign -1) one event's tokens and cost. */
function addUsage(t: UsageTotals, r: Pick<EventRecord, 'tokens_in' | 'tokens_out' | 'cache_read_tokens' | 'cache_write_tokens' | 'cost_usd' | 'cost_source'>, sign: 1 | -1): void {
  t.tokens_in += sign * r.tokens_in;
  t.tokens_out += sign * r.tokens_out;
  t.cache_read_tokens += sign * r.cache_read_tokens;
  t.cache_write_tokens += sign * r.cache_write_tokens;
  if (r.cost_usd !== null) t.cost_usd += sign * r.cost_usd;
  if (r.cost_source === 'unpriced') t.unpriced_tokens += sign * tokenSum(r);
}

function metaString(metadata: string | null, key: string): string | null {
  if (!metadata || !metadata.includes(`"${key}"`)) return null;
  try {
    const v = (JSON.parse(metadata) as Record<string, unknown>)[key];
    return typeof v === 'string' && v ? v : null;
  } catch {
    return null;
  }
}

export function mergeMetadata(oldJson: string | null, newJson: string | null): string | null {
  if (!oldJson) return newJson;
  if (!newJson) return oldJson;
  try {
    const merged = { ...(JSON.parse(oldJson) as object), ...(JSON.parse(newJson) as object) };
    return JSON.stringify(merged);
  } catch {
    return newJson;
  }
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

/** The stored metadata with its empty fields taken from `newJson`; null when nothing changes. */
export function fillMetadataGaps(oldJson: string | null, newJson: string): string | null {
  let incoming: Record<string, unknown>;
  let stored: Record<string, unknown> = {};
  try {
    incoming = JSON.parse(newJson) as Record<string, unknown>;
    if (oldJson) stored = JSON.parse(oldJson) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!incoming || typeof incoming !== 'object' || Array.isArray(incoming) || !stored || typeof stored !== 'object' || Array.isArray(stored)) return null;
  let changed = false;
  for (const [k, v] of Object.entries(incoming)) {
    if (isEmpty(v) || !isEmpty(stored[k])) continue;
    stored[k] = v;
    changed = true;
  }
  return changed ? JSON.stringify(stored) : null;
}

/** Whether a tool call's metadata carries a permission decision (`otel/*.ts` tool_decision). */
export function isDecision(metadata: string): boolean {
  try {
    return typeof (JSON.parse(metadata) as { decision?: unknown }).decision === 'string';
  } catch {
    return false;
  }
}

export function newSessionDelta(r: EventRecord): SessionDelta {
  return {
    agent_type: r.agent_type,
    project: null,
    branch: null,
    model: null,
    started_at: r.created_at,
    last_event_at: r.created_at,
    ended_at: null,
    reopened_at: null,
    event_count: 0,
    tokens_in: 0,
    tokens_out: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 0,
    unpriced_tokens: 0,
    parent_session_id: null,
    last_tool: null,
    last_tool_status: null,
    last_tool_at: -Infinity,
    last_event_type: null,
    transcript_path: null,
  };
}

/** An event after the batch's session_end reopens the session: the batch's row is not ended. */
export function settleEnd(s: SessionDelta): void {
  if (s.reopened_at !== null && s.ended_at !== null && s.reopened_at > s.ended_at) s.ended_at = null;
}

/** A newly inserted event's share of its session's row. */
export function addToSession(s: SessionDelta, r: EventRecord): void {
  s.event_count++;
  s.started_at = Math.min(s.started_at, r.created_at);
  if (r.created_at >= s.last_event_at) {
    s.last_event_at = r.created_at;
    s.last_event_type = r.event_type;
    if (r.branch) s.branch = r.branch;
    if (r.model) s.model = r.model;
  }
  if (r.project && !s.project) s.project = r.project;
  if (r.branch && !s.branch) s.branch = r.branch;
  if (r.model && !s.model) s.model = r.model;
  addUsage(s, r, 1);
  if (r.tool_name && r.event_type === 'tool_use' && r.created_at >= s.last_tool_at) {
    s.last_tool = r.tool_name;
    s.last_tool_status = r.status;
    s.last_tool_at = r.created_at;
  }
  if (r.event_type === 'session_end') s.ended_at = Math.max(s.ended_at ?? 0, r.created_at);
  else s.reopened_at = Math.max(s.reopened_at ?? 0, r.created_at);
  if (!s.parent_session_id) s.parent_session_id = metaString(r.metadata, 'parent_session_id');
  const tp = metaString(r.metadata, 'transcript_path');
  if (tp) s.transcript_path = tp;
}

export function insertBatch(db: SqlDb, records: EventRecord[]): InsertOutcome {
  const w = new BatchWriter(db);
  const before = totalChanges(db);
  try {
    db.transaction(() => {
      for (const r of records) w.record(r);
      w.finish();
      // Payload bytes reach the file before the rows that point at them commit.
      db.payloads.flush();
    });
  } catch (e) {
    db.payloads.discard();
    throw e;
  }
  const out = w.out;
  out.sessions = [...w.sessions.keys()];
  recordChange(db, before, totalChanges(db), { sessions: out.sessions, hours: [...w.hours.values()].map((h) => h.hour), toolEvents: w.toolEvents });
  return out;
}

export const isDerived = (r: Pick<EventRecord, 'event_id'>) => r.event_id !== null && r.event_id.startsWith(METRICS_USAGE_ID_PREFIX);
/** Agents with stand-in usage (their identity's `standInUsage`: Claude Code's OTLP metrics, Copilot CLI's session store). */
const STAND_IN_AGENTS: ReadonlySet<string> = new Set((AGENT_IDENTITIES as readonly AgentIdentity[]).filter((a) => a.standInUsage).map((a) => a.agentType));
export const hasStandInUsage = (agentType: string) => STAND_IN_AGENTS.has(agentType);

/** Whether a record with a stored event's id completes a running call or corrects a success (`applyDuplicate`). */
export function completesStored(storedStatus: string | null, status: string | null): boolean {
  return (storedStatus === 'running' && status !== null && status !== 'running') || (storedStatus === 'success' && (status === 'error' || status === 'timeout'));
}

/**
 * One batch's writes and what they add up to. A class, not closures inside `insertBatch`: its
 * methods are the same functions for every batch, so V8 optimizes them once (closures made anew
 * per batch were inlined into one large function, which was deoptimized and compiled again as
 * batches came: a tenth of a Codex import's CPU went to compiling it).
 */
class BatchWriter {
  readonly out: InsertOutcome = { ids: [], kinds: [], inserted: 0, duplicates: 0, completed: 0, sessions: [] };
  readonly sessions = new Map<string, SessionDelta>();
  readonly hours = new Map<string, HourDelta>();
  readonly agents = new Map<string, { first: number; last: number }>();
  readonly toolEvents: number[] = [];
  /** `col\0value` of the event columns the filter menus list, for `event_values`. */
  readonly values = new Set<string>();
  readonly states = new SessionStates();
  /** Per session of this batch: the id of an `llm_request` not derived from metrics, or null. */
  readonly covering = new Map<string, number | null>();

  constructor(private readonly db: SqlDb) {}

  touch(sid: string, r: EventRecord): SessionDelta {
    let s = this.sessions.get(sid);
    if (!s) {
      s = newSessionDelta(r);
      this.sessions.set(sid, s);
    }
    return s;
  }

  record(r: EventRecord): void {
    const out = this.out;
    if (r.event_type === 'llm_request' && hasStandInUsage(r.agent_type)) {
      if (isDerived(r)) {
        const cover = this.coveringRequest(r.session_id);
        if (cover !== null) {
          out.ids.push(cover);
          out.kinds.push('duplicate');
          out.duplicates++;
          return;
        }
      } else this.dropDerivedUsage(r);
    }
    const hash = r.event_id === null ? null : eventIdHash(r.event_id);
    const stored = hash === null ? undefined : this.db.get<{ id: number }>(STORED_ID, [hash, r.event_id]);
    if (stored) {
      this.applyDuplicate(r, stored.id);
      if (r.event_type === 'llm_request' && !isDerived(r)) this.covering.set(r.session_id, out.ids[out.ids.length - 1]);
      return;
    }
    this.insertRow(r, hash);
    out.ids.push(r.id);
    out.kinds.push('inserted');
    out.inserted++;
    this.addInserted(r);
  }

  private insertRow(r: EventRecord, hash: number | null): void {
    const db = this.db;
    const p = r.metadata ? db.payloads.add(r.metadata, r.id) : null;
    db.run(INSERT_EVENT, [
      r.id, r.event_id, db.dictionary.session(r.session_id), db.dictionary.type(r.event_type), db.dictionary.label(r),
      r.tokens_in, r.tokens_out, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens, r.reasoning_tokens,
      r.cost_usd, r.duration_ms, r.created_at, r.received_at, storedClientTimestamp(r), r.payload_truncated, p?.off ?? null, p?.len ?? null,
      hash,
    ]);
    indexEvent(db, r.id, r.event_type, r.metadata);
  }

  /** A newly inserted event's share of its session, hour, agent and filter values. */
  private addInserted(r: EventRecord): void {
    const values = this.values;
    values.add(`event_type\u0000${r.event_type}`);
    if (r.tool_name) values.add(`tool_name\u0000${r.tool_name}`);
    if (r.model) values.add(`model\u0000${r.model}`);
    if (r.tool_name && r.event_type === 'tool_use') this.toolEvents.push(r.id);

    addToSession(this.touch(r.session_id, r), r);
    const tokens = tokenSum(r);

    const h = this.hourOf(r);
    h.events++;
    if (tokens > 0) h.requests++;
    addUsage(h, r, 1);

    const a = this.agents.get(r.agent_type);
    if (!a) this.agents.set(r.agent_type, { first: r.created_at, last: r.created_at });
    else {
      a.first = Math.min(a.first, r.created_at);
      a.last = Math.max(a.last, r.created_at);
    }

    if (r.event_type === 'rate_limit' && r.metadata) applyRateLimit(this.db, r);
    this.states.note(r.session_id, r);
  }

  /** A record whose `event_id` is stored already: a duplicate, or the completion/correction of a call. */
  private applyDuplicate(r: EventRecord, storedId: number): void {
    const db = this.db;
    const out = this.out;
    const existing = db.get<{ id: number; status: string | null; session_id: string; tool_name: string | null }>(
      'SELECT id, status, session_id, tool_name FROM events WHERE id = ?',
      [storedId],
    );
    if (!existing) throw new Error(`event ${r.event_id} is stored as row ${storedId}, which the events view does not show`);
    // A running call is completed by its final status; a call one channel reported as a
    // success is corrected by another that knows it failed (Codex hooks and OTLP report a
    // shell command that exited 1 as a success, its rollout has the exit code).
    if (!completesStored(existing.status, r.status)) {
      if (r.metadata) this.fillGaps(existing.id, r.event_type, r.metadata);
      // The decision on a call already stored (OTLP tool_decision after its PreToolUse hook) is
      // news for the state: allowed, the agent proceeds before the call's end.
      if (r.event_type === 'llm_request') this.states.noteWindow(existing.session_id, r);
      if (r.event_type === 'tool_use' && r.metadata && r.metadata.includes('"decision"') && isDecision(r.metadata)) {
        this.touch(existing.session_id, r);
        this.states.note(existing.session_id, r);
      }
      out.ids.push(existing.id);
      out.kinds.push('duplicate');
      out.duplicates++;
      return;
    }
    db.run('UPDATE event_rows SET duration_ms = COALESCE(?, duration_ms), payload_truncated = MAX(payload_truncated, ?) WHERE id = ?', [
      r.duration_ms,
      r.payload_truncated,
      existing.id,
    ]);
    db.dictionary.relabel(existing.id, r.tool_name && !existing.tool_name ? { status: r.status, tool_name: r.tool_name } : { status: r.status });
    if (r.metadata) {
      const old = db.get<{ metadata: string | null }>('SELECT payload(payload_off, payload_len, id) AS metadata FROM events WHERE id = ?', [existing.id]);
      const p = db.payloads.add(mergeMetadata(old?.metadata ?? null, r.metadata)!, existing.id);
      db.run('UPDATE event_rows SET payload_off = ?, payload_len = ? WHERE id = ?', [p.off, p.len, existing.id]);
    }
    const s = this.touch(existing.session_id, r);
    s.last_event_at = Math.max(s.last_event_at, r.created_at);
    s.started_at = Math.min(s.started_at, r.created_at);
    s.reopened_at = Math.max(s.reopened_at ?? 0, r.created_at);
    if (r.tool_name && r.created_at >= s.last_tool_at) {
      s.last_tool = r.tool_name;
      s.last_tool_status = r.status;
      s.last_tool_at = r.created_at;
    }
    this.states.note(existing.session_id, r);
    // The completion may name the call's tool for the first time.
    if (r.tool_name) this.values.add(`tool_name\u0000${r.tool_name}`);
    this.toolEvents.push(existing.id);
    out.ids.push(existing.id);
    out.kinds.push('completed');
    out.completed++;
  }

  /**
   * A duplicate from another channel may know what the stored copy lacks: the prompt text that
   * OTLP leaves out unless prompt logging is on, which a hook or the transcript carries. Fields the
   * stored metadata has empty are filled; nothing stored is overwritten.
   */
  private fillGaps(id: number, eventType: string, metadata: string): void {
    const db = this.db;
    const old = db.get<{ metadata: string | null }>('SELECT payload(payload_off, payload_len, id) AS metadata FROM events WHERE id = ?', [id]);
    const filled = fillMetadataGaps(old?.metadata ?? null, metadata);
    if (filled === null) return;
    const p = db.payloads.add(filled, id);
    db.run('UPDATE event_rows SET payload_off = ?, payload_len = ? WHERE id = ?', [p.off, p.len, id]);
    indexFilled(db, id, eventType, old?.metadata ?? null, filled);
  }

  private coveringRequest(sid: string): number | null {
    let id = this.covering.get(sid);
    if (id === undefined) {
      id = this.db.get<{ id: number }>(COVERING_REQUEST_SQL, [sid])?.id ?? null;
      this.covering.set(sid, id);
    }
    return id;
  }

  /** A real request of the session arrived: its metric-derived usage leaves the events and totals. */
  private dropDerivedUsage(r: EventRecord): void {
    if (this.covering.get(r.session_id) != null) return;
    this.covering.set(r.session_id, r.id);
    const [from, to] = metricsUsageIdRange(r.agent_type, r.session_id);
    // Derived usage is stored under the session its id names (`metricsUsage.ts`): found through the session index.
    const derived = this.db.all<EventRecord>(
      `SELECT id, session_id, agent_type, model, project, created_at, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, cost_source
       FROM events WHERE session_id = ? AND event_id >= ? AND event_id < ?`,
      [r.session_id, from, to],
    );
    for (const d of derived) {
      this.db.run('DELETE FROM event_rows WHERE id = ?', [d.id]);
      const s = this.touch(d.session_id, r);
      s.event_count--;
      addUsage(s, d, -1);
      addUsage(this.hourOf(d), d, -1);
      this.hourOf(d).events--;
      if (tokenSum(d) > 0) this.hourOf(d).requests--;
    }
  }

  private hourOf(r: Pick<EventRecord, 'created_at' | 'agent_type' | 'model' | 'project'>): HourDelta {
    const hour = Math.floor(r.created_at / HOUR_MS) * HOUR_MS;
    const model = r.model ?? '';
    const project = r.project ?? '';
    const hk = `${hour}\u0000${r.agent_type}\u0000${model}\u0000${project}`;
    let h = this.hours.get(hk);
    if (!h) {
      h = { hour, agent_type: r.agent_type, model, project, events: 0, requests: 0, tokens_in: 0, tokens_out: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0, unpriced_tokens: 0 };
      this.hours.set(hk, h);
    }
    return h;
  }

  /** The batch's sums: sessions, their states, filter values, hourly rollup, agents. */
  finish(): void {
    const db = this.db;
    for (const [sid, s] of this.sessions) {
      settleEnd(s);
      db.run(UPSERT_SESSION, [
        sid, s.agent_type, s.project, s.branch, s.model, s.started_at, s.last_event_at, s.ended_at,
        s.event_count, s.tokens_in, s.tokens_out, s.cache_read_tokens, s.cache_write_tokens, s.cost_usd, s.unpriced_tokens,
        s.parent_session_id, s.last_tool, s.last_tool_status, s.last_event_type, s.transcript_path, s.reopened_at,
      ]);
    }
    this.states.apply(db);
    for (const v of this.values) {
      const cut = v.indexOf('\u0000');
      db.run('INSERT OR IGNORE INTO event_values (col, value) VALUES (?, ?)', [v.slice(0, cut), v.slice(cut + 1)]);
    }
    for (const h of this.hours.values()) {
      db.run(UPSERT_HOUR, [h.hour, h.agent_type, h.model, h.project, h.events, h.requests, h.tokens_in, h.tokens_out, h.cache_read_tokens, h.cache_write_tokens, h.cost_usd, h.unpriced_tokens]);
    }
    for (const [agent, a] of this.agents) {
      db.run(
        `INSERT INTO agents (agent_type, first_seen_at, last_seen_at) VALUES (?, ?, ?)
         ON CONFLICT(agent_type) DO UPDATE SET first_seen_at = MIN(first_seen_at, excluded.first_seen_at),
           last_seen_at = MAX(last_seen_at, excluded.last_seen_at)`,
        [agent, a.first, a.last],
      );
    }
  }
}

function applyRateLimit(db: SqlDb, r: EventRecord): void {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(r.metadata!) as Record<string, unknown>;
  } catch {
    return;
  }
  const limits = Array.isArray(m.rate_limits) ? (m.rate_limits as Record<string, unknown>[]) : [m];
  for (const l of limits) {
    const window = typeof l.window === 'string' ? l.window : null;
    const used = typeof l.used_percent === 'number' ? l.used_percent : null;
    if (!window || used === null) continue;
    const resets =
      typeof l.resets_at === 'number' ? (l.resets_at < 1e12 ? l.resets_at * 1000 : l.resets_at) : typeof l.resets_at === 'string' ? Date.parse(l.resets_at) || null : null;
    db.run(
      `INSERT INTO rate_limits (agent_type, window, used_percent, window_minutes, resets_at, observed_at) VALUES (?,?,?,?,?,?)
       ON CONFLICT(agent_type, window) DO UPDATE SET used_percent = excluded.used_percent, window_minutes = excluded.window_minutes,
         resets_at = excluded.resets_at, observed_at = excluded.observed_at WHERE excluded.observed_at >= rate_limits.observed_at`,
      [r.agent_type, window, used, typeof l.window_minutes === 'number' ? l.window_minutes : null, resets, r.created_at],
    );
  }
}
