/**
 * Compaction of the payload file (`payloadFiles.ts`): the records rows still point at are copied
 * into a new generation, fsynced, then the rows and `meta.payload_file` are switched in one
 * transaction. The old file stays until no snapshot on disk refers to it, so a crash at any point
 * leaves every snapshot with the file its rows point into. It runs on the store worker and holds
 * it for its duration, so it runs when most of a big file is garbage (superseded records of
 * completed calls, pruned or replayed events), when the file predates the framing, or on demand.
 */
import * as fs from 'node:fs';
import { touchingNothing } from './changeLog';
import { PayloadFiles } from './payloadFiles';
import { FILE_HEADER } from './payloadRecord';
import type { SqlDb } from './sqlDb';

/** Garbage below this is never worth a compaction (unless forced). */
export const MIN_GARBAGE_BYTES = 64 * 1024 * 1024;
const FLUSH_BYTES = 4 * 1024 * 1024;

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
  const live = db.get<{ n: number; b: number }>('SELECT COUNT(payload_off) AS n, COALESCE(SUM(payload_len), 0) AS b FROM events')!;
  const garbage = old.bytes - FILE_HEADER.length - live.b - live.n * old.overhead;
  const worth = !old.isFramed || (garbage > old.bytes / 2 && garbage > MIN_GARBAGE_BYTES);
  if (!force && !worth) return { compacted: false, bytesBefore: old.bytes, bytesAfter: old.bytes, damaged: 0 };

  const next = files.newGeneration();
  const moves: number[] = [];
  let damaged = 0;
  try {
    db.each('SELECT id, payload_off, payload_len FROM events WHERE payload_off IS NOT NULL ORDER BY payload_off', undefined, (row) => {
      const [id, off, len] = row as number[];
      const json = old.read(off, len, id);
      if (json === null) damaged++;
      moves.push(id, json === null ? -1 : next.file.add(json, id).off);
      if (next.file.unflushed > FLUSH_BYTES) next.file.flush();
    });
    next.file.flush();
    next.file.sync();
  } catch (e) {
    next.file.close();
    fs.rmSync(next.file.path, { force: true });
    throw e;
  }
  touchingNothing(db, () =>
    db.transaction(() => {
      for (let i = 0; i < moves.length; i += 2) db.run('UPDATE events SET payload_off = ? WHERE id = ?', [moves[i + 1], moves[i]]);
      files.switchTo(next);
    }),
  );
  return { compacted: true, bytesBefore: old.bytes, bytesAfter: next.file.bytes, damaged };
}
