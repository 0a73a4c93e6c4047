/**
 * A consistent copy of another program's SQLite database, read while that program may be writing
 * it, without opening it with SQLite (so no lock, no `-shm` and no checkpoint on its files).
 *
 * In WAL mode the latest commits sit in `<db>-wal` until a checkpoint copies them into the file
 * (OpenCode keeps its whole history there between checkpoints): the copy is the file with the
 * WAL's committed frames applied, as SQLite's own recovery reads it — frames whose salts match the
 * WAL header and whose cumulative checksums hold, up to the last commit frame; a frame being
 * written (torn) or left from before the WAL restarted ends the walk. The copy's header is set to
 * the rollback-journal format, so sql.js opens it as an ordinary file.
 * The file is read before the WAL and its size and mtime checked again after: a checkpoint in
 * between (which writes the file, then restarts the WAL) would mix two states, so the read is
 * repeated (a few times at most, then it fails naming the file).
 */
import * as fs from 'node:fs';

/** Databases larger than this (file plus WAL) are not read. */
export const SQLITE_COPY_MAX_BYTES = 1 << 30;
const ATTEMPTS = 4;
const WAL_HEADER = 32;
const FRAME_HEADER = 24;

export interface SqliteSignature {
  /** File plus WAL bytes. */
  size: number;
  /** The later of the two mtimes. */
  mtimeMs: number;
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** What changes when the database or its WAL is written. */
export function sqliteSignature(file: string): SqliteSignature {
  const db = fs.statSync(file);
  const wal = statOrNull(`${file}-wal`);
  return { size: db.size + (wal?.size ?? 0), mtimeMs: Math.max(db.mtimeMs, wal?.mtimeMs ?? 0) };
}

export interface SqliteCopy {
  bytes: Uint8Array;
  /** WAL frames applied (0 without a WAL). */
  walFrames: number;
  signature: SqliteSignature;
}

export function readSqliteCopy(file: string): SqliteCopy {
  for (let i = 0; i < ATTEMPTS; i++) {
    const before = fs.statSync(file);
    const wal = statOrNull(`${file}-wal`);
    if (before.size + (wal?.size ?? 0) > SQLITE_COPY_MAX_BYTES) throw new Error(`${file}: database larger than ${SQLITE_COPY_MAX_BYTES} bytes, not read`);
    const db = fs.readFileSync(file);
    let walBytes: Buffer | null = null;
    try {
      walBytes = fs.readFileSync(`${file}-wal`);
    } catch {
      /* no WAL */
    }
    const after = fs.statSync(file);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || db.length !== before.size) continue;
    const applied = applyWal(db, walBytes);
    return { bytes: applied.bytes, walFrames: applied.frames, signature: { size: before.size + (walBytes?.length ?? 0), mtimeMs: Math.max(before.mtimeMs, wal?.mtimeMs ?? 0) } };
  }
  throw new Error(`${file}: the database kept changing while it was read (${ATTEMPTS} attempts)`);
}

/** The database file with the WAL's committed frames applied, in rollback-journal format. */
export function applyWal(db: Uint8Array, wal: Uint8Array | null): { bytes: Uint8Array; frames: number } {
  const frames = wal ? committedFrames(wal) : null;
  let out: Uint8Array;
  if (!frames || !frames.pages.length) out = new Uint8Array(db);
  else {
    const size = frames.dbPages * frames.pageSize;
    out = new Uint8Array(size);
    out.set(db.subarray(0, Math.min(db.length, size)));
    for (const { page, offset } of frames.pages) {
      if (page > frames.dbPages) continue;
      out.set(wal!.subarray(offset, offset + frames.pageSize), (page - 1) * frames.pageSize);
    }
  }
  // Bytes 18-19: file format write/read version, 2 = WAL. 1 = rollback journal.
  if (out.length >= 100 && (out[18] === 2 || out[19] === 2)) {
    out[18] = 1;
    out[19] = 1;
  }
  return { bytes: out, frames: frames?.pages.length ?? 0 };
}

interface Frames {
  pageSize: number;
  /** Database size in pages after the last commit. */
  dbPages: number;
  /** Frames up to the last commit, in order (a later frame of a page overwrites an earlier). */
  pages: { page: number; offset: number }[];
}

function committedFrames(wal: Uint8Array): Frames | null {
  if (wal.length < WAL_HEADER) return null;
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return null;
  const bigEndian = magic === 0x377f0683;
  const pageSize = view.getUint32(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return null;
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  let [s0, s1] = checksum(view, 0, 24, 0, 0, bigEndian);
  if (s0 !== view.getUint32(24) || s1 !== view.getUint32(28)) return null;
  const pending: { page: number; offset: number }[] = [];
  const out: Frames = { pageSize, dbPages: 0, pages: [] };
  for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= wal.length; at += FRAME_HEADER + pageSize) {
    if (view.getUint32(at + 8) !== salt1 || view.getUint32(at + 12) !== salt2) break;
    [s0, s1] = checksum(view, at, 8, s0, s1, bigEndian);
    [s0, s1] = checksum(view, at + FRAME_HEADER, pageSize, s0, s1, bigEndian);
    if (s0 !== view.getUint32(at + 16) || s1 !== view.getUint32(at + 20)) break;
    const page = view.getUint32(at);
    if (page < 1) break;
    pending.push({ page, offset: at + FRAME_HEADER });
    const commitSize = view.getUint32(at + 4);
    if (commitSize > 0) {
      for (const p of pending) out.pages.push(p);
      pending.length = 0;
      out.dbPages = commitSize;
    }
  }
  return out;
}

/** SQLite's WAL checksum: over 32-bit words in pairs, continued from (s0, s1). */
function checksum(view: DataView, from: number, len: number, s0: number, s1: number, bigEndian: boolean): [number, number] {
  const le = !bigEndian;
  for (let i = from; i < from + len; i += 8) {
    s0 = (s0 + view.getUint32(i, le) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, le) + s0) >>> 0;
  }
  return [s0, s1];
}
