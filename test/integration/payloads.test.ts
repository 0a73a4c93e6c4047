/**
 * The payload file (event metadata outside SQLite): damage never shows an event another event's
 * metadata, and a full disk never shifts later metadata onto a neighbour's bytes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { EventsPage } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';
import { toRecord } from '../../src/core/ingest/normalize';
import { defaultWasmPath, openDatabase, writeSnapshot } from '../../src/core/store/database';
import { insertBatch } from '../../src/core/store/insert';
import { BLOCK_HEADER, FILE_HEADER } from '../../src/core/store/payloadRecord';
import type { EventRecord } from '../../src/core/store/records';
import { loadConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { openCore } from '../../src/core/runtime';
import { spawnServe } from '../helpers/serveProcess';
import { crashCopy, tmpDir } from '../helpers/tmp';

/** About 400 bytes that deflate poorly (a block of them must not fit in the freed page below). */
const text = (tag: string, i: number) => `${tag}-${i}-` + range(0, 5).map((k) => createHash('sha512').update(`${tag}-${i}-${k}`).digest('base64')).join('');

function records(tag: string, ids: number[]): EventRecord[] {
  return ids.map((id) => {
    const r = toRecord({ session_id: `s-${tag}`, agent_type: 'claude-code', event_type: 'user_prompt', metadata: { tag, id, text: text(tag, id) } }, 'api', 32 * 1024);
    r.id = id;
    return r;
  });
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

async function getEvents(url: string): Promise<StoredEvent[]> {
  const r = await fetch(`${url}/api/events?limit=1000`);
  assert.equal(r.status, 200);
  return ((await r.json()) as EventsPage).events;
}

/** `n` events, one request each: each request's batch writes a payload block of its own. */
async function postEvents(url: string, tag: string, n: number): Promise<void> {
  for (const i of range(0, n)) {
    const event = { session_id: 's', agent_type: 'claude-code', event_type: 'user_prompt', metadata: { tag, i } };
    const r = await fetch(`${url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    assert.equal(r.status, 201);
  }
}

/** Where each block of a payload file starts (`payloadRecord.ts`). */
function blockStarts(file: string): number[] {
  const bytes = fs.readFileSync(file);
  const out: number[] = [];
  for (let at = FILE_HEADER.length; at + BLOCK_HEADER <= bytes.length; at += BLOCK_HEADER + bytes.readUInt32LE(at + 4)) out.push(at);
  return out;
}

describe('payload file', () => {
  test('a cut and garbled payload file: a start says how many events lost their metadata; those read as missing, never as another event\'s', async () => {
    const dbPath = path.join(tmpDir(), 'am.db');
    const p = await spawnServe(dbPath);
    await postEvents(p.url, 'old', 20);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);

    // Each batch is a block of its own: cut the last three and garble one byte of the tenth.
    const file = `${dbPath}.payloads`;
    const blocks = blockStarts(file);
    assert.equal(blocks.length, 20);
    fs.truncateSync(file, blocks[17] + 5);
    const fd = fs.openSync(file, 'r+');
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, blocks[9] + BLOCK_HEADER + 2);
    byte[0] ^= 0x5a;
    fs.writeSync(fd, byte, 0, 1, blocks[9] + BLOCK_HEADER + 2);
    fs.closeSync(fd);

    const p2 = await spawnServe(dbPath);
    assert.equal(p2.output().match(/payload file/g)?.length, 1, p2.output());
    assert.match(p2.output(), /the metadata of 3 events is missing/);
    // New records now land where the cut ones were: the old rows must not read them.
    await postEvents(p2.url, 'new', 20);
    const events = await getEvents(p2.url);
    p2.child.kill('SIGTERM');
    await p2.exited;
    const old = events.filter((e) => e.session_id === 's' && e.id <= 20).sort((a, b) => a.id - b.id);
    assert.equal(old.length, 20);
    old.forEach((e, i) => {
      if (i === 9 || i >= 17) {
        assert.equal(e.metadata, null, `event ${i}`);
        assert.equal(e.payload_missing, true, `event ${i}`);
      } else {
        assert.deepEqual(e.metadata, { tag: 'old', i }, `event ${i}`);
        assert.equal(e.payload_missing, undefined);
      }
    });
    const fresh = events.filter((e) => e.id > 20).sort((a, b) => a.id - b.id);
    assert.deepEqual(fresh.map((e) => e.metadata), range(0, 20).map((i) => ({ tag: 'new', i })));
  });

  test('a crash after the clear query but before its snapshot: the old snapshot still finds all its metadata', async () => {
    const dbPath = path.join(tmpDir(), 'am.db');
    const open = (p: string) => openCore({ config: loadConfig({}, { dbPath: p, snapshotIntervalS: 3600 }), log: silentLogger });
    const core = await open(dbPath);
    await core.ingest.ingest(range(0, 10).map((i) => ({ session_id: 's', agent_type: 'claude-code', event_type: 'user_prompt', metadata: { i } })));
    await core.store.snapshot();
    await core.store.query('clearAll', {});
    const copy = crashCopy(dbPath);
    await core.close();
    const again = await open(copy);
    const page = await again.store.query('listEvents', { filter: {}, limit: 100 });
    await again.close();
    assert.deepEqual(page.events.map((e) => e.metadata).reverse(), range(0, 10).map((i) => ({ i })));
  });

  test('disk full: a failed batch leaves nothing, and metadata written after space returns stays each event\'s own', async (t) => {
    const mnt = tmpDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (e) {
      t.skip(`mounting a small tmpfs is not permitted here (${(e as Error).message.split('\n')[0]})`);
      return;
    }
    after(() => execFileSync('umount', ['-l', mnt]));
    const dbPath = path.join(mnt, 'am.db');
    const { state } = await openDatabase(dbPath, defaultWasmPath());
    const db = state.db;
    insertBatch(db, records('a', range(1, 20)));

    // Fill the file system, then free one page: the next batch's payloads fit only in part.
    const filler = path.join(mnt, 'filler');
    const fd = fs.openSync(filler, 'w');
    const chunk = Buffer.alloc(4096, 1);
    for (;;) {
      try {
        fs.writeSync(fd, chunk);
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
        break;
      }
    }
    fs.ftruncateSync(fd, fs.fstatSync(fd).size - 4096);
    fs.closeSync(fd);
    assert.throws(() => insertBatch(db, records('b', range(21, 30))), { code: 'ENOSPC' });
    assert.equal(db.get<{ n: number }>('SELECT COUNT(*) AS n FROM events')!.n, 20, 'the failed batch inserted no rows');

    fs.rmSync(filler);
    insertBatch(db, records('c', range(51, 30)));
    insertBatch(db, records('b', range(21, 30)));
    const check = () => {
      const rows = db.all<{ id: number; m: string | null; session_id: string }>('SELECT id, payload(payload_off, payload_len, id) AS m, session_id FROM events ORDER BY id');
      assert.equal(rows.length, 80);
      for (const r of rows) {
        const tag = r.id <= 20 ? 'a' : r.id <= 50 ? 'b' : 'c';
        assert.deepEqual(JSON.parse(r.m ?? 'null'), { tag, id: r.id, text: text(tag, r.id) }, `event ${r.id}`);
        // The failed batch's new session number was rolled back with it: never reused for another session.
        assert.equal(r.session_id, `s-${tag}`, `event ${r.id}'s session`);
      }
    };
    check();
    await writeSnapshot(state, 1);
    db.payloads.close();
    db.raw.close();
    const reopened = await openDatabase(dbPath, defaultWasmPath());
    const rows = reopened.state.db.all<{ id: number; m: string | null }>('SELECT id, payload(payload_off, payload_len, id) AS m FROM events ORDER BY id');
    assert.equal(rows.filter((r) => r.m && (JSON.parse(r.m) as { id: number }).id === r.id).length, 80, 'after a reopen too');
    reopened.state.db.payloads.close();
    reopened.state.db.raw.close();
  });
});

