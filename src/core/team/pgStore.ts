/**
 * The team store: events, rollups and sessions in PostgreSQL (schema in `pgSchema.ts`). One batch
 * is one transaction: event_id dedup, the events, the hourly rollup, agents, filter values, the
 * sessions (summed as the local store sums them, `store/insert.ts`) and a NOTIFY of
 * the inserted ids, so nothing is acknowledged, counted or streamed before COMMIT. Every team
 * server LISTENs and streams what any of them committed.
 */
import pg from 'pg';
import type { StoredEvent } from '../contracts/events';
import type { Logger } from '../log';
import { addToSession, completesStored, fillMetadataGaps, hasStandInUsage, isDecision, isDerived, mergeMetadata, newSessionDelta, settleEnd, type SessionDelta } from '../store/insert';
import { METRICS_USAGE_ID_PREFIX } from '../contracts/eventIds';
import { recordToStoredEvent, type EventRecord } from '../store/records';
import { contextTokens, fold, reportedWindow, stateChange, type SessionLiveState, type StateChange } from '../store/sessionState';
import { EVENTS_CHANNEL, MIGRATIONS, monthPartition, SCHEMA_LOCK } from './pgSchema';
import { backfillSearch, searchLexemes } from './pgSearch';
import { inTransaction } from './pgTransaction';

/** An event as the team store keeps it: the local record plus who sent it and from which machine (null: not known). */
export type TeamRecord = EventRecord & { person: string; machine: string | null };

export interface TeamInsertOutcome {
  /** Stored id per input (the existing row's id for a duplicate). */
  ids: number[];
  inserted: number;
  duplicates: number;
}

/** bigint (20) and numeric (1700, PostgreSQL's SUM of bigint) read as JS numbers. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** SQLSTATE of a deadlock PostgreSQL broke by aborting this transaction. */
const DEADLOCK = '40P01';
const MAX_ATTEMPTS = 5;

/** Most ids in one NOTIFY payload (PostgreSQL caps a payload at 8000 bytes). */
const IDS_PER_NOTIFY = 400;

/** The columns of `am_events`, in the order the store writes and reads them. */
export const EVENT_COLUMNS = [
  'id', 'event_id', 'session_id', 'agent_type', 'event_type', 'tool_name', 'status', 'model', 'tokens_in', 'tokens_out',
  'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'reasoning_tokens', 'cost_usd', 'cost_source',
  'duration_ms', 'project', 'branch', 'source', 'person', 'created_at', 'received_at', 'client_timestamp', 'metadata', 'payload_truncated', 'machine',
] as const;

/** Insert the batch's rows (a JSON array), roll them up, note agents and filter values, in one statement. */
const INSERT_SQL = `
WITH ins AS (
  INSERT INTO am_events (${EVENT_COLUMNS.join(', ')}, search_terms)
  SELECT ${EVENT_COLUMNS.join(', ')}, search_terms FROM json_populate_recordset(NULL::am_events, $1::json)
  RETURNING *
), hours AS (
  INSERT INTO am_usage_hourly AS u (hour, person, project, model, agent_type, events, requests, tokens_in, tokens_out,
    cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens)
  SELECT (created_at / 3600000) * 3600000, person, COALESCE(project, ''), COALESCE(model, ''), agent_type, COUNT(*),
    COUNT(*) FILTER (WHERE tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0),
    SUM(tokens_in), SUM(tokens_out), SUM(cache_read_tokens), SUM(cache_write_tokens), COALESCE(SUM(cost_usd), 0),
    COALESCE(SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) FILTER (WHERE cost_source = 'unpriced'), 0)
  FROM ins GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (hour, person, project, model, agent_type) DO UPDATE SET
    events = u.events + excluded.events, requests = u.requests + excluded.requests,
    tokens_in = u.tokens_in + excluded.tokens_in, tokens_out = u.tokens_out + excluded.tokens_out,
    cache_read_tokens = u.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = u.cache_write_tokens + excluded.cache_write_tokens,
    cost_usd = u.cost_usd + excluded.cost_usd, unpriced_tokens = u.unpriced_tokens + excluded.unpriced_tokens
  RETURNING 1
), agents AS (
  INSERT INTO am_agents AS a (agent_type, first_seen_at, last_seen_at)
  SELECT agent_type, MIN(created_at), MAX(created_at) FROM ins GROUP BY 1 ORDER BY 1
  ON CONFLICT (agent_type) DO UPDATE SET first_seen_at = LEAST(a.first_seen_at, excluded.first_seen_at), last_seen_at = GREATEST(a.last_seen_at, excluded.last_seen_at)
  RETURNING 1
)
INSERT INTO am_event_values (col, value)
SELECT DISTINCT col, value FROM ins, LATERAL (VALUES ('event_type', event_type), ('tool_name', tool_name), ('model', model)) AS v(col, value)
WHERE value IS NOT NULL ORDER BY 1, 2
ON CONFLICT DO NOTHING`;

