/**
 * OpenCode (`opencode-ai` on npm) keeps its sessions in one SQLite database,
 * `~/.local/share/opencode/opencode.db` (`$XDG_DATA_HOME/opencode`), written by the running
 * `opencode` in WAL mode. Read from `opencode-ai` 1.18's schema and from databases the real binary
 * wrote; the traps:
 * - Most of the data may sit in `opencode.db-wal` (a fresh database's file is one page): the copy
 *   is read with the WAL applied (`sqliteCopy.ts`), never by opening OpenCode's files with SQLite.
 * - `message.data` is JSON: an assistant message is one model call (a step) with `tokens`
 *   {input, output, reasoning, cache: {read, write}}, where `input` excludes both cache reads and
 *   writes and `output` excludes `reasoning` (OpenCode subtracts them from the provider's figures),
 *   `cost` (OpenCode's own figure, from the model's configured prices; 0 when it has none),
 *   `modelID`, `providerID`, `path.cwd`/`path.root`, `time.created`/`completed`, `error`.
 *   Tokens are final once `time.completed` is set; a message's row is rewritten (its
 *   `time_updated` moves) as it streams.
 * - Text and tool calls are rows of `part` (JSON `data`: `type` text|tool|step-finish|...; a tool
 *   part's `state` {status pending|running|completed|error, input, output, time}).
 * - `session fork` copies a session's messages and parts into a new session under new ids, with
 *   the same times, tokens and tool call ids: identities here are built from what a copy keeps
 *   (`opencodeUsageKey`), so a copy counts once, under the session seen first.
 * - A sub-agent (the task tool) runs in a child session (`session.parent_id`): its events belong
 *   to the root session, with the child's id as `agent_id`; its prompt (the task call's input) is
 *   not a prompt of the user's.
 * - OpenCode's side calls (the session title from its small model) are billed but never stored.
 * The database is read from a watermark (`time_updated`, id) kept in the import state, so a pass
 * reads only messages written since the previous one.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Database, Statement } from 'sql.js';
import type { EventInputRaw } from '../contracts/events';
import { channelEventId, llmRequestEventId, opencodeUsageKey, toolEventId } from '../contracts/eventIds';
import { loadPatchedSqlJs, sqlJsDistFile } from '../store/sqlJsRuntime';
import { readSqliteCopy, type SqliteSignature } from './sqliteCopy';
import { ANSWER_TEXT_MAX, clip, eventOf, isObj, num, str, toolOutputFields, type EventBase, type SkippedLine } from './types';

export const OPENCODE_AGENT = 'opencode';
const AGENT = OPENCODE_AGENT;
/** Sub-agent nesting followed up to the root session. */
const MAX_DEPTH = 16;

/** Whether a path is an OpenCode database (`opencode.db`, or a release channel's `opencode-<channel>.db`). */
export function isOpencodeDb(p: string): boolean {
  const base = p.split(/[\\/]/).pop() ?? '';
  return /^opencode(-[\w.-]+)?\.db$/.test(base);
}

export interface OpencodeState {
  v: 1;
  /** The last message read: its `time_updated` and id. */
  after: [number, string] | null;
}

export interface DatabasePass {
  events: number;
  skipped: SkippedLine[];
  state: OpencodeState;
  signature: SqliteSignature;
}

type SqlJs = Awaited<ReturnType<ReturnType<typeof loadPatchedSqlJs>>>;
let sqlJs: Promise<SqlJs> | null = null;