describe('payload file compaction', () => {
  const open = (p: string) => openCore({ config: loadConfig({}, { dbPath: p, snapshotIntervalS: 3600 }), log: silentLogger });
  const tool = (i: number, status: 'running' | 'success') => ({
    event_id: `call-${i}`, session_id: 's', agent_type: 'claude-code', event_type: 'tool_use' as const, tool_name: 'Bash', status,
    metadata: status === 'running' ? { i, input: 'y'.repeat(300) } : { output: `done ${i}` },
  });
  async function metadataOf(dbPath: string): Promise<unknown[]> {
    const core = await open(dbPath);
    try {
      return (await core.store.query('listEvents', { filter: {}, limit: 1000 })).events.map((e) => e.metadata).reverse();
    } finally {
      await core.close();
    }
  }
  const expected = range(0, 40).map((i) => ({ i, input: 'y'.repeat(300), output: `done ${i}` }));

  test('copies the live records into a new file; every snapshot on disk keeps a file its rows point into until none refers to it', async () => {
    const dbPath = path.join(tmpDir(), 'am.db');
    const core = await open(dbPath);
    await core.ingest.ingest(range(0, 40).map((i) => tool(i, 'running')));
    await core.store.snapshot();
    await core.ingest.ingest(range(0, 40).map((i) => tool(i, 'success'))); // each completion supersedes a record
    const before = fs.statSync(`${dbPath}.payloads`).size;

    const res = await core.store.compactPayloads(true);
    assert.equal(res.compacted, true);
    assert.equal(res.damaged, 0);
    assert.ok(res.bytesAfter < before * 0.6, `${res.bytesAfter} of ${before}`);
    assert.equal(fs.statSync(`${dbPath}.payloads-1`).size, res.bytesAfter);
    const crashes = [crashCopy(dbPath)]; // `<db>` still names the old file
    await core.store.snapshot();
    assert.ok(fs.existsSync(`${dbPath}.payloads`), '`<db>.bak` still refers to the old file');
    crashes.push(crashCopy(dbPath));
    fs.copyFileSync(`${crashes[1]}.bak`, crashes[1]); // a start that must fall back to the backup
    await core.ingest.ingest([{ session_id: 's2', agent_type: 'codex', event_type: 'user_prompt' }]);
    await core.store.snapshot();
    assert.ok(!fs.existsSync(`${dbPath}.payloads`), 'no snapshot refers to the old file any more');
    await core.close();

    assert.deepEqual((await metadataOf(dbPath)).slice(0, 40), expected);
    for (const copy of crashes) assert.deepEqual((await metadataOf(copy)).slice(0, 40), expected, copy);
  });

  test('a database whose payload file predates the framing keeps its metadata and is migrated by the next compaction', async () => {
    const dbPath = path.join(tmpDir(), 'am.db');
    const core = await open(dbPath);
    await core.ingest.ingest(range(0, 40).map((i) => tool(i, 'running')));
    await core.ingest.ingest(range(0, 40).map((i) => tool(i, 'success')));
    await core.close();
    // Rewrite it as an older version left it: raw JSON back to back, no `meta.payload_bytes`.
    const { state } = await openDatabase(dbPath, defaultWasmPath());
    let legacy = '';
    const rows = state.db.all<{ id: number; m: string }>('SELECT id, payload(payload_off, payload_len, id) AS m FROM events ORDER BY id');
    for (const r of rows) {
      state.db.run('UPDATE event_rows SET payload_off = ?, payload_len = ? WHERE id = ?', [Buffer.byteLength(legacy), Buffer.byteLength(r.m), r.id]);
      legacy += r.m;
    }
    state.db.run("DELETE FROM meta WHERE key IN ('payload_bytes', 'payload_file')");
    state.db.payloads.close();
    fs.writeFileSync(dbPath, state.db.raw.export());
    state.db.raw.close();
    for (const f of fs.readdirSync(path.dirname(dbPath))) if (f.startsWith('am.db.payloads') || f.startsWith('am.db.journal') || f.endsWith('.sum')) fs.rmSync(path.join(path.dirname(dbPath), f));
    fs.writeFileSync(`${dbPath}.payloads`, legacy);

    assert.deepEqual(await metadataOf(dbPath), expected, 'read as it is');
    const again = await open(dbPath);
    assert.equal((await again.store.compactPayloads(false)).compacted, false, 'no compaction unasked: it would hold the store');
    const res = await again.store.compactPayloads(true);
    assert.equal(res.compacted, true);
    await again.close();
    assert.ok(fs.readFileSync(`${dbPath}.payloads-1`).subarray(0, 7).equals(Buffer.from('AMPAYLD')));
    assert.deepEqual(await metadataOf(dbPath), expected, 'after the migration');
  });
});