const SESSION_FIELDS = `session_id text, agent_type text, project text, branch text, model text, person text, machine text, started_at bigint, last_event_at bigint,
  ended_at bigint, reopened_at bigint, event_count bigint, tokens_in bigint, tokens_out bigint, cache_read_tokens bigint, cache_write_tokens bigint,
  cost_usd double precision, unpriced_tokens bigint, parent_session_id text, last_tool text, last_tool_status text, last_event_type text,
  transcript_path text, state text, state_at bigint, waiting_since bigint, waiting_message text, wait_continues boolean,
  context_tokens bigint, context_at bigint, context_window bigint`;

/**
 * The batch's sums per session (key order) onto `am_sessions`: the local store's UPSERT_SESSION
 * (`store/insert.ts`), then the live state and context as `store/sessionState.ts` applies them.
 */
const SESSIONS_SQL = `
WITH x AS (SELECT * FROM json_to_recordset($1::json) AS x(${SESSION_FIELDS}))
INSERT INTO am_sessions AS s (session_id, agent_type, project, branch, model, person, machine, started_at, last_event_at, ended_at, event_count,
  tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens, parent_session_id, last_tool, last_tool_status,
  last_event_type, transcript_path, state, state_at, waiting_since, waiting_message, context_tokens, context_at, context_window)
SELECT session_id, agent_type, project, branch, model, person, machine, started_at, last_event_at, ended_at, event_count,
  tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, unpriced_tokens, parent_session_id, last_tool, last_tool_status,
  last_event_type, transcript_path, state, state_at, waiting_since, waiting_message, context_tokens, context_at, context_window
FROM x ORDER BY session_id
ON CONFLICT (session_id) DO UPDATE SET
  project = COALESCE(s.project, excluded.project),
  machine = COALESCE(s.machine, excluded.machine),
  branch = CASE WHEN excluded.last_event_at >= s.last_event_at THEN COALESCE(excluded.branch, s.branch) ELSE COALESCE(s.branch, excluded.branch) END,
  model = CASE WHEN excluded.last_event_at >= s.last_event_at THEN COALESCE(excluded.model, s.model) ELSE COALESCE(s.model, excluded.model) END,
  last_event_type = CASE WHEN excluded.last_event_at >= s.last_event_at THEN excluded.last_event_type ELSE s.last_event_type END,
  last_tool = CASE WHEN excluded.last_tool IS NOT NULL AND excluded.last_event_at >= s.last_event_at THEN excluded.last_tool ELSE COALESCE(s.last_tool, excluded.last_tool) END,
  last_tool_status = CASE WHEN excluded.last_tool IS NOT NULL AND excluded.last_event_at >= s.last_event_at THEN excluded.last_tool_status ELSE COALESCE(s.last_tool_status, excluded.last_tool_status) END,
  started_at = LEAST(s.started_at, excluded.started_at),
  last_event_at = GREATEST(s.last_event_at, excluded.last_event_at),
  ended_at = CASE
    WHEN (SELECT reopened_at FROM x WHERE x.session_id = excluded.session_id) >= GREATEST(COALESCE(s.ended_at, 0), COALESCE(excluded.ended_at, 0)) THEN NULL
    WHEN excluded.ended_at IS NOT NULL THEN GREATEST(COALESCE(s.ended_at, 0), excluded.ended_at)
    ELSE s.ended_at END,
  event_count = s.event_count + excluded.event_count,
  tokens_in = s.tokens_in + excluded.tokens_in,
  tokens_out = s.tokens_out + excluded.tokens_out,
  cache_read_tokens = s.cache_read_tokens + excluded.cache_read_tokens,
  cache_write_tokens = s.cache_write_tokens + excluded.cache_write_tokens,
  cost_usd = s.cost_usd + excluded.cost_usd,
  unpriced_tokens = s.unpriced_tokens + excluded.unpriced_tokens,
  parent_session_id = COALESCE(s.parent_session_id, excluded.parent_session_id),
  transcript_path = COALESCE(excluded.transcript_path, s.transcript_path),
  context_window = COALESCE(excluded.context_window, s.context_window),
  context_tokens = CASE WHEN excluded.context_at IS NOT NULL AND (s.context_at IS NULL OR s.context_at <= excluded.context_at) THEN excluded.context_tokens ELSE s.context_tokens END,
  context_at = CASE WHEN excluded.context_at IS NOT NULL AND (s.context_at IS NULL OR s.context_at <= excluded.context_at) THEN excluded.context_at ELSE s.context_at END,
  waiting_since = CASE WHEN excluded.state IS NULL OR (s.state_at IS NOT NULL AND excluded.state_at < s.state_at) THEN s.waiting_since
    WHEN s.state = excluded.state AND excluded.state IN ('waiting_permission', 'waiting_input')
      AND (SELECT wait_continues FROM x WHERE x.session_id = excluded.session_id) THEN s.waiting_since
    ELSE excluded.waiting_since END,
  waiting_message = CASE WHEN excluded.state IS NULL OR (s.state_at IS NOT NULL AND excluded.state_at < s.state_at) THEN s.waiting_message
    WHEN s.state = excluded.state AND excluded.state IN ('waiting_permission', 'waiting_input') THEN COALESCE(s.waiting_message, excluded.waiting_message)
    ELSE excluded.waiting_message END,
  state = CASE WHEN excluded.state IS NULL OR (s.state_at IS NOT NULL AND excluded.state_at < s.state_at) THEN s.state ELSE excluded.state END,
  state_at = CASE WHEN excluded.state IS NULL OR (s.state_at IS NOT NULL AND excluded.state_at < s.state_at) THEN s.state_at ELSE excluded.state_at END`;


