/**
 * Compaction of the payload file (`payloadFiles.ts`): the records rows still point at are copied
 * into a new generation, fsynced, then the rows and `meta.payload_file` are switched in one
 * transaction. The old file stays until no snapshot on disk refers to it, so a crash at any point
 * leaves every snapshot with the file its rows point into. It runs on the store worker and holds
 * it for its duration (about 6 s per 100k events on the 2-core bench machine under load), so it
 * runs only when most of a big file is garbage (superseded records of completed calls, pruned or
 * replayed events), or on demand.
 */
import * as fs from 'node:fs';
import { touchingNothing } from './changeLog';
import { PayloadFiles } from './payloadFiles';
import { BLOCKED, FILE_HEADER, verify } from './payloadRecord';
import type { SqlDb } from './sqlDb';

/** Garbage below this is never worth a compaction (unless forced). */
export const MIN_GARBAGE_BYTES = 64 * 1024 * 1024;
const FLUSH_BYTES = 4 * 1024 * 1024;
const WINDOW_BYTES = 4 * 1024 * 1024;

export interface CompactionResult {
  compacted: boolean;
  bytesBefore: number;
  bytesAfter: number;
  /** Rows whose record was missing or damaged (they keep reading as missing). */
  damaged: number;
}

export function compactPayloads(db: SqlDb, force: boolean): CompactionResult {
  const files = db.payloads;
  if (!(files instanceof PayloadFiles)) return { compacted: false, bytesBefore: 0, bytesAfter: 0, damaged: 0 };
  files.flush();
  const old = files.current;
  const live = db.get<{ n: number; b: number }>('SELECT COUNT(payload_off) AS n, COALESCE(SUM(payload_len), 0) AS b FROM event_rows')!;
  // Measured unblocked: compressed blocks hide how much of the file is garbage.
  const garbage = old.rawBytes - FILE_HEADER.length - live.b - live.n * old.overhead;
  // An unframed file (older versions) is read as it is and framed by the next compaction that
  // garbage calls for: migrating it unasked would hold the store worker for a minute on a million
  // events.
  const worth = garbage > old.rawBytes / 2 && garbage > MIN_GARBAGE_BYTES;
  if (!force && !worth) return { compacted: false, bytesBefore: old.bytes, bytesAfter: old.bytes, damaged: 0 };

  const next = files.newGeneration();
  // Rows in file order, the old file read through a window and bodies copied as bytes, then every
  // row moved by one statement: per-record reads and per-row UPDATEs cost ~100 µs a row (100 s
  // on a million events, all of it with the store worker blocked).
  const moves: number[] = [];
  let damaged = 0;
  const reader = new WindowReader(old.path);
  const head = old.overhead;
  try {
    db.each('SELECT id, payload_off, payload_len FROM event_rows WHERE payload_off IS NOT NULL ORDER BY payload_off', undefined, (row) => {
      const [id, off, len] = row as number[];
      if (off >= BLOCKED) {
        // Rows in file order visit each block once: `readBody` keeps the last one decompressed.
        const body = old.readBody(off, len, id);
        if (!body) {
          damaged++;
          moves.push(id, -1);
        } else moves.push(id, next.file.addBytes(body.buf, body.at, len, id).off);
        return;
      }
      const at = off >= 0 && len >= 0 ? reader.at(off, head + len) : -1;
      if (at < 0 || (head && !verify(reader.buf, at, len, id)) || (!head && len === 0)) {
        damaged++;
        moves.push(id, -1);
      } else moves.push(id, next.file.addBytes(reader.buf, at + head, len, id).off);
      if (next.file.unflushed > FLUSH_BYTES) next.file.flush();
    });
    next.file.flush();
    next.file.sync();
  } catch (e) {
    next.file.close();
    fs.rmSync(next.file.path, { force: true });
    throw e;
  } finally {
    reader.close();
  }
  const pairs: number[][] = [];
  for (let i = 0; i < moves.length; i += 2) pairs.push([moves[i], moves[i + 1]]);
  touchingNothing(db, () =>
    db.transaction(() => {
      db.run("UPDATE event_rows SET payload_off = json_extract(m.value, '$[1]') FROM json_each(?) AS m WHERE event_rows.id = json_extract(m.value, '$[0]')", [
        JSON.stringify(pairs),
      ]);
      files.switchTo(next);
    }),
  );
  return { compacted: true, bytesBefore: old.bytes, bytesAfter: next.file.bytes, damaged };
}

/** Reads a file front to back through one window (records are visited in file order). */
class WindowReader {
  private readonly fd: number;
  private readonly size: number;
  buf = Buffer.allocUnsafe(WINDOW_BYTES);
  private start = 0;
  private end = 0;

  constructor(path: string) {
    this.fd = fs.openSync(path, 'r');
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Where `[off, off + len)` of the file is in `buf`, or -1 past the end of the file. */
  at(off: number, len: number): number {
    if (off + len > this.size) return -1;
    if (off < this.start || off + len > this.end) {
      if (this.buf.length < len) this.buf = Buffer.allocUnsafe(len);
      const n = fs.readSync(this.fd, this.buf, 0, Math.min(this.buf.length, this.size - off), off);
      this.start = off;
      this.end = off + n;
      if (off + len > this.end) return -1;
    }
    return off - this.start;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
