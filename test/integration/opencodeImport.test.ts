/**
 * OpenCode's database (test/fixtures/opencode, written by the real opencode 1.18.33) into a real
 * store: imported with exactly the tokens the fake API answered, a fork's copies counted once,
 * priced from our table with OpenCode's own figure kept beside, shown as OpenCode; a second import
 * reads nothing. Live mode polls the database: the commits a running opencode adds to the WAL
 * arrive without an import. The JSON storage of versions before the database gives the same, and
 * counts once beside it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { EventInput } from '../../src/core/contracts/events';
import type { IngestSink } from '../../src/core/ingest/types';
import { runImport } from '../../src/core/importers/importRunner';
import { startLogWatcher } from '../../src/core/importers/liveWatch';
import { silentLogger } from '../../src/core/log';
import { priceBook } from '../../src/core/pricing/priceTables';
import { readSqliteCopy } from '../../src/core/importers/sqliteCopy';
import { loadPatchedSqlJs, sqlJsDistFile } from '../../src/core/store/sqlJsRuntime';
import { bySession, openTestCore, scratchDir } from './importHelpers';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'opencode');
const MAIN = 'ses_dadfa1fd2ffeaGNwJk7QwqQZY1';
const FORK = 'ses_dadf9f193ffeHyqXMcIqFyXNfG';

function place(dir: string, files: string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(dir, f), zlib.gunzipSync(fs.readFileSync(path.join(FIXTURE, `${f}.gz`))));
}

/** prompt, completion, cached, reasoning of the fake's answers (fixture README). */
const RUN1 = [[2400, 60, 1024, 11], [2453, 69, 1152, 14], [2506, 78, 1280, 17], [2930, 150, 2304, 41], [2559, 87, 1408, 20]];
const FORK_CALL = [2559, 87, 1408, 20];
const sum = (rows: number[][], i: number) => rows.reduce((a, r) => a + r[i], 0);

describe('import of an OpenCode database', () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let home: string;
  before(async () => {
    core = await openTestCore();
    home = path.join(scratchDir(), 'opencode');
    place(home, ['opencode.db', 'opencode.db-wal']);
  });
  after(() => core.close());

  const importOnce = () => runImport({ store: core.store, ingest: core.ingest }, { importId: 't', claudeDirs: [], codexDirs: [], opencodeDirs: [home] });

  it('stores each call once with its exact tokens, priced by us, the fork with its own call only', async () => {
    const summary = await importOnce();
    assert.equal(summary.files, 1);
    assert.equal(summary.skipped_lines, 0, JSON.stringify(summary.skipped));
    const s = (await bySession(core))[MAIN];
    assert.ok(s, 'the session is there');
    assert.deepEqual([s.tokens_in, s.cache_read_tokens, s.tokens_out, s.requests], [sum(RUN1, 0) - sum(RUN1, 2), sum(RUN1, 2), sum(RUN1, 1), 5]);
    const price = priceBook().resolve('gpt-5')!.price;
    const expected = ((sum(RUN1, 0) - sum(RUN1, 2)) * price.input + sum(RUN1, 2) * price.cache_read! + sum(RUN1, 1) * price.output) / 1e6;
    assert.ok(Math.abs(s.cost_usd - expected) < 1e-9, `${s.cost_usd} vs ${expected}`);
    const f = (await bySession(core))[FORK];
    assert.deepEqual([f.tokens_in, f.cache_read_tokens, f.tokens_out, f.requests], [FORK_CALL[0] - FORK_CALL[2], FORK_CALL[2], FORK_CALL[1], 1]);
    const sessions = await core.store.query('sessionsByIds', { now: Date.now(), idleMs: 60_000, endMs: 3_600_000, ids: [MAIN, FORK] });
    assert.deepEqual(sessions.map((x) => [x.agent_type, x.project]), [['opencode', '/tmp/ocprobe2/proj'], ['opencode', '/tmp/ocprobe2/proj']]);
    const { tools } = await core.store.query('toolStats', { filter: {}, bucket: 'day', tz: 'UTC' });
    assert.deepEqual(tools.map((t) => [t.tool_name, t.calls, t.errors]).sort(), [['bash', 1, 0], ['read', 1, 1], ['task', 1, 0]]);
  });

  it('a second import reads nothing new and adds nothing', async () => {
    const again = await importOnce();
    assert.equal(again.events, 0);
    assert.equal(again.files_skipped_unchanged, 1);
    assert.equal((await bySession(core))[MAIN].requests, 5);
  });
});

