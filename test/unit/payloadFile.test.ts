import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PayloadFile } from '../../src/core/store/payloadFile';
import { tmpDir } from '../helpers/tmp';

describe('PayloadFile', () => {
  it('reads back payloads of the batch being written, then from disk after flush, UTF-8 intact', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    const p = new PayloadFile(file);
    const a = p.add('{"a":"été"}');
    const b = p.add('{"b":2}');
    assert.equal(b.off, a.off + a.len);
    assert.equal(p.read(b.off, b.len), '{"b":2}');
    assert.equal(p.read(a.off, a.len), '{"a":"été"}');
    assert.equal(fs.statSync(file).size, 0, 'nothing written before flush');
    p.flush();
    assert.equal(fs.statSync(file).size, a.len + b.len);
    assert.equal(p.read(a.off, a.len), '{"a":"été"}');
    const c = p.add('{"c":3}');
    assert.equal(c.off, a.len + b.len);
    assert.equal(p.read(c.off, c.len), '{"c":3}');
    p.close();
    const again = new PayloadFile(file);
    assert.equal(again.read(c.off, c.len), '{"c":3}', 'close flushes');
    again.close();
  });

  it('a discarded batch reads as null and its offsets are reused', () => {
    const p = new PayloadFile(path.join(tmpDir(), 'x.payloads'));
    p.add('{"kept":1}');
    p.flush();
    const gone = p.add('{"gone":1}');
    p.discard();
    assert.equal(p.read(gone.off, gone.len), null);
    const next = p.add('{"next":1}');
    assert.equal(next.off, gone.off);
    assert.equal(p.read(next.off, next.len), '{"next":1}');
    assert.equal(p.read(next.off, next.len + 5), null, 'a length that does not match the payload');
    p.close();
  });

  it('each of many reads from one unflushed batch returns its own payload', () => {
    const p = new PayloadFile(path.join(tmpDir(), 'x.payloads'));
    const refs = Array.from({ length: 20_000 }, (_, i) => p.add(JSON.stringify({ i })));
    refs.forEach((r, i) => assert.equal(p.read(r.off, r.len), JSON.stringify({ i })));
    p.close();
  });

  it('dropLast takes back only the latest unflushed payload, so a skipped row leaves no bytes behind', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    const p = new PayloadFile(file);
    const a = p.add('{"a":1}');
    const b = p.add('{"b":22}');
    p.dropLast(a);
    p.dropLast(b);
    const c = p.add('{"c":333}');
    assert.equal(c.off, b.off, 'the next payload reuses the dropped one\'s offset');
    p.flush();
    assert.equal(fs.readFileSync(file, 'utf8'), '{"a":1}{"c":333}');
    assert.equal(p.read(c.off, c.len), '{"c":333}');
    p.dropLast(c);
    assert.equal(p.read(c.off, c.len), '{"c":333}', 'a flushed payload stays');
    p.close();
  });
});
