/**
 * PagedFile: the database file read from its snapshot on disk, with the pages written since in
 * memory. Real sql.js, real files: what SQLite reads through it must be the database it wrote,
 * across freezes, snapshots written out, rebases, failed snapshots and truncation.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Database } from 'sql.js';
import { defaultWasmPath } from '../../src/core/store/database';
import { PAGE, PagedFile, type FrozenFile } from '../../src/core/store/pagedFile';
import { loadPatchedSqlJs, openPagedDatabase } from '../../src/core/store/sqlJsRuntime';
import { tmpDir } from '../helpers/tmp';

async function sqlJs() {
  const wasm = fs.readFileSync(defaultWasmPath());
  return loadPatchedSqlJs()({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
}

function fill(db: Database, from: number, n: number, width = 300): void {
  db.exec('BEGIN');
  const st = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  for (let i = from; i < from + n; i++) st.run([i, `${i} `.padEnd(width, String.fromCharCode(97 + (i % 26)))]);
  st.free();
  db.exec('COMMIT');
}

const summary = (db: Database) => db.exec('SELECT COUNT(*), COALESCE(SUM(id), 0), COALESCE(SUM(LENGTH(v)), 0) FROM t')[0].values[0];

/** A plain database file of table `t` with rows 1..n, and that file opened paged. */
async function pagedFrom(n: number) {
  const SQL = await sqlJs();
  const dir = tmpDir();
  const seed = new SQL.Database();
  seed.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  fill(seed, 1, n);
  const dbFile = path.join(dir, 'base.db');
  fs.writeFileSync(dbFile, seed.export());
  seed.close();
  const file = PagedFile.open(dbFile);
  return { SQL, dir, dbFile, file, db: openPagedDatabase(SQL, file) };
}

/** Write what `frozen` holds to `file`, as a snapshot does. */
function writeOut(frozen: FrozenFile, file: string): void {
  const out = Buffer.alloc(frozen.size);
  for (let pos = 0; pos < frozen.size; ) pos += frozen.read(pos, out.subarray(pos, Math.min(frozen.size, pos + (1 << 20))));
  fs.writeFileSync(file, out);
}

test('a paged database reads what it wrote, through freezes, snapshots written out and rebases', async () => {
  const SQL = await sqlJs();
  const dir = tmpDir();
  const file = PagedFile.fromBytes();
  const db = openPagedDatabase(SQL, file);
  db.exec('PRAGMA journal_mode = MEMORY; PRAGMA cache_size = -64; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v)');
  fill(db, 1, 3000);
  assert.equal(file.size % PAGE, 0);
  assert.equal(file.memoryBytes, file.size, 'a new database is all in memory until its first snapshot');

  const first = file.freeze();
  fill(db, 3001, 2000); // written while the snapshot is being written out
  writeOut(first, path.join(dir, 'one.db'));
  const plain = new SQL.Database(fs.readFileSync(path.join(dir, 'one.db')));
  assert.deepEqual(summary(plain), [3000, (3000 * 3001) / 2, 3000 * 300], 'the snapshot is the database as frozen, not what came after');
  assert.equal(plain.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
  plain.close();

  file.rebase(first, path.join(dir, 'one.db'));
  assert.ok(file.memoryBytes < file.size / 2, `after the rebase only the pages written since stay in memory: ${file.memoryBytes} of ${file.size}`);
  assert.deepEqual(summary(db), [5000, (5000 * 5001) / 2, 5000 * 300]);
  assert.equal(db.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');

  const second = file.freeze();
  writeOut(second, path.join(dir, 'two.db'));
  file.rebase(second, path.join(dir, 'two.db'));
  assert.equal(file.memoryBytes, 0, 'nothing written since the second snapshot');
  fs.rmSync(path.join(dir, 'one.db')); // the old base is closed and no longer needed
  assert.deepEqual(summary(db), [5000, (5000 * 5001) / 2, 5000 * 300]);
  db.close();
  file.close();
});

test('a failed snapshot thaws: no write is lost, and the next snapshot holds everything', async () => {
  const { SQL, dir, file, db } = await pagedFrom(2000);
  db.exec('PRAGMA journal_mode = MEMORY');
  const failed = file.freeze();
  db.exec('BEGIN; DELETE FROM t WHERE id <= 1000; COMMIT');
  fill(db, 5001, 500);
  file.thaw(failed);
  assert.throws(() => failed.read(0, new Uint8Array(PAGE)), /already written out or thawed/);
  const next = file.freeze();
  writeOut(next, path.join(dir, 'next.db'));
  const plain = new SQL.Database(fs.readFileSync(path.join(dir, 'next.db')));
  assert.deepEqual(summary(plain), summary(db));
  assert.deepEqual(summary(plain), [1500, (2000 * 2001) / 2 - (1000 * 1001) / 2 + 500 * 5001 + (499 * 500) / 2, 1500 * 300]);
  plain.close();
  db.close();
  file.close();
});

test('truncation: VACUUM shrinks the file, bytes past the cut read as zeros even where the base file has data', async () => {
  const { SQL, dir, dbFile, file, db } = await pagedFrom(4000);
  const baseSize = fs.statSync(dbFile).size;
  db.exec('PRAGMA journal_mode = MEMORY; PRAGMA temp_store = MEMORY');
  db.exec('DELETE FROM t WHERE id > 100; VACUUM');
  assert.ok(file.size < baseSize / 10, `VACUUM truncated the file: ${baseSize} -> ${file.size}`);
  const raw = new Uint8Array(PAGE);
  assert.equal(file.read(raw, 0, PAGE, file.size), 0, 'nothing past the end');
  file.truncate(file.size + 2 * PAGE); // grown again without writing: the old base bytes must not show
  assert.equal(file.read(raw, 0, PAGE, file.size - PAGE), PAGE);
  assert.ok(raw.every((b) => b === 0), 'bytes past a truncation read as zeros');
  file.truncate(file.size - 2 * PAGE);
  assert.deepEqual(summary(db), [100, 5050, 100 * 300]);
  const frozen = file.freeze();
  writeOut(frozen, path.join(dir, 'small.db'));
  const plain = new SQL.Database(fs.readFileSync(path.join(dir, 'small.db')));
  assert.equal(plain.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
  assert.deepEqual(summary(plain), [100, 5050, 100 * 300]);
  plain.close();
  db.close();
  file.close();
});

test('a base file damaged under a running database is an I/O error, never pages of zeros', async () => {
  const { dbFile, file, db } = await pagedFrom(3000);
  db.exec('PRAGMA cache_size = -64');
  assert.deepEqual(summary(db), [3000, (3000 * 3001) / 2, 3000 * 300]);
  fs.truncateSync(dbFile, 8 * PAGE);
  assert.equal(file.read(new Uint8Array(PAGE), 0, PAGE, 8 * PAGE), -1, 'a page the file no longer has is an I/O error');
  // SQLite turns EIO into SQLITE_IOERR_CORRUPTFS, reported as a damaged database.
  assert.throws(() => summary(db), /disk I\/O error|malformed/);
  db.close();
  file.close();
});
