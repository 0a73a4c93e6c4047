/**
 * The payload file a database uses (`payloadFile.ts`), checked against the snapshot at open: each
 * snapshot records in `meta` how many payload bytes it relies on (`payload_bytes`, durable before
 * the snapshot is written), so a start notices a file that lost some of them and says how many
 * events' metadata is missing. Those, like any record that fails its check, read as missing.
 */
import type { SqlDb } from './sqlDb';
import { touchingNothing } from './changeLog';
import { PayloadFile, type PayloadRef, type PayloadStore } from './payloadFile';

const BYTES_KEY = 'payload_bytes';

export class PayloadFiles implements PayloadStore {
  private constructor(
    private readonly db: SqlDb,
    private file: PayloadFile,
  ) {}

  /** Open the payload file of the database just loaded (after migrations), warning once about damage. */
  static open(db: SqlDb, dbPath: string): PayloadFiles {
    const files = new PayloadFiles(db, new PayloadFile(`${dbPath}.payloads`));
    const missing = files.missingAtOpen();
    if (missing) {
      process.stderr.write(
        `agentmonitor: payload file ${files.file.path} is shorter than the snapshot expects: the metadata of ${missing} events is missing (shown as missing)\n`,
      );
    }
    return files;
  }

  /** Rows whose records lie past the end of the file (checked only when the file is shorter than the snapshot relies on). */
  missingAtOpen(): number {
    const expected = this.db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [BYTES_KEY]);
    const size = this.file.bytes;
    if (expected && Number(expected.value) <= size) return 0;
    return this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE payload_off IS NOT NULL AND payload_off + payload_len + ? > ?', [this.file.overhead, size])!.n;
  }

  add(json: string, id: number): PayloadRef {
    return this.file.add(json, id);
  }

  dropLast(ref: PayloadRef): void {
    this.file.dropLast(ref);
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
    touchingNothing(this.db, () => this.db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [BYTES_KEY, String(this.file.bytes)]));
  }

  truncate(): void {
    this.file.truncate();
  }

  close(): void {
    this.file.close();
  }
}
