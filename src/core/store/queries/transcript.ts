/**
 * A session's transcript (`GET /api/sessions/:id/transcript`): prompts, answers, tool calls with
 * their results, subagents and compactions, in time order, from the events of the session and of
 * its subagent sessions (entries from a subagent carry `detail.session_id`). Text is read from the
 * usual metadata fields of every channel (hooks, OTLP, importers, our contract) and bounded.
 *
 * A reply is shown once (`dropEchoes`): channels that see the same reply under ids that cannot
 * agree (a hook's `MessageDisplay` names it by a message uuid no transcript carries) each store it,
 * so an answer whose text an earlier answer of the same session on the page already showed from
 * another channel, and a stop's `last_assistant_message` that repeats an earlier answer, keep
 * their entry without the text (`detail.text_shown_in` names the entry that shows it).
 */
import type { SessionTimeline, TranscriptEntry, TranscriptPage } from '../../contracts/api';
import type { EventStatus } from '../../contracts/events';
import type { SqlDb } from '../sqlDb';
import type { EventRecord } from '../records';
import { encodeCursor } from './cursor';
import { EVENT_SELECT } from './events';
import { textOf } from '../searchIndex';

const MAX_TEXT = 8000;
/** Levels of subagents a transcript follows, and most sessions in one family. */
export const MAX_DEPTH = 3;
export const MAX_FAMILY = 1000;

const KIND: Record<string, TranscriptEntry['kind']> = {
  user_prompt: 'prompt',
  response: 'answer',
  llm_request: 'answer',
  stop: 'answer',
  tool_use: 'tool',
  permission_request: 'tool',
  permission_denied: 'tool',
  file_change: 'tool',
  subagent_start: 'subagent',
  subagent_stop: 'subagent',
  compaction: 'compaction',
  session_start: 'lifecycle',
  session_end: 'lifecycle',
  error: 'error',
  rate_limit: 'error',
};

const TEXT_FIELDS: Record<TranscriptEntry['kind'], string[]> = {
  prompt: ['prompt', 'text', 'content', 'message'],
  answer: ['text', 'content', 'message', 'last_assistant_message', 'response'],
  tool: ['summary', 'command', 'description', 'file_path', 'path', 'pattern', 'url', 'query'],
  subagent: ['description', 'prompt', 'agent_type', 'subagent_type', 'last_assistant_message'],
  compaction: ['summary', 'trigger', 'text'],
  lifecycle: ['reason', 'source', 'cwd'],
  error: ['error', 'message', 'text'],
  other: ['message', 'text', 'title', 'content'],
};

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

function entryText(kind: TranscriptEntry['kind'], meta: Record<string, unknown> | null): string | null {
  if (!meta) return null;
  // Tool input summaries: `input` (hooks, importers; a string for Codex) or `tool_input` (raw).
  const raw = meta.input ?? meta.tool_input;
  const input = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  for (const f of TEXT_FIELDS[kind]) {
    const s = textOf(meta[f]) ?? (input ? textOf(input[f]) : null);
    if (s) return clip(s);
  }
  if (kind === 'tool' && typeof raw === 'string' && raw) return clip(raw);
  return null;
}

/** A tool's output: a string (importers, OTLP) or a hook's summary (`{stdout, stderr, output, error}`). */
function outputOf(kind: TranscriptEntry['kind'], meta: Record<string, unknown> | null): string | null {
  if (kind !== 'tool' || !meta) return null;
  const o = meta.output;
  if (typeof o === 'string') return o ? clip(o) : null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
  const r = o as Record<string, unknown>;
  const parts = ['stdout', 'output', 'stderr', 'error'].map((k) => textOf(r[k])).filter((s): s is string => !!s);
  return parts.length ? clip(parts.join('\n')) : null;
}

function toEntry(r: EventRecord & { created_at: number }, rootSession: string): TranscriptEntry {
  let meta: Record<string, unknown> | null = null;
  if (r.metadata) {
    try {
      const parsed: unknown = JSON.parse(r.metadata);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) meta = parsed as Record<string, unknown>;
    } catch {
      meta = null;
    }
  }
  const kind = KIND[r.event_type] ?? 'other';
  let detail = meta;
  if (r.session_id !== rootSession) detail = { ...(meta ?? {}), session_id: r.session_id };
  return {
    id: r.id,
    at: new Date(r.created_at).toISOString(),
    kind,
    event_type: r.event_type,
    text: entryText(kind, meta),
    tool_name: r.tool_name,
    status: r.status as EventStatus | null,
    duration_ms: r.duration_ms,
    model: r.model,
    tokens_in: r.tokens_in,
    tokens_out: r.tokens_out,
    cost_usd: r.cost_usd,
    output: outputOf(kind, meta),
    detail,
  };
}

/** Event types whose text only repeats the turn's last reply (`last_assistant_message`). */
const ECHO_TYPES = new Set(['stop', 'subagent_stop', 'error']);

