/**
 * `agentmonitor push`: forwards the local store's events (what only this machine sees: imported
 * transcripts, hooks, local OTLP) to a team server's `POST /api/events/batch`, oldest first.
 *
 * - Resumable: a cursor (the last local event id the team server acknowledged) is kept in a small
 *   file (`push/<key>.json` beside the local database, one per database × team URL), written
 *   only after the team server answered 201, i.e. after PostgreSQL committed the batch.
 * - Idempotent: every event carries an `event_id` (the local one, or `local-<hash>` derived from
 *   the stored row for events without one), so a batch sent twice (a crash between the answer
 *   and the cursor write, a lost cursor file) is deduplicated by the team server.
 * - Reading: through the live local server that owns the database (`GET /api/events?after_id=`),
 *   else the file opened read-only (snapshot plus journal), reopened only when it changed.
 * - Bounded: at most `batchSize` events and about `MAX_BATCH_BYTES` per request; network errors,
 *   429 and 5xx are retried with backoff (capped at 30 s); any other 4xx stops with the server's
 *   message and the URL.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EventsPage } from '../contracts/api';
import type { BatchResult, EventInput, StoredEvent } from '../contracts/events';
import { loadConfig } from '../config';
import type { Logger } from '../log';
import { openCore, type Core } from '../runtime';
import { probeOwner } from '../server/lockFile';
import { MAX_BATCH_ITEMS } from '../server/routes/events';
import { MACHINE_HEADER } from '../server/writer';
import { Journal } from '../store/journal';

/** About this many bytes of JSON per request (the team server takes 10 MB by default). */
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;
const MAX_BACKOFF_MS = 30_000;

export interface PushOptions {
  /** The team server's base URL (http(s)://host[:port][/prefix]). */
  to: string;
  token: string;
  dbPath: string;
  /** The local server's AGENTMONITOR_TOKEN, when it has one. */
  localToken?: string | null;
  /** Most events per request (≤ the team server's 5000). */
  batchSize?: number;
  /** Keep following new local events; otherwise stop once the backlog is sent. */
  follow?: boolean;
  /** How often to look for new local events while following. */
  intervalMs?: number;
  /** Stop retrying a failing team server after this long (0: never). */
  retryForMs?: number;
  log: Logger;
  signal?: AbortSignal;
  /** Read this open core (a local server pushing its own store) instead of finding the owner. */
  core?: Core;
  /** After each acknowledged batch (tests and progress). */
  onBatch?(b: PushedBatch): void;
  /** The machine sent with every batch (`X-AgentMonitor-Machine`; default `machineName`). */
  machine?: string;
}

/** This machine's name for the team: `AGENTMONITOR_MACHINE`, else the host name. */
export function machineName(env: NodeJS.ProcessEnv = process.env): string {
  return (env.AGENTMONITOR_MACHINE?.trim() || os.hostname()).slice(0, 255);
}

export interface PushedBatch {
  events: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  /** The cursor after this batch: the last local event id acknowledged. */
  lastId: number;
}

export interface PushTotals {
  events: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  lastId: number;
  cursorFile: string;
}

export interface PushCursor {
  version: 1;
  to: string;
  db: string;
  last_id: number;
  updated_at: string;
}

/** A push that cannot go on (a 4xx other than 429, a bad URL): the message names the URL. */
export class PushError extends Error {}

