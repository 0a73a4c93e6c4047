/**
 * The journal's line formats: a batch carries its records' metadata JSON raw after a TAB (not
 * escaped a second time inside the line's JSON), lines of the previous format (the whole batch as
 * one JSON object) are still replayed, and a torn last line of either format is skipped, never
 * read as a shorter batch.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { toRecord } from '../../src/core/ingest/normalize';
import { decodeBatch, encodeBatch, Journal, type ReplayReport } from '../../src/core/store/journal';
import type { EventRecord } from '../../src/core/store/records';
import { tmpDir } from '../helpers/tmp';

function records(n: number, metadata: (i: number) => unknown): EventRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    ...toRecord(
      { session_id: `s${i % 3}`, agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', status: 'success', metadata: metadata(i) },
      'api',
      1 << 20,
      1_700_000_000_000 + i,
    ),
    id: 100 + i,
  }));
}

const AWKWARD = (i: number): unknown =>
  i % 4 === 3
    ? undefined
    : { command: 'npm test -- --grep "payments"\tand\\more', text: `line one\nline two é 🙂 \u2028 ${i}`, nested: { a: [1, 2, { b: null }] }, i };

function replayAll(dbPath: string, afterSeq = 0): { batches: { seq: number; records: EventRecord[] }[]; report: ReplayReport } {
  const report: ReplayReport = { batches: 0, records: 0, skipped: [] };
  return { batches: [...Journal.replay(dbPath, afterSeq, report)], report };
}

/** What the previous version wrote for a batch. */
const oldLine = (seq: number, recs: EventRecord[]): string => JSON.stringify({ s: seq, r: recs }) + '\n';

describe('journal line format', () => {
  test('a batch is written with its metadata raw after a TAB, and replayed as it was appended', () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'am.db');
    const j = Journal.open(dbPath, 0);
    const a = records(5, AWKWARD);
    const b = records(3, () => undefined);
    const c = records(2, (i) => ({ value: i }));
    c[1].metadata = '';
    const expected = [a, b, c].map((r) => structuredClone(r));
    for (const r of [a, b, c]) j.append(r);
    j.close();
    assert.deepEqual([a, b, c], expected, 'the caller\'s records are left as they were');
    const [seg] = Journal.segmentFiles(dbPath);
    const lines = fs.readFileSync(seg.path, 'utf8').split('\n');
    assert.equal(lines.length, 4);
    assert.ok(lines[0].includes('\t' + a[0].metadata), 'the metadata JSON is in the line as it is, not escaped');
    assert.ok(!lines[1].includes('\t'), 'a batch without metadata is one JSON object');
    const { batches, report } = replayAll(dbPath);
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(
      batches.map((x) => x.seq),
      [1, 2, 3],
    );
    assert.deepEqual(
      batches.map((x) => x.records),
      expected,
    );
    assert.equal(report.records, 10);
  });

  test('a metadata string holding an LF or a lone surrogate sends its batch in the previous format', () => {
    for (const odd of ['{"a":"x"}\n', '{"a":"\ud800"}']) {
      const recs = records(3, (i) => ({ i }));
      recs[1].metadata = odd;
      const line = encodeBatch(7, recs);
      assert.equal(line, oldLine(7, recs));
      assert.deepEqual(decodeBatch(line.slice(0, -1)), { s: 7, r: recs });
    }
  });

  test('a journal written by the previous version (one JSON object per batch) is replayed, also mixed with new lines', () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'am.db');
    const first = records(4, AWKWARD);
    const second = records(2, () => undefined);
    // The previous version's segment, as an upgrade finds it on disk.
    fs.writeFileSync(`${dbPath}.journal-000000000001`, oldLine(1, first) + oldLine(2, second));
    const third = records(3, AWKWARD);
    fs.appendFileSync(`${dbPath}.journal-000000000001`, encodeBatch(3, third));
    assert.equal(Journal.seqBeforeLastSegment(dbPath), 0);
    const { batches, report } = replayAll(dbPath);
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(batches, [
      { seq: 1, records: first },
      { seq: 2, records: second },
      { seq: 3, records: third },
    ]);
    // A new segment after it continues in the new format and replays after it.
    const j = Journal.open(dbPath, 3);
    const fourth = records(2, AWKWARD);
    assert.equal(j.append(fourth), 4);
    j.close();
    assert.deepEqual(
      replayAll(dbPath, 1).batches.map((x) => [x.seq, x.records]),
      [
        [2, second],
        [3, third],
        [4, fourth],
      ],
    );
  });

  test('a torn last line, cut at any byte, is skipped as torn and the batches before it are replayed', () => {
    const dir = tmpDir();
    const whole = records(2, AWKWARD);
    const last = records(3, AWKWARD);
    const head = encodeBatch(1, whole);
    for (const [format, lastLine] of [
      ['new', encodeBatch(2, last)],
      ['previous', oldLine(2, last)],
    ] as const) {
      const bytes = Buffer.from(lastLine, 'utf8');
      // Every cut short of the LF is refused (the text as replay decodes it, partial characters too).
      for (let cut = 1; cut < bytes.length - 1; cut++) {
        assert.throws(() => decodeBatch(bytes.subarray(0, cut).toString('utf8')), Error, `${format} format cut at byte ${cut}`);
      }
      // And replay reports such a line as torn, keeping the batch before it.
      for (const cut of [1, 40, bytes.indexOf('\t') + 1 || 60, bytes.length - 30, bytes.length - 2]) {
        const dbPath = path.join(dir, `${format}-${cut}.db`);
        fs.writeFileSync(`${dbPath}.journal-000000000001`, Buffer.concat([Buffer.from(head), bytes.subarray(0, cut)]));
        const { batches, report } = replayAll(dbPath);
        assert.deepEqual(
          batches.map((x) => x.records),
          [whole],
          `${format} format cut at byte ${cut}`,
        );
        assert.deepEqual(
          report.skipped.map((x) => [x.line, x.reason]),
          [[2, 'torn last line']],
        );
      }
    }
  });

  test('a line whose metadata lengths do not match its tail is skipped with the reason', () => {
    const recs = records(2, (i) => ({ i }));
    const line = encodeBatch(1, recs).slice(0, -1);
    assert.throws(() => decodeBatch(line + 'x'), /longer than its lengths/);
    assert.throws(() => decodeBatch(line.slice(0, -1)), /shorter than its lengths/);
    assert.throws(() => decodeBatch(line.replace('"m":[', '"m":[1,')), /do not match the records/);
    assert.throws(() => decodeBatch(oldLine(1, recs).slice(0, -1).replace('{"s":1,', '{"s":1,"m":[],')), /without metadata/);
  });
});