/** A running call's final record (or a success's failure) applied to the call's row, as `store/insert.ts` applyDuplicate does. */
function complete(row: TeamRecord, r: TeamRecord): void {
  row.status = r.status;
  row.duration_ms = r.duration_ms ?? row.duration_ms;
  if (r.tool_name && !row.tool_name) row.tool_name = r.tool_name;
  row.metadata = r.metadata ? mergeMetadata(row.metadata, r.metadata) : row.metadata;
  row.payload_truncated = Math.max(row.payload_truncated, r.payload_truncated) as TeamRecord['payload_truncated'];
}

/**
 * A duplicate `r` of the event `row` (stored, or first in the batch) applied to it, as the local
 * store's `applyDuplicate`: what it does to its session, or null.
 */
function applyDuplicate(row: TeamRecord, r: TeamRecord): SessionItem | null {
  if (completesStored(row.status, r.status)) {
    complete(row, r);
    return { r, kind: 'complete' };
  }
  if (r.metadata) {
    const filled = fillMetadataGaps(row.metadata, r.metadata);
    if (filled !== null) row.metadata = filled;
    if (r.event_type === 'tool_use' && isDecision(r.metadata)) return { r, kind: 'note' };
  }
  return null;
}

/**
 * Derived usage leaving the sessions whose first real request arrived (`$1`; `$2` the id prefix):
 * the rows and their share of the hourly rollup and the sessions. The event ids stay claimed, so a
 * re-sent derived record is a duplicate.
 */