export function normalizeTeamUrl(to: string): string {
  let u: URL;
  try {
    u = new URL(to);
  } catch {
    throw new PushError(`--to must be the team server's URL (http://host:port or https://…), got "${to}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PushError(`--to must be an http:// or https:// URL, got "${to}"`);
  if (u.username || u.password || u.search || u.hash) throw new PushError(`--to must be a plain base URL (no credentials, query or fragment), got "${u.origin}${u.pathname}"`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

export function cursorFileFor(dbPath: string, to: string): string {
  const key = crypto.createHash('sha256').update(`${path.resolve(dbPath)}\0${to}`).digest('hex').slice(0, 16);
  return path.join(path.dirname(path.resolve(dbPath)), 'push', `${key}.json`);
}

export function readCursor(file: string): PushCursor | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const c = JSON.parse(text) as PushCursor;
    if (c.version === 1 && Number.isSafeInteger(c.last_id) && c.last_id >= 0) return c;
  } catch {
    // Reported below.
  }
  throw new PushError(`the push cursor ${file} is not readable JSON of this version; remove it to push everything again (the team server skips what it has)`);
}

function writeCursor(file: string, c: PushCursor): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(c));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** The id a pushed event is deduplicated by: its own, else one derived from the stored row. */
export function pushEventId(e: StoredEvent): string {
  if (e.event_id) return e.event_id;
  const h = crypto.createHash('sha256').update([e.id, e.agent_type, e.session_id, e.event_type, e.tool_name ?? '', e.created_at].join('\0')).digest('hex');
  return `local-${h.slice(0, 40)}`;
}

/**
 * A stored event as the contract's input. Usage is sent as tokens and priced by the team server
 * (one price table for the team); only a cost the agent itself reported (`cost_source: agent`)
 * travels as `cost_usd`. The event time is the stored one.
 */
export function toPushInput(e: StoredEvent): EventInput {
  const input: EventInput = {
    event_id: pushEventId(e),
    session_id: e.session_id,
    agent_type: e.agent_type,
    event_type: e.event_type,
    source: e.source,
    client_timestamp: e.created_at,
  };
  if (e.tool_name !== null) input.tool_name = e.tool_name;
  if (e.status !== null) input.status = e.status;
  if (e.model !== null) input.model = e.model;
  if (e.project !== null) input.project = e.project;
  if (e.branch !== null) input.branch = e.branch;
  if (e.duration_ms !== null) input.duration_ms = e.duration_ms;
  for (const k of ['tokens_in', 'tokens_out', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'reasoning_tokens'] as const) {
    if (e[k]) input[k] = e[k];
  }
  if (e.cost_source === 'agent' && e.cost_usd !== null) input.cost_usd = e.cost_usd;
  if (e.metadata !== null) input.metadata = e.metadata;
  return input;
}

/** Where the local events are read from. */
interface LocalSource {
  kind: 'server' | 'file';
  /** Events with an id above `afterId`, oldest first. */
  after(afterId: number, limit: number): Promise<StoredEvent[]>;
  /** The largest stored id (0 when empty). */
  maxId(): Promise<number>;
  close(): Promise<void>;
}

function serverSource(url: string, token: string | null | undefined): LocalSource {
  const get = async (query: string): Promise<EventsPage> => {
    const r = await fetch(`${url}/api/events?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!r.ok) throw new Error(`the local server ${url} answered ${r.status} to GET /api/events: ${(await r.text()).slice(0, 300)}`);
    return (await r.json()) as EventsPage;
  };
  return {
    kind: 'server',
    after: async (afterId, limit) => (await get(`after_id=${afterId}&limit=${limit}`)).events,
    maxId: async () => (await get('limit=1')).events[0]?.id ?? 0,
    close: async () => {},
  };
}

function fileSource(core: Core): LocalSource {
  return {
    kind: 'file',
    after: async (afterId, limit) => (await core.store.query('listEvents', { filter: {}, after_id: afterId, limit })).events,
    maxId: async () => (await core.store.query('listEvents', { filter: {}, limit: 1 })).events[0]?.id ?? 0,
    close: () => core.close(),
  };
}

/** What the database file and its journal look like now: unchanged means nothing new to read. */
function fileSignature(dbPath: string): string {
  const parts: string[] = [];
  for (const f of [dbPath, ...Journal.segmentFiles(dbPath).map((s) => s.path)]) {
    try {
      const st = fs.statSync(f);
      parts.push(`${f}:${st.size}:${st.mtimeMs}`);
    } catch {
      parts.push(`${f}:-`);
    }
  }
  return parts.join('|');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Split events into requests of at most `batchSize` events and about `MAX_BATCH_BYTES`. */
function* requests(events: EventInput[], batchSize: number): Generator<{ inputs: EventInput[]; body: string }> {
  let inputs: EventInput[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const e of events) {
    const json = JSON.stringify(e);
    const size = Buffer.byteLength(json) + 1;
    if (inputs.length && (inputs.length >= batchSize || bytes + size > MAX_BATCH_BYTES)) {
      yield { inputs, body: `[${parts.join(',')}]` };
      inputs = [];
      parts = [];
      bytes = 2;
    }
    inputs.push(e);
    parts.push(json);
    bytes += size;
  }
  if (inputs.length) yield { inputs, body: `[${parts.join(',')}]` };
}

export async function push(opts: PushOptions): Promise<PushTotals> {
  const to = normalizeTeamUrl(opts.to);
  const batchSize = Math.max(1, Math.min(MAX_BATCH_ITEMS, Math.floor(opts.batchSize ?? 500)));
  const intervalMs = opts.intervalMs ?? 5000;
  const retryForMs = opts.retryForMs ?? (opts.follow ? 0 : 300_000);
  const log = opts.log;
  const cursorFile = cursorFileFor(opts.dbPath, to);
  const machine = opts.machine ?? machineName();
  const db = path.resolve(opts.dbPath);
  let lastId = readCursor(cursorFile)?.last_id ?? 0;
  const totals: PushTotals = { events: 0, inserted: 0, duplicates: 0, rejected: 0, lastId, cursorFile };

  /** POST one request until the team server takes it; throws PushError on a refusal. */
  const send = async (body: string, count: number): Promise<BatchResult> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let why: string;
      try {
        const r = await fetch(`${to}/api/events/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}`, [MACHINE_HEADER]: machine },
          body,
          signal: opts.signal,
        });
        status = r.status;
        const text = await r.text();
        if (status === 201 || status === 400) {
          const result = JSON.parse(text) as BatchResult;
          if (Array.isArray(result.rejected)) return result;
        }
        let message = text.slice(0, 500);
        try {
          message = (JSON.parse(text) as { error?: string }).error ?? message;
        } catch {
          // Not JSON: the text as it came.
        }
        why = `${status}: ${message}`;
        if (status >= 400 && status < 500 && status !== 429 && status !== 408) {
          const hint = status === 401 ? ' (check --token / AGENTMONITOR_TEAM_TOKEN; an admin creates tokens with "agentmonitor team token create --person EMAIL")' : '';
          throw new PushError(`the team server ${to} refused ${count} events with ${why}${hint}`);
        }
      } catch (e) {
        if (e instanceof PushError || opts.signal?.aborted) throw e;
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        why = status ? `${status}: ${(e as Error).message}` : (cause?.code ?? cause?.message ?? (e as Error).message);
      }
      if (retryForMs > 0 && Date.now() - started > retryForMs) throw new PushError(`the team server ${to} did not take the events for ${Math.round(retryForMs / 1000)} s (last: ${why})`);
      const wait = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt);
      log.warn(`push: the team server ${to} did not take ${count} events (${why}); retrying in ${(wait / 1000).toFixed(1)} s`);
      await sleep(wait, opts.signal);
      if (opts.signal?.aborted) throw new PushError('push stopped');
    }
  };

  let core: Core | null = null;
  let coreSignature = '';
  const openSource = async (): Promise<LocalSource | null> => {
    if (opts.core) return { ...fileSource(opts.core), close: async () => {} };
    const owner = await probeOwner(opts.dbPath, opts.localToken ?? null);
    if (owner.kind === 'server') {
      if (core) {
        await core.close();
        core = null;
      }
      return serverSource(owner.url, opts.localToken);
    }
    if (owner.kind === 'unverified') {
      log.warn(`push: the server that owns ${opts.dbPath} could not be asked (${owner.reason}); trying again later`);
      return null;
    }
    if (!fs.existsSync(opts.dbPath) && !Journal.segmentFiles(opts.dbPath).length) return null;
    const signature = fileSignature(opts.dbPath);
    if (core && signature === coreSignature) return fileSource(core);
    if (core) await core.close();
    coreSignature = signature;
    core = await openCore({ config: loadConfig(process.env, { dbPath: opts.dbPath, watchLogs: false }), log, readOnly: true });
    return fileSource(core);
  };

  try {
    for (;;) {
      const source = await openSource();
      if (source) {
        const newest = await source.maxId();
        if (newest < lastId) {
          log.warn(`push: ${opts.dbPath} holds events up to id ${newest} only, but the cursor says ${lastId} were pushed (the database was cleared or replaced): pushing it from the start; the team server skips what it has`);
          lastId = 0;
        }
        // The next page is read while the current one is sent (the cursor still moves only on an answer).
        const read = (after: number) => {
          const p = source.after(after, batchSize);
          p.catch(() => {});
          return p;
        };
        let next = read(lastId);
        for (;;) {
          if (opts.signal?.aborted) return totals;
          const page = await next;
          if (!page.length) break;
          next = read(page[page.length - 1].id);
          let sent = 0;
          for (const { inputs, body } of requests(page.map(toPushInput), batchSize)) {
            const result = await send(body, inputs.length);
            sent += inputs.length;
            lastId = page[sent - 1].id;
            writeCursor(cursorFile, { version: 1, to, db, last_id: lastId, updated_at: new Date().toISOString() });
            const rejected = result.rejected.length;
            for (const r of result.rejected.slice(0, 5)) {
              log.warn(`push: the team server ${to} rejected local event ${inputs[r.index]?.event_id}: ${r.errors.map((x) => `${x.field}: ${x.message}`).join('; ')}`);
            }
            const b: PushedBatch = { events: inputs.length, inserted: inputs.length - result.duplicates - rejected, duplicates: result.duplicates, rejected, lastId };
            totals.events += b.events;
            totals.inserted += b.inserted;
            totals.duplicates += b.duplicates;
            totals.rejected += b.rejected;
            totals.lastId = lastId;
            opts.onBatch?.(b);
          }
        }
      }
      totals.lastId = lastId;
      if (!opts.follow || opts.signal?.aborted) return totals;
      await sleep(intervalMs, opts.signal);
      if (opts.signal?.aborted) return totals;
    }
  } catch (e) {
    // Stopped (SIGINT/SIGTERM) while a request or a read was under way: what was acknowledged is in the cursor.
    if (opts.signal?.aborted) return totals;
    throw e;
  } finally {
    if (core) await (core as Core).close();
  }
}

/**
 * `serve` with `AGENTMONITOR_TEAM_URL` and `AGENTMONITOR_TEAM_TOKEN` (the extension's team
 * settings): the local server follows its own store into the team server. A refusal (a revoked
 * token) is logged and ends the push, never the server.
 */
export function startServerPush(core: Core, env: NodeJS.ProcessEnv, log: Logger): { stop(): Promise<void> } | null {
  const to = env.AGENTMONITOR_TEAM_URL?.trim();
  const token = env.AGENTMONITOR_TEAM_TOKEN?.trim();
  if (!to || !token) return null;
  const stop = new AbortController();
  log.info(`pushing this database's events to the team server ${to}`);
  const running = push({ to, token, dbPath: core.config.dbPath, core, follow: true, log, signal: stop.signal, machine: machineName(env) }).then(
    (t) => log.info(`push to ${to} stopped; cursor at local id ${t.lastId}`),
    (e: Error) => log.error(`push to the team server stopped: ${e.message}`),
  );
  return {
    async stop() {
      stop.abort();
      await running;
    },
  };
}
