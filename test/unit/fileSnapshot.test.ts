/**
 * FileSnapshot: the in-memory database file frozen copy-on-write while the database goes on
 * changing, read out in chunks as a snapshot is. Real sql.js (patched as in the product).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import type { Database } from 'sql.js';
import { defaultWasmPath } from '../../src/core/store/database';
import { FileSnapshot } from '../../src/core/store/fileSnapshot';
import { databaseFileBytes, loadPatchedSqlJs } from '../../src/core/store/sqlJsRuntime';

async function sqlJs() {
  const wasm = fs.readFileSync(defaultWasmPath());
  return loadPatchedSqlJs()({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
}

type SqlJs = Awaited<ReturnType<typeof sqlJs>>;

async function filledDb(pragmas = '') {
  const SQL = await sqlJs();
  const db = new SQL.Database();
  db.exec(`${pragmas} PRAGMA journal_mode = MEMORY; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v)`);
  insert(db, 1, 5000);
  return { SQL, db };
}

function insert(db: Database, from: number, n: number): void {
  db.exec('BEGIN');
  const st = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  for (let i = from; i < from + n; i++) st.run([i, `row ${i} `.repeat(1 + (i % 9))]);
  st.free();
  db.exec('COMMIT');
}

const state = (db: Database) => db.exec('SELECT COUNT(*), TOTAL(id), TOTAL(LENGTH(v)) FROM t')[0].values[0];

/** Read the whole frozen file in chunks of `chunk` bytes, calling `between` after the first. */
function readAll(view: FileSnapshot, chunk: number, between: () => void): Uint8Array {
  const out = new Uint8Array(view.length);
  const buf = new Uint8Array(chunk);
  for (let off = 0; off < view.length; ) {
    const n = view.read(off, buf);
    out.set(buf.subarray(0, n), off);
    off += n;
    if (off === chunk) between();
  }
  return out;
}

function opened(SQL: SqlJs, bytes: Uint8Array) {
  const copy = new SQL.Database(bytes);
  assert.equal(copy.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
  const s = state(copy);
  copy.close();
  return s;
}

test('the frozen file is the database as it was, while updates, inserts (growing the file) and deletes go on', async () => {
  const { SQL, db } = await filledDb();
  const before = state(db);
  const view = new FileSnapshot(db);
  const bytes = readAll(view, 64 * 1024, () => {
    db.exec("UPDATE t SET v = v || 'changed'");
    insert(db, 100_000, 20_000);
    db.exec('DELETE FROM t WHERE id % 3 = 0');
  });
  view.close();
  assert.equal(bytes.length, view.length);
  assert.deepEqual(opened(SQL, bytes), before);
  assert.notDeepEqual(state(db), before, 'the live database changed');
  assert.ok(databaseFileBytes(db).length > view.length, 'and grew');
  db.close();
});

test('a file truncated while it is written out (auto-vacuum) still reads as it was', async () => {
  const { SQL, db } = await filledDb('PRAGMA auto_vacuum = FULL;');
  const before = state(db);
  const view = new FileSnapshot(db);
  const bytes = readAll(view, 16 * 1024, () => db.exec('DELETE FROM t WHERE id > 100'));
  view.close();
  assert.ok(databaseFileBytes(db).length < view.length / 4, 'the live file shrank');
  assert.deepEqual(opened(SQL, bytes), before);
  db.close();
});

test('too many changed pages abandon the snapshot; reads go forward in whole pages; close stops watching', async () => {
  const { db } = await filledDb();
  const view = new FileSnapshot(db, 16 * 1024);
  const buf = new Uint8Array(8192);
  view.read(0, buf);
  assert.throws(() => view.read(4096, buf), /forward in whole pages/);
  assert.throws(() => view.read(8193, buf), /forward in whole pages/);
  db.exec("UPDATE t SET v = v || 'x'");
  assert.throws(() => view.read(8192, buf), /changed while the snapshot was written/);
  view.close();
  assert.throws(() => view.read(8192, buf), /closed/);
  db.exec("UPDATE t SET v = v || 'y'");
  assert.equal(db.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
  db.close();
});