const DROP_DERIVED_SQL = `
WITH d AS (
  DELETE FROM am_events WHERE session_id = ANY($1) AND event_id LIKE $2
  RETURNING session_id, person, project, model, agent_type, created_at, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd, cost_source
), h AS (
  UPDATE am_usage_hourly u SET events = u.events - x.n, requests = u.requests - x.req, tokens_in = u.tokens_in - x.tin, tokens_out = u.tokens_out - x.tout,
    cache_read_tokens = u.cache_read_tokens - x.cr, cache_write_tokens = u.cache_write_tokens - x.cw, cost_usd = u.cost_usd - x.cost, unpriced_tokens = u.unpriced_tokens - x.unpriced
  FROM (SELECT (created_at / 3600000) * 3600000 AS hour, person, COALESCE(project, '') AS project, COALESCE(model, '') AS model, agent_type, COUNT(*) AS n,
          COUNT(*) FILTER (WHERE tokens_in + tokens_out + cache_read_tokens + cache_write_tokens > 0) AS req,
          SUM(tokens_in) AS tin, SUM(tokens_out) AS tout, SUM(cache_read_tokens) AS cr, SUM(cache_write_tokens) AS cw, COALESCE(SUM(cost_usd), 0) AS cost,
          COALESCE(SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) FILTER (WHERE cost_source = 'unpriced'), 0) AS unpriced
        FROM d GROUP BY 1, 2, 3, 4, 5) x
  WHERE u.hour = x.hour AND u.person = x.person AND u.project = x.project AND u.model = x.model AND u.agent_type = x.agent_type
  RETURNING 1
)
UPDATE am_sessions s SET event_count = s.event_count - x.n, tokens_in = s.tokens_in - x.tin, tokens_out = s.tokens_out - x.tout,
  cache_read_tokens = s.cache_read_tokens - x.cr, cache_write_tokens = s.cache_write_tokens - x.cw, cost_usd = s.cost_usd - x.cost, unpriced_tokens = s.unpriced_tokens - x.unpriced
FROM (SELECT session_id, COUNT(*) AS n, SUM(tokens_in) AS tin, SUM(tokens_out) AS tout, SUM(cache_read_tokens) AS cr, SUM(cache_write_tokens) AS cw,
        COALESCE(SUM(cost_usd), 0) AS cost,
        COALESCE(SUM(tokens_in + tokens_out + cache_read_tokens + cache_write_tokens) FILTER (WHERE cost_source = 'unpriced'), 0) AS unpriced
      FROM d GROUP BY 1) x
WHERE s.session_id = x.session_id`;

const MAX_COVERED = 100_000;

/**
 * What a batch does to a session, in the batch's order (`store/insert.ts` BatchWriter): an inserted
 * row counts; a duplicate that completes a call (`complete`) moves the session's times, last tool
 * and state without counting; a duplicate carrying a tool decision (`note`) moves its state only.
 */
type SessionItem = { r: TeamRecord; kind: 'insert' | 'complete' | 'note' };

/** The batch's items summed per session (session id order), as the local store sums them. */
function sessionRows(items: SessionItem[]): Record<string, unknown>[] {
  const bySession = new Map<string, { d: SessionDelta; person: string; machine: string | null; changes: StateChange[]; ctx: { tokens: number; at: number } | null; window: number | null }>();
  const entry = (r: TeamRecord) => {
    let e = bySession.get(r.session_id);
    if (!e) bySession.set(r.session_id, (e = { d: newSessionDelta(r), person: r.person, machine: r.machine, changes: [], ctx: null, window: null }));
    return e;
  };
  for (const { r, kind } of items) {
    const e = entry(r);
    if (kind === 'insert') {
      addToSession(e.d, r);
      e.window = reportedWindow(r) ?? e.window;
      const tokens = contextTokens(r);
      if (tokens !== null && (!e.ctx || r.created_at >= e.ctx.at)) e.ctx = { tokens, at: r.created_at };
    } else if (kind === 'complete') {
      e.d.last_event_at = Math.max(e.d.last_event_at, r.created_at);
      e.d.started_at = Math.min(e.d.started_at, r.created_at);
      e.d.reopened_at = Math.max(e.d.reopened_at ?? 0, r.created_at);
      if (r.tool_name && r.created_at >= e.d.last_tool_at) {
        e.d.last_tool = r.tool_name;
        e.d.last_tool_status = r.status;
        e.d.last_tool_at = r.created_at;
      }
    }
    const change = stateChange(r);
    if (change) e.changes.push(change);
  }
  return [...bySession.keys()].sort().map((sid) => {
    const e = bySession.get(sid)!;
    settleEnd(e.d);
    const live: SessionLiveState = { state: null, state_at: null, waiting_since: null, waiting_message: null };
    for (const c of e.changes) fold(live, c);
    const { last_tool_at: _at, ...d } = e.d;
    return {
      session_id: sid,
      ...d,
      person: e.person,
      machine: e.machine,
      ...live,
      // Every change of the batch is the wait it ends in: a stored wait of that kind goes on (its start is kept).
      wait_continues: e.changes.every((c) => c.state === live.state),
      context_tokens: e.ctx?.tokens ?? null,
      context_at: e.ctx?.at ?? null,
      context_window: e.window,
    };
  });
}

