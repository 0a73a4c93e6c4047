/**
 * What a stored event costs (issue 24), on real database files: a client timestamp that says
 * exactly the event's time is stored empty and read back whole; event rows hold numbers for their
 * repeated strings and keep only the indexes their queries' plans use; a database of an earlier
 * schema is converted in a process of its own with every answer unchanged, and a kill during the
 * conversion leaves the old file whole.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { Database } from 'sql.js';
import { loadConfig } from '../../src/core/config';
import type { EventInput } from '../../src/core/contracts/events';
import { silentLogger } from '../../src/core/log';
import { openCore, type Core } from '../../src/core/runtime';
import { toRecord } from '../../src/core/ingest/normalize';
import { convertFile, defaultWasmPath, openDatabase } from '../../src/core/store/database';
import { eventIdHash } from '../../src/core/store/eventIdHash';
import { COVERING_REQUEST_SQL, insertBatch } from '../../src/core/store/insert';
import { isoCreatedAtSql, MIGRATIONS } from '../../src/core/store/schema';
import { CONVERTING_NOTICE } from '../../src/core/contracts/storeWorker';
import { toolCallsSql, toolClauses } from '../../src/core/store/queries/tools';
import { queries, sessionValuesSql } from '../../src/core/store/queries/filterOptions';
import { loadPatchedSqlJs } from '../../src/core/store/sqlJsRuntime';
import { spawnServe, stopServe } from '../helpers/serveProcess';
import { tmpDir } from '../helpers/tmp';

const HOUR = 3_600_000;

function open(dbPath: string): Promise<Core> {
  return openCore({ config: loadConfig({}, { dbPath, retentionDays: 0, snapshotIntervalS: 3600 }), log: silentLogger });
}

/** The database file as it is on disk, opened with sql.js directly (no store, no migration). */
async function onDisk(dbPath: string): Promise<Database> {
  const SQL = await loadPatchedSqlJs()({ wasmBinary: new Uint8Array(fs.readFileSync(defaultWasmPath())).buffer });
  return new SQL.Database(fs.readFileSync(dbPath));
}

function planOf(db: Database, sql: string): string {
  return db
    .exec(`EXPLAIN QUERY PLAN ${sql}`)[0]
    .values.map((r) => String(r[3]))
    .join(' | ');
}

/** The columns of the flat events table of schemas 1 to 6, in its order. */
const FLAT_COLUMNS = `id, event_id, session_id, agent_type, event_type, tool_name, status, model, tokens_in, tokens_out,
  cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_usd, cost_source, duration_ms, project,
  branch, source, created_at, received_at, client_timestamp, payload_truncated, payload_off, payload_len`;

const indexesOf = (db: Database): string[] =>
  (db.exec("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event_rows' AND sql IS NOT NULL ORDER BY name")[0]?.values ?? []).map((r) => String(r[0]));

/**
 * The same events as a database of schema 5: the flat events table of migration 1 with the indexes
 * migration 6 dropped and no event_values; migrations 6 and 7 not applied.
 */