/** sql.js, loaded once for the agents whose databases are read. */
export function loadSqlJs(): Promise<SqlJs> {
  if (!sqlJs) {
    const wasm = fs.readFileSync(sqlJsDistFile('sql-wasm.wasm'));
    sqlJs = loadPatchedSqlJs()({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
  }
  return sqlJs;
}

export interface SessionRow {
  parent: string | null;
  directory?: string;
  title?: string;
  created?: number;
}

function parseJson(s: unknown): Record<string, unknown> | null {
  if (typeof s !== 'string') return null;
  try {
    const o = JSON.parse(s) as unknown;
    return isObj(o) ? o : null;
  } catch {
    return null;
  }
}

function iso(ms: unknown): string | undefined {
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

function toolStatus(s: unknown): 'success' | 'error' | 'running' {
  if (s === 'completed') return 'success';
  if (s === 'error') return 'error';
  return 'running';
}

/**
 * Reads the events written since `prev` from an OpenCode database; `onEvents` receives them in
 * batches of at most `batchSize`.
 */
export async function readOpencodeDb(
  file: string,
  prev: OpencodeState | null,
  batchSize: number,
  onEvents: (events: EventInputRaw[], skipped: SkippedLine[]) => Promise<void>,
): Promise<DatabasePass> {
  const copy = readSqliteCopy(file);
  const SQL = await loadSqlJs();
  const db = new SQL.Database(copy.bytes);
  try {
    return await new OpencodeReader(db, file, prev, batchSize, onEvents).run(copy.signature);
  } finally {
    db.close();
  }
}

/**
 * Builds the events of OpenCode messages, whichever store they come from (the database, or the
 * JSON files of versions before it): the same ids either way, so a message in both counts once.
 */
export abstract class OpencodeEvents {
  readonly sessions = new Map<string, SessionRow>();
  private readonly started = new Set<string>();
  out: EventInputRaw[] = [];
  skipped: SkippedLine[] = [];

  constructor(protected readonly file: string) {}

  /** The message's parts (text, tool calls, steps), in order. */
  protected abstract parts(messageId: string): Record<string, unknown>[];

  /** The root session of `id` and, for a sub-agent's session, its own id. */
  protected owner(id: string): { root: string; agentId?: string } {
    let cur = id;
    for (let i = 0; i < MAX_DEPTH; i++) {
      const parent = this.sessions.get(cur)?.parent;
      if (!parent) break;
      cur = parent;
    }
    return cur === id ? { root: id } : { root: cur, agentId: id };
  }

  protected base(sessionId: string, ts: string | undefined): EventBase {
    const root = this.owner(sessionId).root;
    return { session_id: root, agent_type: AGENT, source: 'import', client_timestamp: ts, project: this.sessions.get(root)?.directory, branch: undefined };
  }

  /** The session's start (or a sub-agent's), once per pass; repeated ids add nothing. */
  protected start(sessionId: string): void {
    if (this.started.has(sessionId)) return;
    this.started.add(sessionId);
    const s = this.sessions.get(sessionId);
    const { root, agentId } = this.owner(sessionId);
    if (agentId) {
      this.start(root);
      this.out.push(eventOf(this.base(sessionId, iso(s?.created)), 'subagent_start', {
        event_id: channelEventId('subagent_start', AGENT, root, agentId),
        metadata: { agent_id: agentId, title: clip(s?.title, 200) },
      }));
      return;
    }
    this.out.push(eventOf(this.base(sessionId, iso(s?.created)), 'session_start', {
      event_id: channelEventId('session_start', AGENT, sessionId, 'db'),
      metadata: { title: clip(s?.title, 200), database: this.file },
    }));
  }

  message(id: string, sessionId: string, m: Record<string, unknown> | null, n: number): void {
    if (!m) {
      this.skipped.push({ line: n, reason: `message ${id}: data is not a JSON object` });
      return;
    }
    const time = isObj(m.time) ? m.time : {};
    const created = typeof time.created === 'number' ? time.created : 0;
    const { agentId } = this.owner(sessionId);
    if (m.role === 'user') {
      // A sub-agent's prompt is the task call's input (kept on that call), not the user's.
      if (agentId) return;
      const text = this.parts(id)
        .filter((p) => p.type === 'text' && !p.synthetic && !p.ignored)
        .map((p) => (typeof p.text === 'string' ? p.text : ''))
        .join('\n')
        .trim();
      if (!text) return;
      this.start(sessionId);
      const base = this.base(sessionId, iso(created));
      this.out.push(eventOf(base, 'user_prompt', {
        event_id: channelEventId('prompt', AGENT, 'copy', `${created}:${createHash('sha1').update(text).digest('hex').slice(0, 16)}`),
        metadata: { prompt: clip(text, 2000), message_id: id, agent_id: agentId },
      }));
      return;
    }
    if (m.role !== 'assistant') return;
    // Tokens and parts are final once the message is completed (or failed).
    if (typeof time.completed !== 'number' && !m.error) return;
    this.start(sessionId);
    const base = this.base(sessionId, iso(created));
    const t = isObj(m.tokens) ? m.tokens : {};
    const cache = isObj(t.cache) ? t.cache : {};
    const u = { input: num(t.input), output: num(t.output), reasoning: num(t.reasoning), cacheRead: num(cache.read), cacheWrite: num(cache.write) };
    const model = str(m.modelID);
    const fullKey = opencodeUsageKey(str(m.providerID) ?? '', model ?? '', created, u);
    const key = fullKey.length > 200 ? createHash('sha1').update(fullKey).digest('hex') : fullKey;
    const ownCost = typeof m.cost === 'number' && Number.isFinite(m.cost) && m.cost > 0 ? m.cost : undefined;
    if (u.input + u.output + u.reasoning + u.cacheRead + u.cacheWrite > 0) {
      this.out.push(eventOf(base, 'llm_request', {
        event_id: llmRequestEventId(AGENT, key),
        model,
        tokens_in: u.input,
        cache_read_tokens: u.cacheRead,
        cache_write_tokens: u.cacheWrite,
        tokens_out: u.output + u.reasoning,
        reasoning_tokens: u.reasoning,
        duration_ms: typeof time.completed === 'number' && time.completed >= created ? time.completed - created : undefined,
        status: m.error ? 'error' : 'success',
        metadata: { message_id: id, provider: str(m.providerID), agent_id: agentId, agent_cost_usd: ownCost },
      }));
    }
    const parts = this.parts(id);
    const text = parts
      .filter((p) => p.type === 'text' && !p.synthetic)
      .map((p) => (typeof p.text === 'string' ? p.text : ''))
      .join('\n')
      .trim();
    if (text) {
      this.out.push(eventOf(base, 'response', {
        event_id: channelEventId('response', AGENT, 'copy', key),
        model,
        metadata: { text: clip(text, ANSWER_TEXT_MAX), message_id: id, agent_id: agentId },
      }));
    }
    for (const p of parts) {
      if (p.type !== 'tool' || !isObj(p.state)) continue;
      const status = toolStatus(p.state.status);
      const callId = str(p.callID);
      if (status === 'running' || !callId) continue;
      const st = isObj(p.state.time) ? p.state.time : {};
      const startMs = typeof st.start === 'number' ? st.start : created;
      const output = typeof p.state.output === 'string' ? p.state.output : typeof p.state.error === 'string' ? p.state.error : undefined;
      this.out.push(eventOf(this.base(sessionId, iso(startMs)), 'tool_use', {
        event_id: toolEventId(AGENT, `${callId}@${startMs}`),
        tool_name: str(p.tool) ?? 'unknown',
        status,
        duration_ms: typeof st.end === 'number' && st.end >= startMs ? st.end - startMs : undefined,
        metadata: { call_id: callId, input: clip(p.state.input === undefined ? undefined : JSON.stringify(p.state.input), 300), ...toolOutputFields(output), agent_id: agentId },
      }));
    }
  }
}

class OpencodeReader extends OpencodeEvents {
  private events = 0;
  private after: [number, string] | null;
  private partsStmt: Statement | null = null;

  constructor(
    private readonly db: Database,
    file: string,
    prev: OpencodeState | null,
    private readonly batchSize: number,
    private readonly onEvents: (events: EventInputRaw[], skipped: SkippedLine[]) => Promise<void>,
  ) {
    super(file);
    this.after = prev?.v === 1 ? prev.after : null;
  }

  protected parts(messageId: string): Record<string, unknown>[] {
    if (!this.partsStmt) return [];
    const out: Record<string, unknown>[] = [];
    this.partsStmt.bind([messageId]);
    while (this.partsStmt.step()) {
      const p = parseJson(this.partsStmt.get()[0]);
      if (p) out.push(p);
    }
    this.partsStmt.reset();
    return out;
  }

  async run(signature: SqliteSignature): Promise<DatabasePass> {
    const tables = new Set(this.db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values.map((r) => String(r[0])) ?? []);
    if (!tables.has('message') || !tables.has('session')) {
      return { events: 0, skipped: [{ line: 0, reason: 'not an OpenCode database (no message or session table)' }], state: { v: 1, after: this.after }, signature };
    }
    const sessions = this.db.prepare('SELECT id, parent_id, directory, title, time_created FROM session');
    while (sessions.step()) {
      const r = sessions.getAsObject();
      this.sessions.set(String(r.id), {
        parent: typeof r.parent_id === 'string' && r.parent_id ? r.parent_id : null,
        directory: str(r.directory),
        title: str(r.title),
        created: typeof r.time_created === 'number' ? r.time_created : undefined,
      });
    }
    sessions.free();
    this.partsStmt = tables.has('part') ? this.db.prepare('SELECT data FROM part WHERE message_id = ? ORDER BY id') : null;
    const a = this.after;
    const stmt = this.db.prepare(
      a
        ? 'SELECT id, session_id, time_updated, data FROM message WHERE time_updated > ? OR (time_updated = ? AND id > ?) ORDER BY time_updated, id'
        : 'SELECT id, session_id, time_updated, data FROM message ORDER BY time_updated, id',
    );
    try {
      if (a) stmt.bind([a[0], a[0], a[1]]);
      let n = 0;
      while (stmt.step()) {
        const r = stmt.getAsObject();
        const id = String(r.id);
        n++;
        this.message(id, String(r.session_id), parseJson(r.data), n);
        this.after = [Number(r.time_updated), id];
        if (this.out.length >= this.batchSize) await this.flush();
      }
      await this.flush();
    } finally {
      stmt.free();
      this.partsStmt?.free();
    }
    return { events: this.events, skipped: [], state: { v: 1, after: this.after }, signature };
  }

  private async flush(): Promise<void> {
    if (!this.out.length && !this.skipped.length) return;
    const events = this.out;
    const skipped = this.skipped;
    this.out = [];
    this.skipped = [];
    this.events += events.length;
    await this.onEvents(events, skipped);
  }
}