export class PgStore {
  private readonly partitions = new Set<string>();
  private listener: pg.Client | null = null;
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  /** Connect, apply pending migrations, and return the store (throws naming what failed). */
  static async open(url: string, log: Logger): Promise<PgStore> {
    // Bounded: 8 connections per server; a request that waits 10 s for one fails (503) instead of queueing on.
    const pool = new pg.Pool({ connectionString: url, max: 8, connectionTimeoutMillis: 10_000, types, application_name: 'agentmonitor' });
    // An idle client's error (the server restarted) must not crash the process; queries report it.
    pool.on('error', (e) => log.warn(`postgres: idle connection failed: ${e.message}`));
    const store = new PgStore(pool, log);
    try {
      await store.migrate();
    } catch (e) {
      await pool.end();
      throw new Error(`cannot open the team database ${redactUrl(url)}: ${(e as Error).message}`, { cause: e });
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await c.query('CREATE TABLE IF NOT EXISTS am_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const done = new Set((await c.query<{ version: number }>('SELECT version FROM am_schema')).rows.map((r) => r.version));
      const newest = Math.max(0, ...done);
      const known = MIGRATIONS[MIGRATIONS.length - 1].version;
      if (newest > known) throw new Error(`its schema is version ${newest}, newer than this AgentMonitor knows (${known}); upgrade AgentMonitor`);
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO am_schema (version) VALUES ($1)', [m.version]);
        this.log.info(`postgres: applied schema migration ${m.version}`);
      }
    });
  }

  /** Make the month partitions the records fall in (once per process each; concurrent servers serialize on the lock). */
  private async ensurePartitions(records: TeamRecord[]): Promise<void> {
    const wanted = new Map<string, { from: number; to: number }>();
    for (const r of records) {
      const p = monthPartition(r.created_at);
      if (!this.partitions.has(p.name)) wanted.set(p.name, p);
    }
    if (!wanted.size) return;
    await inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      for (const [name, p] of wanted) {
        await c.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF am_events FOR VALUES FROM (${p.from}) TO (${p.to})`);
      }
    });
    for (const name of wanted.keys()) this.partitions.add(name);
  }

  /**
   * Insert a batch in one transaction. An event whose `event_id` is stored already (by any
   * server, in any month) or repeated earlier in the batch is a duplicate and changes nothing.
   */
  async insert(records: TeamRecord[]): Promise<TeamInsertOutcome> {
    if (!records.length) return { ids: [], inserted: 0, duplicates: 0 };
    await this.ensurePartitions(records);
    const lexemes = records.map((r) => searchLexemes(r.event_type, r.metadata));
    // Concurrent batches take their row locks in key order (claims, rollup hours, sessions), which
    // keeps them from waiting on each other in a cycle; a deadlock PostgreSQL still reports rolled
    // the whole batch back, so it is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.insertOnce(records, lexemes);
      } catch (e) {
        if ((e as { code?: string }).code !== DEADLOCK || attempt >= MAX_ATTEMPTS) throw e;
        this.log.debug(`postgres: batch deadlocked, retrying (attempt ${attempt + 1})`);
      }
    }
  }

  private async insertOnce(records: TeamRecord[], lexemes: (string | null)[]): Promise<TeamInsertOutcome> {
    const found = new Map<string, number>();
    const out = await inTransaction(this.pool, async (c) => {
      const ids: number[] = (await c.query<{ id: number }>("SELECT nextval('am_events_id_seq') AS id FROM generate_series(1, $1)", [records.length])).rows.map((r) => r.id);
      const cover = await this.covering(c, records, ids);
      const firstInBatch = new Map<string, number>();
      const claims: { event_id: string; id: number; created_at: number }[] = [];
      records.forEach((r, i) => {
        if (r.event_id === null || cover.skipped.has(i)) return;
        if (firstInBatch.has(r.event_id)) return;
        firstInBatch.set(r.event_id, i);
        claims.push({ event_id: r.event_id, id: ids[i], created_at: r.created_at });
      });
      claims.sort((x, y) => (x.event_id < y.event_id ? -1 : x.event_id > y.event_id ? 1 : 0));
      const existing = new Map<string, number>();
      if (claims.length) {
        const fresh = new Set(
          (
            await c.query<{ event_id: string }>(
              `INSERT INTO am_event_ids (event_id, id, created_at) SELECT * FROM json_to_recordset($1::json) AS x(event_id text, id bigint, created_at bigint)
               ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
              [JSON.stringify(claims)],
            )
          ).rows.map((r) => r.event_id),
        );
        const taken = claims.filter((x) => !fresh.has(x.event_id)).map((x) => x.event_id);
        if (taken.length) {
          for (const r of (await c.query<{ event_id: string; id: number }>('SELECT event_id, id FROM am_event_ids WHERE event_id = ANY($1)', [taken])).rows) {
            existing.set(r.event_id, r.id);
          }
        }
      }
      const out: TeamInsertOutcome = { ids: [], inserted: 0, duplicates: 0 };
      const rows: TeamRecord[] = [];
      const terms: (string | null)[] = [];
      const rowOf = new Map<string, TeamRecord>();
      const later: { r: TeamRecord; id: number; at: number }[] = [];
      const items: (SessionItem | null)[] = [];
      const reindex = new Set<TeamRecord>();
      records.forEach((r, i) => {
        const skippedFor = cover.skipped.get(i);
        if (skippedFor !== undefined) {
          out.ids.push(skippedFor);
          out.duplicates++;
          return;
        }
        if (r.event_id !== null && (existing.has(r.event_id) || firstInBatch.get(r.event_id) !== i)) {
          const stored = existing.get(r.event_id);
          const first = rowOf.get(r.event_id);
          if (stored !== undefined) {
            later.push({ r, id: stored, at: items.length });
            items.push(null);
          } else if (first) {
            const before = first.metadata;
            items.push(applyDuplicate(first, r));
            if (first.metadata !== before) reindex.add(first);
          }
          out.ids.push(stored ?? ids[firstInBatch.get(r.event_id)!]);
          out.duplicates++;
          return;
        }
        out.ids.push(ids[i]);
        out.inserted++;
        const row = { ...r, id: ids[i] };
        rows.push(row);
        items.push({ r: row, kind: 'insert' });
        terms.push(lexemes[i]);
        if (r.event_id !== null) rowOf.set(r.event_id, row);
      });
      if (rows.length) await c.query(INSERT_SQL, [JSON.stringify(rows.map((r, i) => ({ ...r, search_terms: reindex.has(r) ? searchLexemes(r.event_type, r.metadata) : terms[i] })))]);
      const completed = await this.applyStored(c, later, items);
      if (cover.drop.length) await c.query(DROP_DERIVED_SQL, [cover.drop, `${METRICS_USAGE_ID_PREFIX}%`]);
      const sessionItems = items.filter((x): x is SessionItem => x !== null);
      if (sessionItems.length) await c.query(SESSIONS_SQL, [JSON.stringify(sessionRows(sessionItems))]);
      if (rows.length || completed.length) {
        const inserted = [...rows.map((r) => r.id as number), ...completed];
        for (let i = 0; i < inserted.length; i += IDS_PER_NOTIFY) {
          await c.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(inserted.slice(i, i + IDS_PER_NOTIFY))]);
        }
      }
      for (const [sid, id] of cover.found) found.set(sid, id);
      return out;
    });
    // Known only once committed.
    if (this.covered.size > MAX_COVERED) this.covered.clear();
    for (const [sid, id] of found) this.covered.set(sid, id);
    return out;
  }

  /** Index for search the events stored before search existed (`pgSearch.ts`); the number indexed. */
  backfillSearch(): Promise<number> {
    return backfillSearch(this.pool, () => this.closed);
  }

  /** Sessions of stand-in agents known to hold a real request (its id): their derived usage is gone or never stored. */
  private readonly covered = new Map<string, number>();

  /**
   * Usage derived from metrics (`usage-metrics:` ids, `otel/metricsUsage.ts`) counts only while its
   * session has no other request, as in the local store (`store/insert.ts` dropDerivedUsage): a
   * derived record of a covered session is skipped (`skipped`: its index → the covering request's
   * id), and the sessions whose first real request this batch brings lose their stored derived
   * usage (`drop`).
   */
  private async covering(c: pg.PoolClient, records: TeamRecord[], ids: number[]): Promise<{ skipped: Map<number, number>; drop: string[]; found: Map<string, number> }> {
    const found = new Map<string, number>();
    const skipped = new Map<number, number>();
    const derived: number[] = [];
    records.forEach((r, i) => {
      if (r.event_type !== 'llm_request' || !hasStandInUsage(r.agent_type)) return;
      if (isDerived(r)) derived.push(i);
      else if (!found.has(r.session_id) && !this.covered.has(r.session_id)) found.set(r.session_id, ids[i]);
    });
    const drop = [...found.keys()].sort();
    const ask = [...new Set(derived.map((i) => records[i].session_id))].filter((sid) => !found.has(sid) && !this.covered.has(sid));
    // Whoever decides about a session's derived usage holds the session until COMMIT (in key
    // order; a deadlock retries the batch): a request and derived usage of one session on two
    // servers take turns, so the later one sees what the earlier one committed.
    const hold = [...new Set([...drop, ...ask])].sort();
    if (hold.length) await c.query("SELECT pg_advisory_xact_lock(hashtextextended('am_covering:' || s, 0)) FROM unnest($1::text[]) AS s", [hold]);
    if (ask.length) {
      const res = await c.query<{ session_id: string; id: number }>(
        `SELECT session_id, MIN(id) AS id FROM am_events WHERE session_id = ANY($1) AND event_type = 'llm_request'
           AND (event_id IS NULL OR event_id NOT LIKE $2) GROUP BY session_id`,
        [ask, `${METRICS_USAGE_ID_PREFIX}%`],
      );
      for (const r of res.rows) found.set(r.session_id, r.id);
    }
    for (const i of derived) {
      const id = found.get(records[i].session_id) ?? this.covered.get(records[i].session_id);
      if (id !== undefined) skipped.set(i, id);
    }
    return { skipped, drop: drop.filter((sid) => found.has(sid)), found };
  }

  /**
   * Duplicates of stored events (`later`, with their place in `items`), as the local store applies
   * them (`applyDuplicate`): a running call's final status (or a success's failure) completes the
   * row (status, duration, tool name, merged metadata), else the stored metadata's empty fields
   * are filled (`fillMetadataGaps`); a tool decision moves the session's state. Answers the ids of
   * the rows completed (streamed again).
   */
  private async applyStored(c: pg.PoolClient, later: { r: TeamRecord; id: number; at: number }[], items: (SessionItem | null)[]): Promise<number[]> {
    const wanted = later.filter(({ r }) => r.metadata !== null || (r.status !== null && r.status !== 'running'));
    if (!wanted.length) return [];
    const stored = new Map(
      (await c.query<TeamRecord>(`SELECT ${EVENT_COLUMNS.join(', ')} FROM am_events WHERE id = ANY($1)`, [[...new Set(wanted.map((x) => x.id))]])).rows.map((row) => [row.id, row]),
    );
    const changed = new Map<TeamRecord, boolean>();
    for (const { r, id, at } of wanted) {
      const row = stored.get(id);
      if (!row) continue;
      const before = row.metadata;
      const item = applyDuplicate(row, r);
      if (item?.kind === 'complete') changed.set(row, true);
      else if (row.metadata !== before && !changed.has(row)) changed.set(row, false);
      items[at] = item && { ...item, r: { ...item.r, session_id: row.session_id } };
    }
    for (const row of [...changed.keys()].sort((a, b) => a.id - b.id)) {
      await c.query(
        'UPDATE am_events SET status = $3, duration_ms = $4, tool_name = $5, metadata = $6, payload_truncated = $7, search_terms = $8::tsvector WHERE id = $1 AND created_at = $2',
        [row.id, row.created_at, row.status, row.duration_ms, row.tool_name, row.metadata, row.payload_truncated, searchLexemes(row.event_type, row.metadata)],
      );
    }
    return [...changed].filter(([, completed]) => completed).map(([row]) => row.id);
  }

  /** Stored events by id, in id order. */
  async eventsByIds(ids: number[]): Promise<StoredEvent[]> {
    const rows = (await this.pool.query<TeamRecord>(`SELECT ${EVENT_COLUMNS.join(', ')} FROM am_events WHERE id = ANY($1) ORDER BY id`, [ids])).rows;
    return rows.map((r) => ({ ...recordToStoredEvent(r), person: r.person, ...(r.machine ? { machine: r.machine } : {}) }));
  }

  /** Events stored, from the rollup (every event is counted in one of its rows): no scan of the events. */
  async eventCount(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT COALESCE(SUM(events), 0) AS n FROM am_usage_hourly')).rows[0].n;
  }

  /**
   * Call `onIds` with the ids of every batch any server commits, from now on. A lost LISTEN
   * connection (PostgreSQL restarted, the backend was terminated) is reopened with backoff; what
   * was committed while it was down is not streamed (the cost views have it).
   */
  async listen(onIds: (ids: number[]) => void): Promise<void> {
    this.onIds = onIds;
    await this.openListener();
  }

  /** LISTEN connections opened so far (1 after `listen`, one more per reconnection). */
  listenGeneration = 0;
  private onIds: ((ids: number[]) => void) | null = null;
  private generationWaiters: { n: number; resolve: () => void }[] = [];
  private relistenTimer: NodeJS.Timeout | null = null;

  /** Resolves once the LISTEN connection of generation `n` (or a later one) is open. */
  whenListening(n: number): Promise<void> {
    if (this.listenGeneration >= n) return Promise.resolve();
    return new Promise((resolve) => this.generationWaiters.push({ n, resolve }));
  }

  private async openListener(): Promise<void> {
    const c = new pg.Client({ connectionString: (this.pool.options as { connectionString: string }).connectionString, types, application_name: 'agentmonitor-listen' });
    c.on('notification', (n) => {
      if (n.channel !== EVENTS_CHANNEL || !n.payload) return;
      try {
        this.onIds?.(JSON.parse(n.payload) as number[]);
      } catch (e) {
        this.log.warn(`postgres: bad notification: ${(e as Error).message}`);
      }
    });
    c.on('error', (e) => this.lostListener(c, e.message));
    c.on('end', () => this.lostListener(c, 'connection ended'));
    try {
      await c.connect();
      await c.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (e) {
      await c.end().catch(() => {});
      throw e;
    }
    if (this.closed) {
      await c.end().catch(() => {});
      return;
    }
    this.listener = c;
    this.listenGeneration++;
    const ready = this.generationWaiters.filter((w) => w.n <= this.listenGeneration);
    this.generationWaiters = this.generationWaiters.filter((w) => w.n > this.listenGeneration);
    for (const w of ready) w.resolve();
  }

  private lostListener(c: pg.Client, why: string): void {
    if (this.closed || this.listener !== c) return;
    this.listener = null;
    c.end().catch(() => {});
    this.log.warn(`postgres: the LISTEN connection was lost (${why}); live updates resume once it is reopened`);
    const retry = (delayMs: number) => {
      this.relistenTimer = setTimeout(() => {
        this.relistenTimer = null;
        if (this.closed) return;
        this.openListener().then(
          () => this.log.info('postgres: LISTEN connection reopened'),
          (e: Error) => {
            this.log.warn(`postgres: reopening the LISTEN connection failed: ${e.message}`);
            retry(Math.min(delayMs * 2, 30_000));
          },
        );
      }, delayMs);
      this.relistenTimer.unref();
    };
    retry(100);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.relistenTimer) clearTimeout(this.relistenTimer);
    await this.listener?.end().catch(() => {});
    await this.pool.end();
  }
}

/** The database URL without its password, for logs and health. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable database URL)';
  }
}