function toSchema5(file: Database): void {
  const flat = MIGRATIONS[0].sql.match(/CREATE TABLE events \([^;]*\);/)![0];
  const indexes = MIGRATIONS[0].sql.match(/CREATE (UNIQUE )?INDEX events_\w+ ON events\([^;]*;/g)!;
  assert.equal(indexes.length, 6);
  file.exec(`CREATE TABLE flat_events AS SELECT ${FLAT_COLUMNS} FROM events;
    UPDATE flat_events SET client_timestamp = ${isoCreatedAtSql('')} WHERE client_timestamp = '';
    DROP VIEW events;
    DROP TABLE event_rows; DROP TABLE event_sessions; DROP TABLE event_types; DROP TABLE event_labels;
    DROP TABLE event_values;
    ${flat}
    INSERT INTO events SELECT * FROM flat_events;
    DROP TABLE flat_events;
    ${indexes.join('\n')}
    ALTER TABLE sessions DROP COLUMN context_window;
    DROP INDEX sessions_project; DROP INDEX sessions_branch;
    UPDATE meta SET value = '[1,2,3,4,5]' WHERE key = 'applied_migrations'`);
  assert.equal(file.exec("SELECT type FROM sqlite_master WHERE name = 'events'")[0].values[0][0], 'table');
}

/** A few sessions of model requests and tool calls over two days. */
function history(): EventInput[] {
  const t0 = Date.now() - 48 * HOUR;
  const out: EventInput[] = [];
  for (let i = 0; i < 240; i++) {
    const at = new Date(t0 + i * 12 * 60_000).toISOString();
    const common = { session_id: `s${i % 4}`, agent_type: i % 4 === 3 ? 'codex' : 'claude-code', project: `/p${i % 2}`, client_timestamp: at };
    if (i % 3 === 0) out.push({ ...common, event_type: 'llm_request', model: i % 2 ? 'claude-sonnet-4-5' : 'claude-opus-4-5', tokens_in: 100 + i, tokens_out: 10 + i });
    else out.push({ ...common, event_type: 'tool_use', tool_name: ['Bash', 'Read', 'Edit'][Math.floor(i / 3) % 3], status: i % 7 === 0 ? 'error' : 'success', duration_ms: 10 * i });
  }
  return out;
}

async function answers(core: Core, since: number): Promise<unknown[]> {
  return Promise.all([
    core.store.query('toolStats', { filter: { since }, bucket: 'hour', tz: 'UTC' }),
    core.store.query('toolStats', { filter: { since, tool_name: ['Bash'] }, bucket: 'day', tz: 'UTC' }),
    core.store.query('toolStats', { filter: { session_id: ['s1'] }, bucket: 'day', tz: 'UTC' }),
    core.store.query('costBreakdown', { by: 'session', tz: 'UTC', since, until: null, model: ['claude-opus-4-5'], limit: 50 }),
    core.store.query('listEvents', { filter: { model: ['claude-sonnet-4-5'] }, limit: 20 }),
    core.store.query('listEvents', { filter: { tool_name: ['Edit'], since }, limit: 20 }),
    core.store.query('filterOptions', {}),
  ]);
}

/** The same database as schema 7 wrote it: event ids in a unique index, no hash column; migrations 8 and later not applied. */
function toSchema7(file: Database): void {
  file.exec(`DROP INDEX events_event_hash;
    ALTER TABLE event_rows DROP COLUMN id_hash;
    CREATE UNIQUE INDEX events_event_id ON event_rows(event_id) WHERE event_id IS NOT NULL;
    ALTER TABLE sessions DROP COLUMN context_window;
    DROP INDEX sessions_project; DROP INDEX sessions_branch;
    UPDATE meta SET value = '[1,2,3,4,5,6,7]' WHERE key = 'applied_migrations'`);
}

describe('store footprint', () => {
  test('a client timestamp that is exactly the event time is stored empty and read back whole', async () => {
    const dbPath = path.join(tmpDir(), 'a.db');
    const exact = new Date(Date.now() - 60_000).toISOString();
    const offset = '2026-12-01T10:00:00.5+02:00';
    let core = await open(dbPath);
    await core.ingest.ingest([
      { session_id: 'ts', agent_type: 'claude-code', event_type: 'user_prompt', event_id: 'exact', client_timestamp: exact },
      { session_id: 'ts', agent_type: 'claude-code', event_type: 'user_prompt', event_id: 'offset', client_timestamp: offset },
      { session_id: 'ts', agent_type: 'claude-code', event_type: 'user_prompt', event_id: 'none' },
    ]);
    await core.close();

    const file = await onDisk(dbPath);
    try {
      const stored = Object.fromEntries(file.exec("SELECT event_id, client_timestamp FROM events WHERE session_id = 'ts'")[0].values);
      assert.deepEqual(stored, { exact: '', offset, none: null }, 'only a timestamp that says exactly created_at is elided');
    } finally {
      file.close();
    }

    core = await open(dbPath);
    try {
      const page = await core.store.query('listEvents', { filter: { session_id: ['ts'] }, limit: 10 });
      const byId = Object.fromEntries(page.events.map((e) => [e.event_id, e]));
      assert.equal(byId.exact.client_timestamp, exact);
      assert.equal(byId.exact.created_at, exact);
      assert.equal(byId.offset.client_timestamp, offset, 'a timestamp written another way comes back as sent');
      assert.equal(byId.offset.created_at, new Date(Date.parse(offset)).toISOString());
      assert.equal(byId.none.client_timestamp, null);
    } finally {
      await core.close();
    }
  });

  test("the filter menus list a tool first named by the call's completion", async () => {
    const dbPath = path.join(tmpDir(), 'a.db');
    const core = await open(dbPath);
    try {
      const call = { session_id: 'm', agent_type: 'claude-code', event_type: 'tool_use', event_id: 'call-1' } as const;
      await core.ingest.ingest([{ ...call, status: 'running' }], { waitForStore: true });
      assert.deepEqual((await core.store.query('filterOptions', {})).tool_names, []);
      await core.ingest.ingest([{ ...call, status: 'success', tool_name: 'Glob' }], { waitForStore: true });
      assert.deepEqual((await core.store.query('filterOptions', {})).tool_names, ['Glob']);
    } finally {
      await core.close();
    }
  });

  test('the filter menus list projects and branches by index seeks, without empty ones, in order', async () => {
    const { state } = await openDatabase(path.join(tmpDir(), 'f.db'), defaultWasmPath());
    const db = state.db;
    const sessions: [string, string | null, string | null][] = [
      ['s1', '/work/b', 'main'],
      ['s2', '/work/a', ''],
      ['s3', '', 'feature/x'],
      ['s4', null, null],
      ['s5', '/work/b', 'main'],
      ['s6', '/work/c', 'dev'],
    ];
    try {
      let id = 1;
      for (const [session_id, project, branch] of sessions) {
        const r = toRecord({ session_id, agent_type: 'codex', event_type: 'session_start', project: project ?? undefined, branch: branch ?? undefined }, 'api', 32 * 1024);
        r.id = id++;
        insertBatch(db, [r]);
      }
      const f = queries.filterOptions(db);
      assert.deepEqual(f.projects, ['/work/a', '/work/b', '/work/c']);
      assert.deepEqual(f.branches, ['dev', 'feature/x', 'main']);
      for (const col of ['project', 'branch'] as const) {
        const plan = planOf(db.raw, sessionValuesSql(col));
        assert.match(plan, new RegExp(`USING COVERING INDEX sessions_${col}`), plan);
        assert.doesNotMatch(plan, /SCAN sessions/, plan);
      }
    } finally {
      db.payloads.close();
      db.raw.close();
    }
  });

  test('a stored event id is found by its hash and its text: two ids with one hash are two events, one id twice is one', async () => {
    const { state } = await openDatabase(path.join(tmpDir(), 'h.db'), defaultWasmPath());
    const db = state.db;
    const rec = (id: number, eventId: string) => {
      const r = toRecord({ session_id: 'h', agent_type: 'claude-code', event_type: 'user_prompt', event_id: eventId }, 'api', 32 * 1024);
      r.id = id;
      return r;
    };
    try {
      insertBatch(db, [rec(1, 'first')]);
      // The stored row gets the hash of another id, as a collision would give it.
      db.run('UPDATE event_rows SET id_hash = ? WHERE id = 1', [eventIdHash('second')]);
      assert.deepEqual(insertBatch(db, [rec(2, 'second'), rec(3, 'second')]).kinds, ['inserted', 'duplicate']);
      assert.deepEqual(db.all('SELECT id, event_id FROM events ORDER BY id'), [
        { id: 1, event_id: 'first' },
        { id: 2, event_id: 'second' },
      ]);
      assert.match(planOf(db.raw, 'SELECT id FROM event_rows WHERE id_hash = 1 AND event_id = 2'), /USING INDEX events_event_hash \(id_hash=\?\)/);
    } finally {
      db.payloads.close();
      db.raw.close();
    }
  });

  test('a database of schema 7 (event ids in a unique index) is converted in a process of its own too', async () => {
    const dbPath = path.join(tmpDir(), 'a.db');
    let core = await open(dbPath);
    await core.ingest.ingest(history().map((e, i) => ({ ...e, event_id: `e-${i}` })));
    const since = Date.now() - 72 * HOUR;
    const before = await answers(core, since);
    await core.close();
    const file = await onDisk(dbPath);
    try {
      toSchema7(file);
      fs.writeFileSync(dbPath, file.export());
      fs.rmSync(`${dbPath}.sum`, { force: true });
    } finally {
      file.close();
    }
    core = await open(dbPath);
    try {
      assert.ok(core.store.stats.open.converted, 'converted in a process of its own');
      assert.deepEqual(await answers(core, since), before);
      // Each id is found again by its hash: the same events again are duplicates.
      const again = await core.ingest.ingest(history().map((e, i) => ({ ...e, event_id: `e-${i}` })), { waitForStore: true });
      assert.deepEqual([again.inserted, again.duplicates], [0, 240]);
      assert.equal((await core.store.query('storeCounts', {})).events, 240);
    } finally {
      await core.close();
    }
  });

  test('a conversion whose server is gone (its parent changed) never replaces the file', async () => {
    const dbPath = path.join(tmpDir(), 'a.db');
    const core = await open(dbPath);
    await core.ingest.ingest(history().map((e, i) => ({ ...e, event_id: `e-${i}` })));
    await core.close();
    const file = await onDisk(dbPath);
    try {
      toSchema7(file);
      fs.writeFileSync(dbPath, file.export());
    } finally {
      file.close();
    }
    const old = fs.readFileSync(dbPath);
    // This test process is not the converting process's parent: as if the server had died.
    await assert.rejects(convertFile({ dbPath, wasmPath: defaultWasmPath(), parentPid: process.pid }), /the server that asked for the conversion is gone/);
    assert.ok(fs.readFileSync(dbPath).equals(old), 'the file is untouched');
    assert.deepEqual(fs.readdirSync(path.dirname(dbPath)).filter((f) => f.includes('.tmp-')), []);
  });

  test('a conversion that finds the disk full leaves the old file whole, and the database is migrated in memory instead', async (t) => {
    const mnt = tmpDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (e) {
      t.skip(`mounting a small tmpfs is not permitted here (${(e as Error).message.split('\n')[0]})`);
      return;
    }
    t.after(() => execFileSync('umount', ['-l', mnt]));
    const made = path.join(tmpDir(), 'a.db');
    let core = await open(made);
    await core.ingest.ingest(history());
    const since = Date.now() - 72 * HOUR;
    const before = await answers(core, since);
    await core.close();
    const file = await onDisk(made);
    toSchema5(file);
    const old = Buffer.from(file.export());
    file.close();

    const dbPath = path.join(mnt, 'a.db');
    fs.writeFileSync(dbPath, old);
    const filler = path.join(mnt, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    // Room for the small files a start writes (payload header, journal), not for a database.
    fs.ftruncateSync(fd, fs.fstatSync(fd).size - 16 * 1024);
    fs.closeSync(fd);
    assert.ok(old.length > 64 * 1024, `the database (${old.length} bytes) does not fit`);
    core = await open(dbPath);
    try {
      assert.equal(core.store.stats.open.converted, null, 'the conversion could not write its file');
      assert.deepEqual(await answers(core, since), before, 'every answer is the same, from the schema migrated in memory');
    } finally {
      await core.close();
    }
    assert.ok(fs.readFileSync(dbPath).equals(old), 'the old file is whole');
    assert.deepEqual(fs.readdirSync(mnt).filter((f) => f.includes('.tmp-')), [], 'no temp file is left on the full disk');
  });

  test('event rows hold numbers for repeated strings and keep only indexes their queries use; a previous-schema database is converted in a worker of its own, and a kill during it loses nothing', async () => {
    const dbPath = path.join(tmpDir(), 'a.db');
    let core = await open(dbPath);
    await core.ingest.ingest(history());
    const since = Date.now() - 72 * HOUR;
    const before = await answers(core, since);
    const options = before[before.length - 1] as { event_types: string[]; tool_names: string[]; models: string[] };
    assert.deepEqual([options.event_types, options.tool_names, options.models], [['llm_request', 'tool_use'], ['Bash', 'Edit', 'Read'], ['claude-opus-4-5', 'claude-sonnet-4-5']]);
    await core.close();

    let file = await onDisk(dbPath);
    try {
      assert.deepEqual(indexesOf(file), ['events_created_at', 'events_event_hash', 'events_session', 'events_tool_calls']);
      // No repeated string in a row: 4 sessions, 2 types, and one label per (agent, tool, status, model, project) seen.
      const textColumns = file.exec("SELECT name FROM pragma_table_info('event_rows') WHERE type = 'TEXT'")[0].values.map((r) => r[0]);
      assert.deepEqual(textColumns, ['event_id', 'client_timestamp']);
      assert.deepEqual(file.exec('SELECT (SELECT COUNT(*) FROM event_sessions), (SELECT COUNT(*) FROM event_types)')[0].values[0], [4, 2]);
      // A session's model request is found through the session's own events, never through every request.
      assert.match(planOf(file, COVERING_REQUEST_SQL), /USING INDEX events_session \(session=\?\)/);
      // The Tools view's scan reads tool calls by time only.
      assert.match(planOf(file, toolCallsSql(toolClauses(['e.created_at >= 0']))), /USING INDEX events_tool_calls \(created_at>\?\)/);
      toSchema5(file);
      fs.writeFileSync(dbPath, file.export());
      fs.rmSync(`${dbPath}.sum`, { force: true });
    } finally {
      file.close();
    }
    const old = fs.readFileSync(dbPath);

    // Killed between writing the converted file and putting it in place: the old file is untouched.
    const killed = await spawnServe(dbPath, [], { AGENTMONITOR_FAILPOINT: 'convert-before-replace' }).then(
      async (p) => `it listened: ${await stopServe(p)}`,
      (e: Error) => e.message,
    );
    assert.match(killed, /^serve exited with null/, 'the conversion was killed before the server listened');
    assert.ok(killed.includes(CONVERTING_NOTICE), 'the server said it converts (the extension then waits for it)');
    assert.ok(fs.readFileSync(dbPath).equals(old), 'the old file is whole');

    core = await open(dbPath);
    try {
      const converted = core.store.stats.open.converted;
      assert.ok(converted, 'the next start converted the file');
      assert.equal(converted.bytesBefore, old.length);
      assert.ok(converted.bytesAfter < old.length, `compacted: ${converted.bytesAfter} < ${old.length} bytes`);
      assert.deepEqual(await answers(core, since), before, 'every answer is the same after the conversion');
    } finally {
      await core.close();
    }
    file = await onDisk(dbPath);
    try {
      assert.deepEqual(indexesOf(file), ['events_created_at', 'events_event_hash', 'events_session', 'events_tool_calls']);
      assert.equal(file.exec("SELECT value FROM meta WHERE key = 'applied_migrations'")[0].values[0][0], JSON.stringify(MIGRATIONS.map((m) => m.version)));
      assert.equal(file.exec("SELECT type FROM sqlite_master WHERE name = 'events'")[0].values[0][0], 'view');
      assert.equal(file.exec('PRAGMA freelist_count')[0].values[0][0], 0, 'the old rows left no free pages');
      // The old schema kept client timestamps written out (every history() event has one): stored empty again.
      assert.equal(file.exec("SELECT COUNT(*) FROM event_rows WHERE client_timestamp = ''")[0].values[0][0], 240);
    } finally {
      file.close();
    }
    assert.equal(fs.readdirSync(path.dirname(dbPath)).filter((f) => f.includes('.tmp-')).length, 0, 'the killed conversion left no temp file');
    // The old file, kept as the backup by the conversion, is replaced by the compressed one at the clean stop.
    assert.equal(fs.readFileSync(`${dbPath}.bak`).subarray(0, 8).toString('latin1'), 'AMbak\u0000br');
  });
});
