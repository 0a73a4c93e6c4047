/**
 * Opening the sql.js database from its snapshot file (moving a corrupt file aside, and falling back
 * to `<db>.bak` when the file is corrupt, empty or missing), applying migrations, and writing
 * atomic snapshots (temp file → fsync → the previous file linked as `<db>.bak` → one rename over
 * `<db>`): at every instant `<db>` is a whole snapshot, the old one or the new one. The database
 * reads the pages it has not changed from that snapshot file (`pagedFile.ts`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { CONVERTING_NOTICE, type ConversionJob, type ConversionResult, type OpenResult, type SnapshotResult } from '../contracts/storeWorker';
import { convertInProcess, needsConversion } from './convertDatabase';
import { MIGRATIONS } from './schema';
import { backfillSearch } from './searchIndex';
import { PayloadFiles } from './payloadFiles';
import { touchingNothing } from './changeLog';
import { SqlDb } from './sqlDb';
import { PagedFile, type FrozenFile } from './pagedFile';
import { loadPatchedSqlJs, openPagedDatabase, sqlJsDistFile, type SqlJsInit } from './sqlJsRuntime';
import { digestPath, matchesDigest, matchesDigestFile, moveDigest, SnapshotDigest } from './snapshotDigest';
import { failpoint } from './failpoint';

export interface OpenDatabase {
  db: SqlDb;
  /** The database's file: the last snapshot on disk and the pages written since. */
  file: PagedFile;
  dbPath: string;
  appliedSeq: number;
  snapshotSeq: number;
  /** Journal seqs of insert batches that failed and were not applied since (see the worker). */
  unappliedSeqs: Set<number>;
}

type SqlJs = Awaited<ReturnType<SqlJsInit>>;
let sqlJs: Promise<SqlJs> | null = null;

function loadSqlJs(wasmPath: string): Promise<SqlJs> {
  if (!sqlJs) {
    const wasmBinary = fs.readFileSync(wasmPath);
    sqlJs = loadPatchedSqlJs()({ wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer });
  }
  return sqlJs;
}

export function defaultWasmPath(): string {
  return sqlJsDistFile('sql-wasm.wasm');
}

/** Every SQLite database file starts with these 16 bytes. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** A compressed backup (`settleBackup`): these 8 bytes, then the database file, brotli-compressed. */
const COMPRESSED_BACKUP_HEADER = Buffer.from('AMbak\u0000br', 'latin1');

const startsWith = (bytes: Buffer, head: Buffer) => bytes.length >= head.length && bytes.subarray(0, head.length).equals(head);

/**
 * A database file, read from disk as SQLite asks for its pages; a backup may be a clean stop's
 * compressed one, decompressed into memory here. The database itself is never decompressed:
 * damage that happens to look compressed must not load.
 */
function openFile(file: string, backup: boolean): { file: PagedFile; trusted: boolean } {
  const head = Buffer.alloc(COMPRESSED_BACKUP_HEADER.length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!backup || !head.equals(COMPRESSED_BACKUP_HEADER)) return { file: PagedFile.open(file), trusted: matchesDigestFile(file) };
  let db: Buffer;
  try {
    db = zlib.brotliDecompressSync(fs.readFileSync(file).subarray(COMPRESSED_BACKUP_HEADER.length));
  } catch (e) {
    throw new Error(`the compressed backup is damaged (${(e as Error).message})`, { cause: e });
  }
  if (!startsWith(db, SQLITE_HEADER)) throw new Error('the compressed backup does not hold a database');
  return { file: PagedFile.fromBytes(db), trusted: matchesDigest(file, db) };
}

type Loaded = { db: SqlDb; file: PagedFile; integrity: OpenResult['integrity'] };

