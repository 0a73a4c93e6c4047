import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { databaseFileBytes, loadPatchedSqlJs, MAX_RESERVED_BYTES, patchedRegions, patchSqlJs, reserveDatabaseFile, sqlJsScriptPath } from '../../src/core/store/sqlJsRuntime';
import { defaultWasmPath } from '../../src/core/store/database';

async function sqlJs() {
  const wasm = fs.readFileSync(defaultWasmPath());
  return loadPatchedSqlJs()({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
}

/** A database with one table `t`, and `fill(from, n)` to insert rows `from..from+n-1` in one transaction. */
async function tableDb(value: (i: number) => string) {
  const SQL = await sqlJs();
  const db = new SQL.Database();
  db.exec('PRAGMA journal_mode = MEMORY; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v)');
  const fill = (from: number, n: number) => {
    db.exec('BEGIN');
    const st = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    for (let i = from; i < from + n; i++) st.run([i, value(i)]);
    st.free();
    db.exec('COMMIT');
  };
  return { SQL, db, fill };
}

test('the shipped sql.js takes every patch; a changed sql.js fails loudly, naming what is missing', () => {
  const file = sqlJsScriptPath();
  const src = fs.readFileSync(file, 'utf8');
  const patched = patchSqlJs(src, file);
  for (const p of ['m*2>>>0', 'g.prototype.fileBytes=', 'g.prototype.reserveFile=', 'g.prototype.setFileWriteHook=', 'a.amBeforeWrite(e,c)', 'a.amBeforeWrite(b,a.Wa-b)']) assert.ok(patched.includes(p), p);
  assert.throws(() => patchSqlJs(src.replace('m*(m<1048576?2:1.125)>>>0', 'm*1.5>>>0'), 'x.js'), /x\.js: sql\.js patch "file growth"/);
  assert.throws(() => patchSqlJs(src.replace('var r=B(f).node', 'var r=Q(f).node'), 'x.js'), /x\.js: sql\.js text "var r=B\(f\)\.node" not found/);
});

test('every patched region can be reviewed: the shipped text around it, and the same place patched', (t) => {
  const file = sqlJsScriptPath();
  const src = fs.readFileSync(file, 'utf8');
  const patched = patchSqlJs(src, file);
  const regions = patchedRegions(src);
  assert.deepEqual(regions.map((r) => r.name), ['file growth', 'file methods', 'write hook', 'truncate hook']);
  for (const r of regions) {
    assert.ok(src.includes(r.before), `${r.name}: the "before" text is the shipped text`);
    assert.ok(patched.includes(r.after), `${r.name}: the "after" text is what runs`);
    assert.notEqual(r.before, r.after);
    t.diagnostic(`${r.name}\n  before: ${r.before}\n  after:  ${r.after}`);
  }
});

test('fileBytes is the committed database: it opens with the same rows as export(), and follows growth', async () => {
  const { SQL, db, fill } = await tableDb((i) => `value ${i} `.repeat(1 + (i % 7)));
  const rows = (bytes: Uint8Array) => {
    const copy = new SQL.Database(bytes);
    try {
      assert.equal(copy.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
      return copy.exec('SELECT COUNT(*), SUM(id), SUM(LENGTH(v)) FROM t')[0].values[0];
    } finally {
      copy.close();
    }
  };
  fill(1, 10);
  const small = databaseFileBytes(db);
  assert.deepEqual(rows(small.slice()), rows(db.export()));
  fill(11, 20_000);
  const big = databaseFileBytes(db);
  assert.ok(big.length > 1_000_000 && big.length > small.length * 100, `the file grew: ${small.length} -> ${big.length}`);
  assert.deepEqual(rows(big.slice()), [20_010, (20_010 * 20_011) / 2, rows(db.export())[2]]);
  assert.equal(big.length % 4096, 0);
  db.exec('BEGIN; DELETE FROM t');
  assert.throws(() => db.exec('BEGIN IMMEDIATE; COMMIT'), /within a transaction/, 'what writeSnapshot relies on to refuse a file inside a transaction');
  db.exec('ROLLBACK');
  db.close();
  assert.throws(() => databaseFileBytes(db), /Database closed/);
  const empty = new SQL.Database();
  assert.equal(databaseFileBytes(empty).length, 0, 'a database never written has an empty file');
  empty.close();
});

test('reserveDatabaseFile gives the file room once: later writes stay in the same buffer, and the rows are intact', async () => {
  const { db, fill } = await tableDb(() => 'x'.repeat(200));
  fill(1, 100);
  const before = databaseFileBytes(db);
  let next = 1000;
  const grown = () => {
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 20; i++, next += 1000) {
      fill(next, 1000);
      buffers.add(databaseFileBytes(db).buffer);
    }
    return buffers.size;
  };
  assert.ok(grown() > 1, 'without a reservation the file is copied to grow');
  const size = databaseFileBytes(db).length;
  reserveDatabaseFile(db, size + 32 * 1024 * 1024);
  const reserved = databaseFileBytes(db);
  assert.equal(reserved.length, size, 'reserving changes no content');
  assert.equal(reserved.buffer.byteLength, size + 32 * 1024 * 1024);
  assert.equal(grown(), 1, 'with room reserved, the same buffer holds every later write');
  assert.deepEqual(db.exec('SELECT COUNT(*), SUM(LENGTH(v)) FROM t')[0].values[0], [40_100, 40_100 * 200]);
  assert.equal(db.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
  reserveDatabaseFile(db, 1024);
  assert.equal(databaseFileBytes(db).buffer.byteLength, size + 32 * 1024 * 1024, 'a smaller reservation leaves the file alone');
  assert.ok(MAX_RESERVED_BYTES >= 512 * 1024 * 1024);
  assert.ok(before.length < size);
  db.close();
});
