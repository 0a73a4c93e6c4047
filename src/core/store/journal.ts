/**
 * The write-ahead journal (DESIGN §3). Every accepted batch of events is appended as one line (see
 * `encodeBatch`) with a synchronous write before the request is
 * acknowledged, so a killed process loses nothing it acknowledged; the file is fdatasync'ed at
 * least every second. Segments are files `<db>.journal-<firstSeq>`; a snapshot records the last
 * seq it contains, and segments are deleted only once the snapshot *before* it also covers them,
 * so `<db>.bak` (the previous snapshot) plus the journal can rebuild a corrupt database.
 * A bulk log import is the one writer that skips it (`IngestOptions.journal`): its source files
 * and offsets are its record, and it ends with a snapshot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventRecord } from './records';
import { hasLoneSurrogate } from '../contracts/wellFormed';
import { StorageError } from './storageError';

export interface JournalBatch {
  seq: number;
  records: EventRecord[];
}

export interface ReplayReport {
  batches: number;
  records: number;
  /** Lines that could not be parsed (a torn last line after a crash), with their file and line. */
  skipped: { file: string; line: number; reason: string }[];
}

const SEGMENT_RE = /\.journal-(\d+)$/;
const EMPTY = Buffer.alloc(0);
/** A scratch buffer bigger than this (one huge batch) is not kept. */
const MAX_SCRATCH_BYTES = 64 * 1024 * 1024;

/**
 * One batch's line. A record's `metadata` is already JSON text, and `JSON.stringify` of the record
 * would escape all of it a second time (most of the line's cost), so the line carries it raw:
 * `{"s": seq, "m": [length | null, ...], "r": [record with metadata null, ...]}` + TAB + each
 * record's metadata, concatenated, + LF. `m[i]` is the length (UTF-16 code units) of record i's
 * metadata in that tail, null when the record's own `metadata` field holds its value. The JSON part
 * never holds a raw TAB or LF (`JSON.stringify` escapes control characters in strings), so the first
 * TAB ends it. A batch with a metadata string that holds an LF or a lone surrogate (neither comes
 * from `capMetadata`, which writes JSON) is written in the first format, the whole batch as JSON:
 * `{"s": seq, "r": [EventRecord, ...]}` + LF, which replay still reads (journals of older versions).
 */
export function encodeBatch(seq: number, records: EventRecord[]): string {
  const n = records.length;
  const metas: (string | null)[] = new Array(n);
  const lengths: (number | null)[] = new Array(n);
  let raw = false;
  for (let i = 0; i < n; i++) {
    const m = records[i].metadata as unknown;
    if (typeof m === 'string' && m.length > 0) {
      if (m.indexOf('\n') !== -1 || hasLoneSurrogate(m)) return JSON.stringify({ s: seq, r: records }) + '\n';
      metas[i] = m;
      lengths[i] = m.length;
      raw = true;
    } else {
      metas[i] = null;
      lengths[i] = null;
    }
  }
  if (!raw) return JSON.stringify({ s: seq, r: records }) + '\n';
  // The records are the caller's: their metadata is set aside only while they are serialized.
  let head: string;
  try {
    for (let i = 0; i < n; i++) if (metas[i] !== null) records[i].metadata = null;
    head = JSON.stringify({ s: seq, m: lengths, r: records });
  } finally {
    for (let i = 0; i < n; i++) if (metas[i] !== null) records[i].metadata = metas[i];
  }
  let tail = '';
  for (let i = 0; i < n; i++) if (metas[i] !== null) tail += metas[i];
  return head + '\t' + tail + '\n';
}

