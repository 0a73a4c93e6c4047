/**
 * Which payload file (`payloadFile.ts`) a database uses, and when an old one may go. Files are
 * generations: `<db>.payloads` (0), then `<db>.payloads-<n>`, written whole by a clear or a
 * compaction (`payloadCompaction.ts`) while the old one stays readable. `meta.payload_file` names
 * the generation the rows point into; it changes in the same transaction as the rows, so every
 * snapshot names the file its own rows refer to. A generation is removed only once neither `<db>`
 * nor `<db>.bak` names it. Each snapshot also records the payload bytes it relies on
 * (`payload_bytes`, durable before the snapshot is written), so a start notices a file that lost
 * some of them and says how many events' metadata is missing; those, like any record that fails
 * its check, read as missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlDb } from './sqlDb';
import { touchingNothing } from './changeLog';
import { PayloadFile, type PayloadRef, type PayloadStore } from './payloadFile';
import { BLOCK_HEADER, BLOCKED, MAX_BLOCK_RECORDS } from './payloadRecord';

const BYTES_KEY = 'payload_bytes';
/** The file's records measured unblocked (`PayloadFile.rawBytes`), for the compaction's garbage estimate. */
const RAW_BYTES_KEY = 'payload_raw_bytes';
const FILE_KEY = 'payload_file';
/** The snapshot's generation is not known (the backup of a database opened at start). */
const UNKNOWN = -1;

export class PayloadFiles implements PayloadStore {
  /** Generations that `<db>` and `<db>.bak` on disk refer to. */
  private dbGen: number;
  private bakGen = UNKNOWN;
  /** What the snapshot being written refers to (set by `sync`, used by `afterSnapshot`). */
  private writing: { gen: number; bakGen: number } | null = null;

  private constructor(
    private readonly db: SqlDb,
    readonly dbPath: string,
    private file: PayloadFile,
    private gen: number,
  ) {
    this.dbGen = gen;
  }

  /** Open the payload file of the database just loaded (after migrations), warning once about damage. */
  static open(db: SqlDb, dbPath: string): PayloadFiles {
    const gen = Number(metaValue(db, FILE_KEY) ?? 0);
    const file = new PayloadFile(generationPath(dbPath, gen));
    const raw = Number(metaValue(db, RAW_BYTES_KEY) ?? NaN);
    if (raw > file.rawBytes) file.rawBytes = raw;
    const files = new PayloadFiles(db, dbPath, file, gen);
    const missing = files.missingAtOpen();
    if (missing) {
      process.stderr.write(
        `agentmonitor: payload file ${files.file.path} is shorter than the snapshot expects: the metadata of ${missing} events is missing (shown as missing)\n`,
      );
    }
    return files;
  }

  /** Rows whose records lie past the end of the file (checked only when the file is shorter than the snapshot relies on). */
  private missingAtOpen(): number {
    const expected = metaValue(this.db, BYTES_KEY);
    const size = this.file.bytes;
    if (expected !== null && Number(expected) <= size) return 0;
    // A row in a block is missing when its block starts past the end (a cut block fails its check).
    return this.db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM event_rows WHERE payload_off IS NOT NULL AND
         CASE WHEN payload_off >= ${BLOCKED} THEN (payload_off - ${BLOCKED}) / ${MAX_BLOCK_RECORDS} + ${BLOCK_HEADER}
              ELSE payload_off + payload_len + ? END > ?`,
      [this.file.overhead, size],
    )!.n;
  }

  get current(): PayloadFile {
    return this.file;
  }

  /** A new, empty generation for the compaction to fill (a leftover of an interrupted one is overwritten). */
  newGeneration(): { file: PayloadFile; gen: number } {
    const gen = Math.max(this.gen, ...generationsOnDisk(this.dbPath).map((g) => g.gen)) + 1;
    const file = new PayloadFile(generationPath(this.dbPath, gen));
    file.truncate();
    return { file, gen };
  }

  /**
   * Make `file` the current generation. Call inside the transaction that points the rows into it:
   * a snapshot then names the file its rows refer to.
   */
  switchTo(next: { file: PayloadFile; gen: number }): void {
    this.file.flush();
    setMeta(this.db, FILE_KEY, String(next.gen));
    this.file.close();
    this.file = next.file;
    this.gen = next.gen;
  }

  add(json: string, id: number): PayloadRef {
    return this.file.add(json, id);
  }

  flush(): void {
    this.file.flush();
  }

  discard(): void {
    this.file.discard();
  }

  read(off: number | null, len: number | null, id: number): string | null {
    return this.file.read(off, len, id);
  }

  sync(): void {
    this.file.flush();
    this.file.sync();
    setMeta(this.db, BYTES_KEY, String(this.file.bytes));
    setMeta(this.db, RAW_BYTES_KEY, String(this.file.rawBytes));
    // The snapshot renames the current `<db>` to `<db>.bak`, if there is one.
    this.writing = { gen: this.gen, bakGen: fs.existsSync(this.dbPath) ? this.dbGen : this.bakGen };
  }

  afterSnapshot(): void {
    if (!this.writing) return;
    ({ gen: this.dbGen, bakGen: this.bakGen } = this.writing);
    this.writing = null;
    this.removeUnreferenced();
  }

  clear(): void {
    this.switchTo(this.newGeneration());
  }

  backupRemoved(): void {
    this.bakGen = this.dbGen;
    this.removeUnreferenced();
  }

  /**
   * Remove generations no snapshot on disk refers to. Newer ones than the current (an interrupted
   * compaction's) are kept while a `<db>.corrupt-*` beside might refer to them.
   */
  private removeUnreferenced(): void {
    const evidence = fs.readdirSync(path.dirname(this.dbPath)).some((f) => f.startsWith(`${path.basename(this.dbPath)}.corrupt-`));
    for (const g of generationsOnDisk(this.dbPath)) {
      const referenced = g.gen === this.gen || g.gen === this.dbGen || (this.bakGen === UNKNOWN ? g.gen <= this.dbGen : g.gen === this.bakGen);
      if (!referenced && (g.gen < this.gen || !evidence)) fs.rmSync(g.path, { force: true });
    }
  }

  close(): void {
    this.file.close();
  }
}

export function generationPath(dbPath: string, gen: number): string {
  return gen === 0 ? `${dbPath}.payloads` : `${dbPath}.payloads-${gen}`;
}

function generationsOnDisk(dbPath: string): { gen: number; path: string }[] {
  const prefix = `${path.basename(dbPath)}.payloads`;
  return fs
    .readdirSync(path.dirname(dbPath))
    .filter((f) => f === prefix || /^-\d+$/.test(f.slice(prefix.length)))
    .filter((f) => f.startsWith(prefix))
    .map((f) => ({ gen: f === prefix ? 0 : Number(f.slice(prefix.length + 1)), path: path.join(path.dirname(dbPath), f) }));
}

function metaValue(db: SqlDb, key: string): string | null {
  return db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key])?.value ?? null;
}

function setMeta(db: SqlDb, key: string, value: string): void {
  touchingNothing(db, () => db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, value]));
}
