/**
 * A copy-on-write view of the in-memory database file, frozen at one moment, for writing a snapshot
 * out while the database goes on changing. Before MEMFS changes bytes the view has not handed out
 * yet, the hook (`setFileWriteHook`) keeps the old pages; `read` serves the file as it was, from the
 * live file with those pages laid over it. Only pages changed during the write are ever copied.
 */
import type { Database } from 'sql.js';
import { databaseFileBytes, setFileWriteHook } from './sqlJsRuntime';

const PAGE = 4096;

export class FileSnapshot {
  /** Size of the file at the frozen moment. */
  readonly length: number;
  /** Old bytes of pages changed since, by page offset, for pages not read yet. */
  private readonly kept = new Map<number, Uint8Array>();
  private keptBytes = 0;
  /** Everything before this offset has been read (reads go front to back). */
  private readUpTo = 0;
  private overflow = false;
  private closed = false;

  private readonly maxKeptBytes: number;

  /**
   * Freeze the file of `db` now: call between transactions (the file then holds exactly the
   * committed database). `maxKeptBytes` bounds the pages kept (default: a quarter of the file, at
   * least 64 MB); past it `read` throws and the snapshot is abandoned.
   */
  constructor(
    private readonly db: Database,
    maxKeptBytes?: number,
  ) {
    this.length = databaseFileBytes(db).length;
    this.maxKeptBytes = maxKeptBytes ?? Math.max(64 << 20, this.length / 4);
    setFileWriteHook(db, (position, length) => this.beforeChange(position, length));
  }

  private beforeChange(position: number, length: number): void {
    if (this.overflow) return;
    const end = Math.min(position + length, this.length);
    let page = Math.max(position, this.readUpTo);
    page -= page % PAGE;
    if (page >= end) return;
    const live = databaseFileBytes(this.db);
    for (; page < end; page += PAGE) {
      if (this.kept.has(page)) continue;
      const old = live.slice(page, Math.min(page + PAGE, this.length));
      this.kept.set(page, old);
      this.keptBytes += old.length;
      if (this.keptBytes > this.maxKeptBytes) {
        this.overflow = true;
        this.kept.clear();
        return;
      }
    }
  }

  /** Copy the frozen file's bytes from `offset` (page-aligned, at or past the last read) into `into`. */
  read(offset: number, into: Uint8Array): number {
    if (this.closed) throw new Error('the snapshot view is closed');
    if (offset % PAGE !== 0 || offset < this.readUpTo) throw new Error(`snapshot reads go forward in whole pages (offset ${offset})`);
    if (this.overflow) throw new Error(`more than ${this.maxKeptBytes} bytes of the database changed while the snapshot was written`);
    const n = Math.min(into.length, this.length - offset);
    const live = databaseFileBytes(this.db);
    const fromLive = Math.max(0, Math.min(n, live.length - offset));
    into.set(live.subarray(offset, offset + fromLive));
    for (let page = offset; page < offset + n; page += PAGE) {
      const old = this.kept.get(page);
      if (!old) continue;
      into.set(old.subarray(0, Math.min(old.length, offset + n - page)), page - offset);
      this.kept.delete(page);
      this.keptBytes -= old.length;
    }
    this.readUpTo = offset + n;
    return n;
  }

  /** Stop watching writes (always call, also on failure). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.kept.clear();
    setFileWriteHook(this.db, null);
  }
}