/** The batch in one line (without its LF), either format; throws if it is not a whole batch. */
export function decodeBatch(line: string): { s: number; r: EventRecord[] } {
  const tab = line.indexOf('\t');
  const batch = JSON.parse(tab === -1 ? line : line.slice(0, tab)) as { s: number; m?: unknown; r: EventRecord[] };
  if (typeof batch.s !== 'number' || !Array.isArray(batch.r)) throw new Error('not a journal batch');
  if (tab === -1) {
    if (batch.m !== undefined) throw new Error('metadata lengths without metadata');
    return batch;
  }
  const lengths = batch.m;
  if (!Array.isArray(lengths) || lengths.length !== batch.r.length) throw new Error('metadata lengths do not match the records');
  let off = tab + 1;
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i] as unknown;
    if (len === null) continue;
    if (typeof len !== 'number' || !Number.isInteger(len) || len <= 0 || off + len > line.length) throw new Error('metadata shorter than its lengths say');
    batch.r[i].metadata = line.slice(off, off + len);
    off += len;
  }
  if (off !== line.length) throw new Error('metadata longer than its lengths say');
  delete batch.m;
  return batch;
}

export class Journal {
  private fd: number | null = null;
  private segmentPath: string | null = null;
  private seq: number;
  private unsynced = false;
  private syncTimer: NodeJS.Timeout | null = null;
  private syncing = false;
  /** Bytes appended to the current segment: its length up to the last whole batch. */
  bytes = 0;
  /** A failed append may have left part of its line after `bytes`; cut it before the next one. */
  private torn = false;
  private scratch: Buffer = EMPTY;

  private constructor(private readonly dbPath: string, lastSeq: number) {
    this.seq = lastSeq;
  }