function dropEchoes(entries: TranscriptEntry[], rows: EventRecord[]): void {
  /** `<session>\u0000<text>` → the first answer entry showing it, with its channel. */
  const shown = new Map<string, { id: number; source: string }>();
  entries.forEach((e, i) => {
    if (e.kind !== 'answer' || !e.text) return;
    const key = `${rows[i].session_id}\u0000${e.text}`;
    const first = shown.get(key);
    const echo = ECHO_TYPES.has(e.event_type) ? !!first : !!first && first.source !== rows[i].source;
    if (echo) {
      e.text = null;
      e.detail = { ...(e.detail ?? {}), text_shown_in: first!.id };
    } else if (!first && !ECHO_TYPES.has(e.event_type)) shown.set(key, { id: e.id, source: rows[i].source });
  });
}

/** The session and its subagent sessions (3 levels, at most 1000), or null when it is unknown. */
function sessionFamily(db: SqlDb, sessionId: string): string[] | null {
  const known = db.get<{ n: number }>('SELECT COUNT(*) AS n FROM sessions WHERE session_id = ?', [sessionId])!.n;
  if (!known) return null;
  const ids = [sessionId];
  let frontier = [sessionId];
  for (let depth = 0; depth < MAX_DEPTH && frontier.length && ids.length < MAX_FAMILY; depth++) {
    frontier = db
      .all<{ session_id: string }>('SELECT session_id FROM sessions WHERE parent_session_id IN (SELECT value FROM json_each(?)) LIMIT ?', [JSON.stringify(frontier), MAX_FAMILY])
      .map((r) => r.session_id)
      .filter((id) => !ids.includes(id));
    ids.push(...frontier);
  }
  return ids;
}

/** Points of a session's timeline at most (its events are bucketed evenly over its span). */
export const TIMELINE_POINTS = 500;

export const TRANSCRIPT_CURSOR = 'transcript';

export interface TranscriptParams {
  session_id: string;
  limit: number;
  /** From the cursor: `[created_at, id]` of the last entry of the previous page. */
  after?: [number, number] | null;
}

/** The entries one page holds (the query reads one more, to know whether another page follows). */
export function transcriptLimit(p: TranscriptParams): number {
  return Math.max(1, Math.min(1000, Math.floor(p.limit)));
}

/**
 * A page from the session family's events after the cursor, in (created_at, id) order, at most
 * `transcriptLimit(p) + 1` of them (the team store reads the same rows, `team/pgRead.ts`).
 */
export function transcriptPage(rows: EventRecord[], p: TranscriptParams): TranscriptPage {
  const limit = transcriptLimit(p);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  const entries = page.map((r) => toEntry(r, p.session_id));
  dropEchoes(entries, page);
  return {
    session_id: p.session_id,
    // A reply event with nothing to show (its thinking not kept, or a channel that logs no text).
    entries: entries.filter((e) => e.event_type !== 'response' || e.text || e.detail?.thinking || e.detail?.text_shown_in !== undefined),
    next_cursor: more ? encodeCursor(TRANSCRIPT_CURSOR, [last.created_at, last.id]) : null,
  };
}

export const queries = {
  /** Null when the session is unknown. */
  transcript(db: SqlDb, p: TranscriptParams): TranscriptPage | null {
    const ids = sessionFamily(db, p.session_id);
    if (!ids) return null;
    const clauses = ['e.session_id IN (SELECT value FROM json_each(?))'];
    const params: (string | number)[] = [JSON.stringify(ids)];
    if (p.after) {
      clauses.push('(e.created_at > ? OR (e.created_at = ? AND e.id > ?))');
      params.push(p.after[0], p.after[0], p.after[1]);
    }
    const rows = db.all<EventRecord>(`${EVENT_SELECT} WHERE ${clauses.join(' AND ')} ORDER BY e.created_at ASC, e.id ASC LIMIT ?`, [...params, transcriptLimit(p) + 1]);
    return transcriptPage(rows, p);
  },

  /**
   * Cumulative cost and tokens over the whole session and its subagents (the transcript's events),
   * in at most `TIMELINE_POINTS` points: null when the session is unknown.
   */
  sessionTimeline(db: SqlDb, p: { session_id: string }): SessionTimeline | null {
    const ids = sessionFamily(db, p.session_id);
    if (!ids) return null;
    const family = JSON.stringify(ids);
    const span = db.get<{ lo: number | null; hi: number | null }>('SELECT MIN(created_at) AS lo, MAX(created_at) AS hi FROM events WHERE session_id IN (SELECT value FROM json_each(?))', [family])!;
    const points: SessionTimeline['points'] = [];
    if (span.lo === null || span.hi === null) return { session_id: p.session_id, points };
    const width = Math.max(1, Math.ceil((span.hi - span.lo + 1) / TIMELINE_POINTS));
    let cost = 0;
    let tokens = 0;
    db.each(
      `SELECT MAX(created_at), COALESCE(SUM(cost_usd), 0), SUM(tokens_in + tokens_out) FROM events
       WHERE session_id IN (SELECT value FROM json_each(?)) GROUP BY CAST((created_at - ?) / ? AS INTEGER) ORDER BY 1`,
      [family, span.lo, width],
      (r) => {
        cost += r[1] as number;
        tokens += r[2] as number;
        points.push({ at: new Date(r[0] as number).toISOString(), cost_usd: cost, tokens });
      },
    );
    return { session_id: p.session_id, points };
  },
};

export const writeQueries = {} as const;
