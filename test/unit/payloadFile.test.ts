import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PayloadFile } from '../../src/core/store/payloadFile';
import { BLOCK_HEADER, blockOf, FILE_HEADER, frame, RECORD_HEADER } from '../../src/core/store/payloadRecord';
import { tmpDir } from '../helpers/tmp';

const H = FILE_HEADER.length;

/** A tool call's metadata, as alike and as different as a real session's are. */
const meta = (i: number) => JSON.stringify({ tool_input: { file_path: `src/module${i % 50}/file${i}.ts`, old_string: `value${i}`, new_string: `next${i}` }, tool_response: 'ok' });

describe('PayloadFile', () => {
  it('reads back payloads of the batch being written, then from disk after flush and reopen, UTF-8 intact', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    const p = new PayloadFile(file);
    const a = p.add('{"a":"été"}', 1);
    const b = p.add('{"b":2}', 2);
    assert.equal(blockOf(b.off).at, blockOf(a.off).at, 'one block');
    assert.equal(p.read(b.off, b.len, 2), '{"b":2}');
    assert.equal(p.read(a.off, a.len, 1), '{"a":"été"}');
    assert.equal(fs.statSync(file).size, H, 'nothing but the file header before flush');
    p.flush();
    assert.ok(fs.statSync(file).size > H);
    assert.equal(p.read(a.off, a.len, 1), '{"a":"été"}');
    const c = p.add('{"c":3}', 3);
    assert.equal(blockOf(c.off).at, fs.statSync(file).size, 'the next block starts at the end of the file');
    assert.equal(p.read(c.off, c.len, 3), '{"c":3}');
    p.close();
    const again = new PayloadFile(file);
    assert.equal(again.read(c.off, c.len, 3), '{"c":3}', 'close flushes');
    assert.equal(again.read(b.off, b.len, 2), '{"b":2}');
    again.close();
  });

  it('gathers records into deflated blocks: similar metadata takes a fraction of its size', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    const p = new PayloadFile(file);
    let raw = 0;
    const refs = Array.from({ length: 5000 }, (_, i) => {
      const r = p.add(meta(i), i + 1);
      raw += RECORD_HEADER + r.len;
      return r;
    });
    p.close();
    const size = fs.statSync(file).size - H;
    assert.ok(size < raw * 0.35, `${size} bytes on disk for ${raw} bytes of records`);
    assert.ok(new Set(refs.map((r) => blockOf(r.off).at)).size > 10, 'a bounded block size: many blocks');
    const q = new PayloadFile(file);
    refs.forEach((r, i) => assert.equal(q.read(r.off, r.len, i + 1), meta(i)));
    // Out of order too (no reliance on the last block read).
    for (let i = refs.length - 1; i >= 0; i -= 7) assert.equal(q.read(refs[i].off, refs[i].len, i + 1), meta(i));
    q.close();
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

  it('each of many reads from one unflushed batch returns its own payload (blocks closed in the batch and the open one)', () => {
    const p = new PayloadFile(path.join(tmpDir(), 'x.payloads'));
    const refs = Array.from({ length: 20_000 }, (_, i) => p.add(JSON.stringify({ i }), i));
    refs.forEach((r, i) => assert.equal(p.read(r.off, r.len, i), JSON.stringify({ i })));
    p.close();
  });

  it('a record larger than a block gets a block of its own', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    const p = new PayloadFile(file);
    const small = p.add('{"s":1}', 1);
    const big = JSON.stringify({ text: 'x'.repeat(200_000) + 'é' });
    const b = p.add(big, 2);
    const after = p.add('{"s":3}', 3);
    assert.notEqual(blockOf(b.off).at, blockOf(small.off).at);
    assert.notEqual(blockOf(after.off).at, blockOf(b.off).at);
    p.close();
    const q = new PayloadFile(file);
    assert.equal(q.read(b.off, b.len, 2), big);
    assert.equal(q.read(small.off, small.len, 1), '{"s":1}');
    assert.equal(q.read(after.off, after.len, 3), '{"s":3}');
    q.close();
  });

  it('a record is read only by its own row: another id, a garbled byte or a cut file read as missing, other blocks intact', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    const p = new PayloadFile(file);
    const refs = Array.from({ length: 3000 }, (_, i) => p.add(meta(i), 100 + i));
    p.close();
    const blocks = [...new Set(refs.map((r) => blockOf(r.off).at))].sort((x, y) => x - y);
    assert.ok(blocks.length >= 4);
    const inBlock = (k: number) => refs.map((r, i) => ({ r, i })).filter(({ r }) => blockOf(r.off).at === blocks[k]);
    const fd = fs.openSync(file, 'r+');
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, blocks[1] + BLOCK_HEADER + 20);
    byte[0] ^= 0x5a;
    fs.writeSync(fd, byte, 0, 1, blocks[1] + BLOCK_HEADER + 20);
    fs.ftruncateSync(fd, blocks[3] + BLOCK_HEADER + 10);
    fs.closeSync(fd);
    const q = new PayloadFile(file);
    for (const { r, i } of inBlock(0)) assert.equal(q.read(r.off, r.len, 100 + i), meta(i));
    const first = inBlock(0)[0];
    assert.equal(q.read(first.r.off, first.r.len, 99), null, 'another row pointing at the same record');
    for (const { r, i } of inBlock(1)) assert.equal(q.read(r.off, r.len, 100 + i), null, 'a garbled block');
    for (const { r, i } of inBlock(2)) assert.equal(q.read(r.off, r.len, 100 + i), meta(i));
    for (const { r, i } of inBlock(3)) assert.equal(q.read(r.off, r.len, 100 + i), null, 'a cut block');
    // After the cut, new records land where old rows still point: those rows must not read them.
    const fresh = Array.from({ length: 200 }, (_, i) => q.add(meta(i), 9000 + i));
    q.flush();
    assert.equal(blockOf(fresh[0].off).at, blocks[3] + BLOCK_HEADER + 10);
    q.close();
    fs.truncateSync(file, blocks[3]);
    const r = new PayloadFile(file);
    const same = Array.from({ length: 200 }, (_, i) => r.add(meta(i), 5000 + i));
    r.flush();
    assert.equal(blockOf(same[0].off).at, blocks[3]);
    for (const { r: ref, i } of inBlock(3)) assert.equal(r.read(ref.off, ref.len, 100 + i), null, 'old rows find a block at their offset, not their records');
    same.forEach((ref, i) => assert.equal(r.read(ref.off, ref.len, 5000 + i), meta(i)));
    r.close();
  });

  it('plain records of a file written before the blocks are read, and new ones are added in blocks', () => {
    const file = path.join(tmpDir(), 'x.payloads');
    const bodies = ['{"a":1}', '{"b":"é"}'];
    const parts: Buffer[] = [FILE_HEADER];
    const offs: number[] = [];
    let off = H;
    bodies.forEach((b, i) => {
      const body = Buffer.from(b);
      const rec = Buffer.alloc(RECORD_HEADER + body.length);
      body.copy(rec, RECORD_HEADER);
      frame(rec, 0, body.length, i + 1);
      parts.push(rec);
      offs.push(off);
      off += rec.length;
    });
    fs.writeFileSync(file, Buffer.concat(parts));
    const p = new PayloadFile(file);
    assert.equal(p.read(offs[0], Buffer.byteLength(bodies[0]), 1), bodies[0]);
    assert.equal(p.read(offs[1], Buffer.byteLength(bodies[1]), 2), bodies[1]);
    assert.equal(p.read(offs[1], Buffer.byteLength(bodies[1]), 1), null);
    const c = p.add('{"c":3}', 3);
    assert.equal(blockOf(c.off).at, off);
    p.close();
    const q = new PayloadFile(file);
    assert.equal(q.read(c.off, c.len, 3), '{"c":3}');
    assert.equal(q.read(offs[1], Buffer.byteLength(bodies[1]), 2), bodies[1]);
    q.close();
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