describe('live mode and an OpenCode database', () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let watcher: ReturnType<typeof startLogWatcher>;
  let home: string;
  const seen: EventInput[] = [];
  let wake: (() => void) | null = null;

  before(async () => {
    core = await openTestCore();
    home = path.join(scratchDir(), 'opencode');
    const sink: IngestSink = {
      ingest: async (events: EventInput[], opts) => {
        const r = await core.ingest.ingest(events, opts);
        seen.push(...events);
        wake?.();
        return r;
      },
      journalNow: (events, opts) => core.ingest.journalNow(events, opts),
    };
    watcher = startLogWatcher({ store: core.store, ingest: sink }, { claudeDirs: [], codexDirs: [], opencodeDirs: [home], log: silentLogger, catchUpHours: 0, databasePollMs: 50 });
    await watcher.ready;
  });
  after(async () => {
    await watcher.close();
    await core.close();
  });

  /** Resolves when an event passing `test` has arrived; rejects after 10 s. */
  const arrival = async (what: string, test: (e: EventInput) => boolean): Promise<EventInput> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const hit = seen.find(test);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`${what} never arrived; seen: ${seen.map((e) => e.event_id).join(', ')}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000).unref();
      });
    }
  };

  it('reads the database once it appears, then the commits added to its WAL', async () => {
    // The file as the first run left it (checkpointed by the second run's start), no WAL yet.
    place(home, ['opencode.db']);
    await arrival('the first run\'s final call', (e) => e.event_type === 'llm_request' && e.session_id === MAIN && e.tokens_in === 2559 - 1408);
    assert.ok(!seen.some((e) => e.session_id === FORK));
    const known = new Set(seen.map((e) => e.event_id));
    // The second run's commits, in the WAL beside the file.
    place(home, ['opencode.db-wal']);
    // Its copies of the first run's calls come with their originals' ids (and are dropped as duplicates).
    const call = await arrival('the fork\'s call', (e) => e.event_type === 'llm_request' && !known.has(e.event_id));
    assert.equal(call.session_id, FORK);
    assert.deepEqual([call.tokens_in, call.cache_read_tokens, call.tokens_out], [FORK_CALL[0] - FORK_CALL[2], FORK_CALL[2], FORK_CALL[1]]);
    const s = (await bySession(core))[MAIN];
    assert.equal(s.requests, 5, 'the fork\'s copies added no call to the original');
    assert.equal((await bySession(core))[FORK].requests, 1);
  });
});

/**
 * OpenCode's JSON storage of versions before its database (`storage/message/<session>/<message>.json`,
 * `part/<message>/<part>.json`, `session/<project>/<session>.json`), written here from the real
 * database's rows, which hold the same objects (`data`) that those files held.
 */
async function jsonStorageFromDb(dbFile: string, storage: string): Promise<void> {
  const copy = readSqliteCopy(dbFile);
  const wasm = fs.readFileSync(sqlJsDistFile('sql-wasm.wasm'));
  const SQL = await loadPatchedSqlJs()({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
  const db = new SQL.Database(copy.bytes);
  const rows = (sql: string) => {
    const r = db.exec(sql)[0];
    return r ? r.values.map((v) => Object.fromEntries(r.columns.map((c, i) => [c, v[i]]))) : [];
  };
  const write = (file: string, o: object) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(o, null, 2));
  };
  for (const s of rows('SELECT id, project_id, parent_id, directory, title, version, time_created, time_updated FROM session')) {
    write(path.join(storage, 'session', String(s.project_id), `${s.id}.json`), {
      id: s.id, projectID: s.project_id, directory: s.directory, ...(s.parent_id ? { parentID: s.parent_id } : {}), title: s.title, version: s.version,
      time: { created: s.time_created, updated: s.time_updated },
    });
  }
  for (const m of rows('SELECT id, session_id, data FROM message')) write(path.join(storage, 'message', String(m.session_id), `${m.id}.json`), { id: m.id, sessionID: m.session_id, ...JSON.parse(String(m.data)) });
  for (const p of rows('SELECT id, message_id, session_id, data FROM part')) write(path.join(storage, 'part', String(p.message_id), `${p.id}.json`), { id: p.id, messageID: p.message_id, sessionID: p.session_id, ...JSON.parse(String(p.data)) });
  db.close();
}

describe('OpenCode\'s JSON storage (versions before the database)', () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let home: string;
  before(async () => {
    core = await openTestCore();
    const from = path.join(scratchDir(), 'db');
    place(from, ['opencode.db', 'opencode.db-wal']);
    home = path.join(scratchDir(), 'opencode');
    await jsonStorageFromDb(path.join(from, 'opencode.db'), path.join(home, 'storage'));
  });
  after(() => core.close());

  it('gives the database\'s sessions, calls and tokens; beside the database, each counts once', async () => {
    const summary = await runImport({ store: core.store, ingest: core.ingest }, { importId: 'j', claudeDirs: [], codexDirs: [], opencodeDirs: [home] });
    assert.equal(summary.skipped_lines, 0, JSON.stringify(summary.skipped));
    assert.equal(summary.files, 14, 'one file per message');
    const check = async () => {
      const all = await bySession(core);
      const s = all[MAIN];
      assert.deepEqual([s.tokens_in, s.cache_read_tokens, s.tokens_out, s.requests], [sum(RUN1, 0) - sum(RUN1, 2), sum(RUN1, 2), sum(RUN1, 1), 5]);
      assert.equal(all[FORK].requests, 1);
      const sessions = await core.store.query('sessionsByIds', { now: Date.now(), idleMs: 60_000, endMs: 3_600_000, ids: [MAIN] });
      assert.deepEqual([sessions[0]?.agent_type, sessions[0]?.project], ['opencode', '/tmp/ocprobe2/proj']);
      const { tools } = await core.store.query('toolStats', { filter: {}, bucket: 'day', tz: 'UTC' });
      assert.deepEqual(tools.map((t) => [t.tool_name, t.calls, t.errors]).sort(), [['bash', 1, 0], ['read', 1, 1], ['task', 1, 0]]);
    };
    await check();
    // The same history in a database beside it (a newer opencode copies the files into one).
    place(home, ['opencode.db', 'opencode.db-wal']);
    const both = await runImport({ store: core.store, ingest: core.ingest }, { importId: 'k', claudeDirs: [], codexDirs: [], opencodeDirs: [home] });
    assert.equal(both.events, 0, 'nothing new');
    await check();
  });
});
