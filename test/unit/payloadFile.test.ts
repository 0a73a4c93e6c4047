import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PayloadFile } from '../../src/core/store/payloadFile';
import { FILE_HEADER, RECORD_HEADER } from '../../src/core/store/payloadRecord';
import { tmpDir } from '../helpers/tmp';

const H = FILE_HEADER.length;

describe('PayloadFile', () => {
  it('reads back payloads of the batch being written, then from disk after flush, UTF-8 intact', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    const p = new PayloadFile(file);
    const a = p.add('{"a":"été"}', 1);
    const b = p.add('{"b":2}', 2);
    assert.equal(b.off, a.off + RECORD_HEADER + a.len);
    assert.equal(p.read(b.off, b.len, 2), '{"b":2}');
    assert.equal(p.read(a.off, a.len, 1), '{"a":"été"}');
    assert.equal(fs.statSync(file).size, H, 'nothing but the file header before flush');
    p.flush();
    assert.equal(fs.statSync(file).size, H + 2 * RECORD_HEADER + a.len + b.len);
    assert.equal(p.read(a.off, a.len, 1), '{"a":"été"}');
    const c = p.add('{"c":3}', 3);
    assert.equal(c.off, fs.statSync(file).size);
    assert.equal(p.read(c.off, c.len, 3), '{"c":3}');
    p.close();
    const again = new PayloadFile(file);
    assert.equal(again.read(c.off, c.len, 3), '{"c":3}', 'close flushes');
    again.close();
  });

  it('a discarded batch reads as null and its offsets are reused', () => {
    const p = new PayloadFile(path.join(tmpDir(), 'x.payloads'));
    p.add('{"kept":1}', 1);
    p.flush();
    const gone = p.add('{"gone":1}', 2);
    p.discard();
    assert.equal(p.read(gone.off, gone.len, 2), null);
    const next = p.add('{"next":1}', 3);
    assert.equal(next.off, gone.off);
    assert.equal(p.read(next.off, next.len, 3), '{"next":1}');
    assert.equal(p.read(next.off, next.len + 5, 3), null, 'a length that does not match the payload');
    p.close();
  });

  it('each of many reads from one unflushed batch returns its own payload', () => {
    const p = new PayloadFile(path.join(tmpDir(), 'x.payloads'));
    const refs = Array.from({ length: 20_000 }, (_, i) => p.add(JSON.stringify({ i }), i));
    refs.forEach((r, i) => assert.equal(p.read(r.off, r.len, i), JSON.stringify({ i })));
    p.close();
  });

  it('a record is read only by its own row: another id, a garbled byte or a cut file read as missing', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    const p = new PayloadFile(file);
    // Same length on purpose: framing by length alone would take one for the other.
    const refs = Array.from({ length: 4 }, (_, i) => p.add(`{"i":${i}}`, 100 + i));
    p.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from('X'), 0, 1, refs[1].off + RECORD_HEADER + 2);
    fs.ftruncateSync(fd, refs[3].off + RECORD_HEADER + 3);
    fs.closeSync(fd);
    const q = new PayloadFile(file);
    assert.equal(q.read(refs[0].off, refs[0].len, 100), '{"i":0}');
    assert.equal(q.read(refs[0].off, refs[0].len, 101), null, 'another row pointing at the same bytes');
    assert.equal(q.read(refs[1].off, refs[1].len, 101), null, 'a garbled body');
    assert.equal(q.read(refs[2].off, refs[2].len, 102), '{"i":2}');
    assert.equal(q.read(refs[3].off, refs[3].len, 103), null, 'a cut record');
    // After the cut, new records land where old rows still point: those rows must not read them.
    const fresh = q.add('{"i":9}', 200);
    q.flush();
    assert.equal(fresh.off, refs[3].off + RECORD_HEADER + 3);
    q.close();
    fs.truncateSync(file, refs[3].off);
    const r = new PayloadFile(file);
    const same = r.add('{"i":7}', 555);
    r.flush();
    assert.equal(same.off, refs[3].off);
    assert.equal(r.read(refs[3].off, refs[3].len, 103), null, 'the old row finds a record of the same length at its offset, not its own');
    assert.equal(r.read(same.off, same.len, 555), '{"i":7}');
    r.close();
  });

  it('a file written before the framing is read and appended to as it is', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    fs.writeFileSync(file, '{"a":1}{"b":"é"}');
    const p = new PayloadFile(file);
    assert.equal(p.read(0, 7, 1), '{"a":1}');
    assert.equal(p.read(7, 10, 2), '{"b":"é"}');
    const c = p.add('{"c":3}', 3);
    assert.equal(c.off, 17);
    assert.equal(p.read(c.off, c.len, 3), '{"c":3}');
    p.close();
    assert.equal(fs.readFileSync(file, 'utf8'), '{"a":1}{"b":"é"}{"c":3}');
  });
});
