import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { patchedRegions, patchSqlJs, sqlJsScriptPath } from '../../src/core/store/sqlJsRuntime';

test('the shipped sql.js takes every patch; a changed sql.js fails loudly, naming what is missing', () => {
  const file = sqlJsScriptPath();
  const src = fs.readFileSync(file, 'utf8');
  const patched = patchSqlJs(src, file);
  for (const p of ['f.amPagedFile', 'a.node.amPaged.read(b,d,c,e)', 'a.node.amPaged.write(b,d,c,e)', 'a.amPaged.truncate(b.size)']) assert.ok(patched.includes(p), p);
  assert.throws(() => patchSqlJs(src.replace('"dbfile_"+(4294967295*Math.random()>>>0)', '"db_"+Date.now()'), 'x.js'), /x\.js: sql\.js patch "paged file: constructor"/);
  assert.throws(() => patchSqlJs(src.replace('var r=B(f).node', 'var r=Q(f).node'), 'x.js'), /x\.js: sql\.js text "var r=B\(f\)\.node" not found/);
});

test('every patched region can be reviewed: the shipped text around it, and the same place patched', (t) => {
  const file = sqlJsScriptPath();
  const src = fs.readFileSync(file, 'utf8');
  const patched = patchSqlJs(src, file);
  const regions = patchedRegions(src);
  assert.deepEqual(regions.map((r) => r.name), ['paged file: constructor', 'paged file: read', 'paged file: write', 'paged file: truncate']);
  for (const r of regions) {
    assert.ok(src.includes(r.before), `${r.name}: the "before" text is the shipped text`);
    assert.ok(patched.includes(r.after), `${r.name}: the "after" text is what runs`);
    assert.notEqual(r.before, r.after);
    t.diagnostic(`${r.name}\n  before: ${r.before}\n  after:  ${r.after}`);
  }
});