  static segmentFiles(dbPath: string): { path: string; firstSeq: number }[] {
    const dir = path.dirname(dbPath);
    const base = path.basename(dbPath);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(base + '.journal-') && SEGMENT_RE.test(f))
      .map((f) => ({ path: path.join(dir, f), firstSeq: Number(SEGMENT_RE.exec(f)![1]) }))
      .sort((a, b) => a.firstSeq - b.firstSeq);
  }

  /**
   * Read every batch with seq > afterSeq from the segments on disk, in order. Unparsable lines are
   * reported and skipped, never fatal.
   */
  static *replay(dbPath: string, afterSeq: number, report: ReplayReport): Generator<JournalBatch> {
    const segs = Journal.segmentFiles(dbPath);
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      // A segment followed by one that starts at or below afterSeq + 1 is covered: not even read.
      if (i + 1 < segs.length && segs[i + 1].firstSeq - 1 <= afterSeq) continue;
      const text = fs.readFileSync(seg.path, 'utf8');
      let lineNo = 0;
      let start = 0;
      while (start < text.length) {
        let end = text.indexOf('\n', start);
        const torn = end === -1;
        if (torn) end = text.length;
        lineNo++;
        const line = text.slice(start, end);
        start = end + 1;
        if (!line.trim()) continue;
        let batch: { s: number; r: EventRecord[] };
        try {
          batch = decodeBatch(line);
        } catch (e) {
          report.skipped.push({ file: seg.path, line: lineNo, reason: torn ? 'torn last line' : (e as Error).message });
          continue;
        }
        if (batch.s <= afterSeq) continue;
        report.batches++;
        report.records += batch.r.length;
        yield { seq: batch.s, records: batch.r };
      }
    }
  }

  /**
   * The highest seq a segment name on disk implies (its first seq - 1): a new segment must start
   * past it even when the batches in it were covered by the snapshot and not replayed.
   */
  static seqBeforeLastSegment(dbPath: string): number {
    const segs = Journal.segmentFiles(dbPath);
    return segs.length ? segs[segs.length - 1].firstSeq - 1 : 0;
  }

  /** Open a fresh segment after `lastSeq` (the highest seq already on disk or in the snapshot). */
  static open(dbPath: string, lastSeq: number): Journal {
    const j = new Journal(dbPath, lastSeq);
    j.startSegment();
    j.syncTimer = setInterval(() => j.sync(), 1000);
    j.syncTimer.unref();
    return j;
  }

  get lastSeq(): number {
    return this.seq;
  }

  private startSegment(): void {
    const p = `${this.dbPath}.journal-${String(this.seq + 1).padStart(12, '0')}`;
    this.fd = fs.openSync(p, 'a');
    this.segmentPath = p;
    this.bytes = fs.fstatSync(this.fd).size;
    this.torn = false;
  }

  /**
   * Append one batch synchronously; returns its seq. Failure-atomic: a write that fails (disk
   * full) throws a `StorageError` and leaves no part of its line in the file, so the next batch is
   * never glued to a torn one (replay would skip both).
   */
  append(records: EventRecord[]): number {
    if (this.fd === null) throw new Error('journal is closed');
    if (this.torn) this.cutTornTail();
    const seq = this.seq + 1;
    const line = encodeBatch(seq, records);
    const len = Buffer.byteLength(line, 'utf8');
    // One scratch buffer reused across appends: a fresh multi-megabyte buffer per batch costs a
    // page fault per 4 KB, which on some kernels is most of the cost of a bulk import's journal.
    if (this.scratch.length < len) this.scratch = Buffer.allocUnsafeSlow(Math.max(len, this.scratch.length * 2));
    const buf = this.scratch;
    buf.write(line, 0, len, 'utf8');
    if (this.scratch.length > MAX_SCRATCH_BYTES) this.scratch = EMPTY;
    let off = 0;
    try {
      while (off < len) off += fs.writeSync(this.fd, buf, off, len - off);
    } catch (e) {
      if (off > 0) {
        this.torn = true;
        try {
          this.cutTornTail();
        } catch {
          /* cut before the next append */
        }
      }
      throw StorageError.from(e, `the journal ${this.segmentPath}`, 'nothing of this request was stored');
    }
    this.seq = seq;
    this.bytes += len;
    this.unsynced = true;
    return seq;
  }

  private cutTornTail(): void {
    try {
      fs.ftruncateSync(this.fd!, this.bytes);
    } catch (e) {
      throw StorageError.from(e, `the journal ${this.segmentPath}`);
    }
    this.torn = false;
  }

  /** fdatasync in the background if anything was written since the last sync. */
  sync(): void {
    if (!this.unsynced || this.syncing || this.fd === null) return;
    this.unsynced = false;
    this.syncing = true;
    const fd = this.fd;
    fs.fdatasync(fd, () => {
      this.syncing = false;
    });
  }

  /** Close the current segment and start a new one; returns the seq the closed one ends at. */
  rotate(): number {
    if (this.fd !== null && this.bytes > 0 && !this.torn) {
      fs.fdatasyncSync(this.fd);
      const old = { fd: this.fd, path: this.segmentPath, bytes: this.bytes };
      try {
        this.startSegment();
      } catch {
        // No new segment (no room for it): keep appending to this one.
        Object.assign(this, { fd: old.fd, segmentPath: old.path, bytes: old.bytes });
        return this.seq;
      }
      fs.closeSync(old.fd);
    }
    return this.seq;
  }

  /** Whether any segment on disk holds a batch. */
  holdsBatches(): boolean {
    return Journal.segmentFiles(this.dbPath).some((s) => fs.statSync(s.path, { throwIfNoEntry: false })?.size);
  }

  /** Delete segments whose every batch has seq <= coveredSeq (never the open segment). */
  prune(coveredSeq: number): void {
    const segs = Journal.segmentFiles(this.dbPath);
    for (let i = 0; i < segs.length; i++) {
      const next = segs[i + 1];
      if (segs[i].path === this.segmentPath) continue;
      const lastInSeg = next ? next.firstSeq - 1 : Infinity;
      if (lastInSeg <= coveredSeq) {
        try {
          fs.unlinkSync(segs[i].path);
        } catch {
          /* already gone */
        }
      }
    }
  }

  close(): void {
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    if (this.fd !== null) {
      try {
        fs.fdatasyncSync(this.fd);
      } finally {
        fs.closeSync(this.fd);
        this.fd = null;
      }
      // An empty segment is kept when older ones exist: its name says where they end, so the
      // next start skips them without reading them (they are covered by the last snapshot).
      const older = Journal.segmentFiles(this.dbPath).some((sg) => sg.path !== this.segmentPath);
      if (this.bytes === 0 && this.segmentPath && !older) {
        try {
          fs.unlinkSync(this.segmentPath);
        } catch {
          /* ignore */
        }
      }
    }
  }
}
