/**
 * GitHub Copilot CLI's session store (`~/.copilot/session-store.db`, SQLite in WAL mode, written by
 * the running CLI; schema version 8 in `@github/copilot` 1.0.102): one row per API call in
 * `assistant_usage_events` (`session_id`, `model`, `input_tokens` INCLUDING `cache_read_tokens`
 * and `cache_write_tokens`, `output_tokens`, `reasoning_tokens`, `total_nano_aiu`, `duration_ms`,
 * `created_at`; an autoincrement `id`), the sessions' `cwd` and `branch` in `sessions`.
 * The same calls are in the session's `session-state/<id>/events.jsonl` (`copilot.ts`), but the
 * rows name no response id to match them by. So the store stands in for a session only while its
 * log gives none of its calls: its usage gets `metricsUsageEventId` ids, which the store keeps
 * only for a session without another `llm_request` and drops when one arrives (`store/insert.ts`),
 * whichever is read first. One source per session, never both. The file is read as a copy with its
 * WAL applied (`sqliteCopy.ts`), from the last row id read (kept in the import state).
 */
import type { EventInputRaw } from '../contracts/events';
import { channelEventId, metricsUsageEventId } from '../contracts/eventIds';
import { loadSqlJs, type DatabasePass, type OpencodeState } from './opencode';
import { readSqliteCopy } from './sqliteCopy';
import { eventOf, num, str, type EventBase, type SkippedLine } from './types';

const AGENT = 'copilot-cli';

/** Whether a path is Copilot CLI's session store. */
export function isCopilotStoreDb(p: string): boolean {
  return (p.split(/[\\/]/).pop() ?? '') === 'session-store.db';
}

/** SQLite's `datetime('now')` (UTC, no zone) or an ISO time, as ISO. */
function isoOf(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Reads the usage rows written since `prev` (`after[0]` = the last row id read). */
export async function readCopilotStore(
  file: string,
  prev: OpencodeState | null,
  batchSize: number,
  onEvents: (events: EventInputRaw[], skipped: SkippedLine[]) => Promise<void>,
): Promise<DatabasePass> {
  const copy = readSqliteCopy(file);
  const SQL = await loadSqlJs();
  const db = new SQL.Database(copy.bytes);
  let after = prev?.v === 1 && prev.after ? Number(prev.after[0]) : 0;
  let count = 0;
  const state = (): OpencodeState => ({ v: 1, after: after ? [after, ''] : null });
  try {
    const tables = new Set(db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values.map((r) => String(r[0])) ?? []);
    if (!tables.has('assistant_usage_events') || !tables.has('sessions')) {
      return { events: 0, skipped: [{ line: 0, reason: 'not a Copilot CLI session store (no assistant_usage_events or sessions table)' }], state: state(), signature: copy.signature };
    }
    const sessions = new Map<string, { cwd?: string; branch?: string; created?: string }>();
    const srows = db.prepare('SELECT id, cwd, branch, created_at FROM sessions');
    while (srows.step()) {
      const r = srows.getAsObject();
      sessions.set(String(r.id), { cwd: str(r.cwd), branch: str(r.branch), created: isoOf(r.created_at) });
    }
    srows.free();
    const started = new Set<string>();
    let out: EventInputRaw[] = [];
    const flush = async () => {
      if (!out.length) return;
      count += out.length;
      const batch = out;
      out = [];
      await onEvents(batch, []);
    };
    const stmt = db.prepare(
      `SELECT id, session_id, agent_id, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
        reasoning_tokens, total_nano_aiu, duration_ms, initiator, created_at
       FROM assistant_usage_events WHERE id > ? ORDER BY id`,
    );
    try {
      stmt.bind([after]);
      while (stmt.step()) {
        const r = stmt.getAsObject();
        after = Number(r.id);
        const sid = String(r.session_id);
        const s = sessions.get(sid);
        const base = (ts: string | undefined): EventBase => ({ session_id: sid, agent_type: AGENT, source: 'import', client_timestamp: ts, project: s?.cwd, branch: s?.branch });
        if (!started.has(sid)) {
          started.add(sid);
          // The id the events.jsonl importer gives the session's start: one start whichever is read.
          out.push(eventOf(base(s?.created), 'session_start', { event_id: channelEventId('session_start', AGENT, sid, 'events'), metadata: { database: file } }));
        }
        const input = num(r.input_tokens);
        const cacheRead = Math.min(num(r.cache_read_tokens), input);
        const cacheWrite = Math.min(num(r.cache_write_tokens), input - cacheRead);
        const output = num(r.output_tokens);
        if (input + output === 0) continue;
        out.push(eventOf(base(isoOf(r.created_at)), 'llm_request', {
          event_id: metricsUsageEventId(AGENT, sid, `store:${after}`),
          model: str(r.model),
          tokens_in: input - cacheRead - cacheWrite,
          cache_read_tokens: cacheRead,
          cache_write_tokens: cacheWrite,
          tokens_out: output,
          reasoning_tokens: num(r.reasoning_tokens),
          duration_ms: typeof r.duration_ms === 'number' && r.duration_ms >= 0 ? r.duration_ms : undefined,
          status: 'success',
          metadata: { from_session_store: true, agent_id: str(r.agent_id), initiator: str(r.initiator), copilot_nano_aiu: typeof r.total_nano_aiu === 'number' ? r.total_nano_aiu : undefined },
        }));
        if (out.length >= batchSize) await flush();
      }
      await flush();
    } finally {
      stmt.free();
    }
    return { events: count, skipped: [], state: state(), signature: copy.signature };
  } finally {
    db.close();
  }
}