function tryLoad(SQL: SqlJs, path: string, backup = false): Loaded | Error {
  let file: PagedFile | null = null;
  let raw: ReturnType<typeof openPagedDatabase> | null = null;
  try {
    const opened = openFile(path, backup);
    file = opened.file;
    raw = openPagedDatabase(SQL, file);
    const db = new SqlDb(raw);
    // Touch the schema and the hot table: a damaged file fails here, not on the first insert.
    db.get('SELECT COUNT(*) AS n FROM sqlite_master');
    const hasMeta = db.get<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'meta'")!.n;
    if (hasMeta) {
      const rows = db.get("SELECT 1 FROM sqlite_master WHERE name = 'event_rows'") ? 'event_rows' : 'events';
      db.get(`SELECT MAX(id) AS m FROM ${rows}`);
    }
    if (opened.trusted) return { db, file, integrity: 'digest' };
    const check = db.get<{ quick_check: string }>('PRAGMA quick_check(1)');
    if (check && check.quick_check !== 'ok') throw new Error(`integrity check failed: ${check.quick_check}`);
    return { db, file, integrity: 'checked' };
  } catch (e) {
    try {
      raw?.close();
    } catch {
      /* closing a damaged database may fail too */
    }
    file?.close();
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** Close the database and its file. */
export function closeDatabase(db: SqlDb, file: PagedFile): void {
  db.clearStatements();
  db.raw.close();
  file.close();
}

/** Applies the migrations the database lacks; returns its schema version and whether any ran. */
function migrate(db: SqlDb): { version: number; migrated: boolean } {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'applied_migrations'");
  const applied = new Set<number>(row ? (JSON.parse(row.value) as number[]) : []);
  const before = applied.size;
  for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      applied.add(m.version);
      db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('applied_migrations', ?)", [JSON.stringify([...applied].sort((a, b) => a - b))]);
    });
  }
  return { version: Math.max(0, ...applied), migrated: applied.size > before };
}

/**
 * In a converting process (`convertDatabase.ts`): apply the file's pending migrations, VACUUM, and
 * replace the file with the result as a snapshot would (the old file kept as `<db>.bak`).
 */
export async function convertFile(job: ConversionJob): Promise<ConversionResult> {
  const t0 = performance.now();
  const SQL = await loadSqlJs(job.wasmPath);
  const bytesBefore = fs.statSync(job.dbPath).size;
  const file = PagedFile.open(job.dbPath);
  const db = new SqlDb(openPagedDatabase(SQL, file));
  try {
    migrate(db);
    db.exec('VACUUM');
    const converted = file.freeze();
    // A crash of the server here takes this process with it (the test kills both).
    failpoint('convert-before-replace', job.parentPid);
    if (process.ppid !== job.parentPid) throw new Error('the server that asked for the conversion is gone');
    replaceFile(job.dbPath, converted);
    return { bytesBefore, bytesAfter: converted.size, ms: performance.now() - t0 };
  } finally {
    closeDatabase(db, file);
  }
}

/** Write `frozen` as the new `<db>` (temp file, fsync, the old file kept as `<db>.bak`, rename). */
function replaceFile(dbPath: string, frozen: FrozenFile): void {
  const tmp = `${dbPath}.tmp-${process.pid}`;
  const digest = new SnapshotDigest();
  const fd = fs.openSync(tmp, 'w');
  try {
    const chunk = new Uint8Array(Math.min(WRITE_CHUNK, Math.max(1, frozen.size)));
    for (let off = 0; off < frozen.size; ) {
      const n = readFrozen(frozen, off, chunk);
      digest.update(chunk.subarray(0, n));
      for (let w = 0; w < n; ) w += fs.writeSync(fd, chunk, w, n - w, off + w);
      off += n;
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  keepAsBackup(dbPath);
  fs.renameSync(tmp, dbPath);
  digest.writeFor(dbPath);
  syncDirectory(dbPath);
}

function readFrozen(frozen: FrozenFile, pos: number, into: Uint8Array): number {
  const n = frozen.read(pos, into);
  if (n <= 0) throw new Error(`could not read the database at byte ${pos} to write its snapshot`);
  return n;
}

function syncDirectory(file: string): void {
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    /* directory fsync is not supported everywhere */
  }
}

/**
 * `readOnly`: never write the file (a migration then applies in memory only, as before).
 */
export async function openDatabase(dbPath: string, wasmPath: string, readOnly = false): Promise<{ state: OpenDatabase; result: OpenResult }> {
  const SQL = await loadSqlJs(wasmPath);
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  let corruptMovedTo: string | null = null;
  let loadedBackup = false;
  let db: SqlDb | null = null;
  let file: PagedFile | null = null;
  let integrity: OpenResult['integrity'] = 'new';

  let converted: ConversionResult | null = null;
  const size = fs.existsSync(dbPath) ? fs.statSync(dbPath).size : -1;
  if (size > 0) {
    let loaded = tryLoad(SQL, dbPath);
    if (!readOnly && !(loaded instanceof Error) && needsConversion(loaded.db)) {
      closeDatabase(loaded.db, loaded.file);
      process.stderr.write(`${CONVERTING_NOTICE} ${dbPath} (${(size / 1e6).toFixed(1)} MB) to the compact event schema, once after an upgrade\n`);
      try {
        converted = await convertInProcess({ dbPath, wasmPath });
      } catch (e) {
        // The old file is whole: migrate it here instead (correct, only not compacted).
        process.stderr.write(`agentmonitor: ${(e as Error).message}; migrating ${dbPath} in place instead\n`);
      }
      loaded = tryLoad(SQL, dbPath);
    }
    if (!(loaded instanceof Error)) ({ db, file, integrity } = loaded);
    else {
      corruptMovedTo = `${dbPath}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(dbPath, corruptMovedTo);
      process.stderr.write(
        `agentmonitor: database ${dbPath} is unreadable (${loaded.message}); moved it to ${corruptMovedTo} and rebuilding from the last good snapshot and the journal\n`,
      );
    }
  }
  // A missing or empty file beside a backup is a lost snapshot, never a new database: starting
  // empty would replay only the journal after the backup and lose what the backup holds.
  if (!db && fs.existsSync(`${dbPath}.bak`) && (corruptMovedTo || size <= 0)) {
    const bak = tryLoad(SQL, `${dbPath}.bak`, true);
    if (!(bak instanceof Error)) {
      ({ db, file, integrity } = bak);
      loadedBackup = true;
    }
  }
  if (!db || !file) {
    file = PagedFile.fromBytes();
    db = new SqlDb(openPagedDatabase(SQL, file));
  }

  const { version: schemaVersion, migrated } = migrate(db);
  db.payloads = PayloadFiles.open(db, dbPath);
  backfillSearch(db);
  const seqRow = db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'journal_seq'");
  const snapshotSeq = seqRow ? Number(seqRow.value) : 0;
  const counts = db.get<{ n: number; m: number | null }>('SELECT COUNT(*) AS n, MAX(id) AS m FROM event_rows')!;
  return {
    state: { db, file, dbPath, appliedSeq: snapshotSeq, snapshotSeq, unappliedSeqs: new Set() },
    result: { snapshotSeq, maxId: counts.m ?? 0, events: counts.n, corruptMovedTo, loadedBackup, schemaVersion, migrated, integrity, converted },
  };
}

/** Bytes per write of a snapshot. */
const WRITE_CHUNK = 4 << 20;

/**
 * Write the database to a temp file, fsync it and rename it over the snapshot, keeping the previous
 * one as `.bak`; the database then reads its unchanged pages from the new file. The file is frozen
 * (`PagedFile.freeze`) and written out asynchronously: the store worker answers queries and applies
 * inserts meanwhile (those come after `seq` and stay in the journal). It is blocked only to freeze
 * the file (`exportMs`); `writeMs` is the rest.
 */
export async function writeSnapshot(s: OpenDatabase, seq: number): Promise<SnapshotResult> {
  const t0 = performance.now();
  touchingNothing(s.db, () => s.db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('journal_seq', ?)", [String(seq)]));
  s.db.payloads.flush();
  s.db.payloads.sync();
  // The file holds the committed database only between transactions: this throws inside one.
  s.db.raw.exec('BEGIN IMMEDIATE; COMMIT');
  const frozen = s.file.freeze();
  const t1 = performance.now();
  const tmp = `${s.dbPath}.tmp-${process.pid}`;
  let fh: fs.promises.FileHandle | null = null;
  const digest = new SnapshotDigest();
  try {
    fh = await fs.promises.open(tmp, 'w');
    const chunk = new Uint8Array(Math.min(WRITE_CHUNK, Math.max(1, frozen.size)));
    for (let off = 0; off < frozen.size; ) {
      const n = readFrozen(frozen, off, chunk);
      digest.update(chunk.subarray(0, n));
      for (let w = 0; w < n; ) w += (await fh.write(chunk, w, n - w, off + w)).bytesWritten;
      off += n;
    }
    await fh.sync();
    await fh.close();
    if (fs.existsSync(s.dbPath)) keepAsBackup(s.dbPath);
    failpoint('snapshot-before-rename');
    fs.renameSync(tmp, s.dbPath);
  } catch (e) {
    await fh?.close().catch(() => {});
    fs.rmSync(tmp, { force: true });
    s.file.thaw(frozen);
    throw e;
  }
  failpoint('snapshot-after-rename');
  digest.writeFor(s.dbPath);
  syncDirectory(s.dbPath);
  try {
    s.file.rebase(frozen, s.dbPath);
  } catch (e) {
    // The snapshot is in place; the pages stay in memory and are read as before until the next one.
    s.file.thaw(frozen);
    process.stderr.write(`agentmonitor: could not reopen ${s.dbPath} after its snapshot (${(e as Error).message})\n`);
  }
  s.db.payloads.afterSnapshot();
  const previousSeq = s.snapshotSeq;
  s.snapshotSeq = seq;
  return { seq, bytes: frozen.size, exportMs: t1 - t0, writeMs: performance.now() - t1, previousSeq };
}

/**
 * Make the current snapshot `<db>.bak` without ever removing `<db>`: a hard link (a copy where the
 * file system has none) under a temp name, renamed over the old backup.
 */
function keepAsBackup(dbPath: string): void {
  const bak = `${dbPath}.bak`;
  const tmp = `${bak}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  try {
    fs.linkSync(dbPath, tmp);
  } catch {
    fs.copyFileSync(dbPath, tmp);
  }
  fs.renameSync(tmp, bak);
  moveDigest(dbPath, bak);
}

/**
 * After a clean stop's final snapshot: write it compressed as `<db>.bak` (its own copy, not a link:
 * a backup that shares the file's blocks is damaged with it; compressed, so it is not a second
 * full copy: brotli at quality 2 makes a SQLite file of 1M demo events 0.38 of its size for 1.6 s
 * of CPU, quality 1 0.42 for 1.0 s, 3 no smaller, 5 0.33 for 8.6 s), so that no journal is needed to rebuild a lost `<db>` and the journal can
 * go (\`COMPRESSED_BACKUP_HEADER\` marks it). Returns the journal seq both files cover. The backup is fsynced before it replaces the old
 * one; the digest (of the database bytes, which loading a backup decompresses first) is removed
 * first and copied last, so a crash in between leaves a backup whose integrity check simply runs.
 */
export async function settleBackup(s: OpenDatabase): Promise<number> {
  const bak = `${s.dbPath}.bak`;
  const tmp = `${bak}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  const compress = zlib.createBrotliCompress({
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 2, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: fs.statSync(s.dbPath).size },
  });
  fs.writeFileSync(tmp, COMPRESSED_BACKUP_HEADER);
  await pipeline(fs.createReadStream(s.dbPath, { highWaterMark: WRITE_CHUNK }), compress, fs.createWriteStream(tmp, { flags: 'a' }));
  const fd = fs.openSync(tmp, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.rmSync(digestPath(bak), { force: true });
  fs.renameSync(tmp, bak);
  if (fs.existsSync(digestPath(s.dbPath))) fs.copyFileSync(digestPath(s.dbPath), digestPath(bak));
  s.db.payloads.backupRemoved();
  return s.snapshotSeq;
}

/** Temp files a killed snapshot leaves beside the database (`<db>.tmp-*`, `<db>.bak.tmp-*`, digest temps). */
export function leftoverTempFiles(dbPath: string): string[] {
  const dir = path.dirname(dbPath);
  const base = path.basename(dbPath);
  if (!fs.existsSync(dir)) return [];
  const prefixes = ['', '.bak', '.sum', '.bak.sum'].map((p) => `${base}${p}.tmp-`);
  return fs
    .readdirSync(dir)
    .filter((f) => prefixes.some((p) => f.startsWith(p)) && /^\d+$/.test(f.slice(f.lastIndexOf('-') + 1)))
    .map((f) => path.join(dir, f));
}
