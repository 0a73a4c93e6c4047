/**
 * Event metadata lives outside SQLite, in an append-only file beside the database
 * (`<db>.payloads`, see `payloadFiles.ts` for which file a snapshot uses): inserting hundreds of
 * bytes per row into sql.js costs more than the rest of the row, and metadata is only read for
 * the few rows on screen. An event row holds `(payload_off, payload_len)`; SQL reads it back with
 * the `payload(off, len, id)` function registered on the connection. Records are framed
 * (`payloadRecord.ts`) so that a read verifies it found the row's own record; files written before
 * the framing (no file header) are read as they are. The file is fsynced before every snapshot, so
 * a snapshot never points past durable bytes; journal replay appends again (old copies are
 * unreferenced garbage).
 */
import * as fs from 'node:fs';
import { FILE_HEADER, frame, RECORD_HEADER, verify } from './payloadRecord';

export interface PayloadRef {
  off: number;
  len: number;
}

export interface PayloadStore {
  /** Reserve a record for row `id`'s metadata; it is written by `flush()` (once per insert batch). */
  add(json: string, id: number): PayloadRef;
  /** Write what was added. Failure-atomic: on an error nothing of the batch stays in the file. */
  flush(): void;
  /** Forget unflushed reservations (a rolled-back batch). */
  discard(): void;
  /** Row `id`'s metadata, or null when it has none or its record is missing or damaged. */
  read(off: number | null, len: number | null, id: number): string | null;
  /**
   * Called before a snapshot freezes the database: flushes and fsyncs, and records in `meta` what
   * the snapshot's rows refer to.
   */
  sync(): void;
  /** Called once the snapshot `sync` prepared is in place as `<db>`. */
  afterSnapshot(): void;
  /** Drop every payload (all rows were deleted); files a snapshot on disk refers to stay until it is replaced. */
  clear(): void;
  /** `<db>.bak` was removed: payload files only it referred to may go. */
  backupRemoved(): void;
  close(): void;
}

/** In-memory payloads for databases without a file (query unit tests, throwaway databases). */
export class MemoryPayloads implements PayloadStore {
  private chunks: string[] = [];
  add(json: string): PayloadRef {
    this.chunks.push(json);
    return { off: this.chunks.length - 1, len: 1 };
  }
  flush(): void {}
  discard(): void {}
  read(off: number | null, len: number | null): string | null {
    return off === null || len === null ? null : (this.chunks[off] ?? null);
  }
  sync(): void {}
  afterSnapshot(): void {}
  clear(): void {
    this.chunks = [];
  }
  backupRemoved(): void {}
  close(): void {}
}

const BATCH_BYTES = 64 * 1024;
/** A batch buffer grown past this (one huge batch) is not kept. */
const MAX_KEPT_BATCH_BYTES = 16 * 1024 * 1024;
const LEGACY_FIRST_BYTE = 0x7b; // '{': unframed files hold JSON objects back to back

export class PayloadFile {
  private fd: number;
  private size: number;
  /** Whether records are framed; false for a file written before the framing. */
  private framed: boolean;
  /** The unflushed batch, kept between flushes (fresh memory is expensive). */
  private batch = Buffer.allocUnsafe(BATCH_BYTES);
  private batchLen = 0;
  private scratch = Buffer.allocUnsafe(4096);

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'a+');
    this.size = fs.fstatSync(this.fd).size;
    const head = Buffer.alloc(FILE_HEADER.length);
    fs.readSync(this.fd, head, 0, head.length, 0);
    this.framed = this.size === 0 || head[0] !== LEGACY_FIRST_BYTE;
    if (this.framed && this.size < FILE_HEADER.length) this.truncate();
  }

  add(json: string, id: number): PayloadRef {
    const at = this.batchLen;
    const head = this.framed ? RECORD_HEADER : 0;
    this.reserve(at + head + json.length * 3);
    const len = this.batch.write(json, at + head, 'utf8');
    if (this.framed) frame(this.batch, at, len, id);
    this.batchLen = at + head + len;
    return { off: this.size + at, len };
  }

  /** `add` for a body already in UTF-8 bytes (`body[start, start + len)`): a compaction's copy. */
  addBytes(body: Buffer, start: number, len: number, id: number): PayloadRef {
    const at = this.batchLen;
    const head = this.framed ? RECORD_HEADER : 0;
    this.reserve(at + head + len);
    body.copy(this.batch, at + head, start, start + len);
    if (this.framed) frame(this.batch, at, len, id);
    this.batchLen = at + head + len;
    return { off: this.size + at, len };
  }

  private reserve(bytes: number): void {
    if (bytes <= this.batch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.batch.length * 2));
    this.batch.copy(grown, 0, 0, this.batchLen);
    this.batch = grown;
  }

  flush(): void {
    if (!this.batchLen) return;
    try {
      for (let done = 0; done < this.batchLen; ) done += fs.writeSync(this.fd, this.batch, done, this.batchLen - done);
    } catch (e) {
      this.cutBack();
      this.discard();
      throw e;
    }
    this.size += this.batchLen;
    this.discard();
  }

  /** After a failed write: the file ends where `size` says, so later offsets stay true. */
  private cutBack(): void {
    try {
      fs.ftruncateSync(this.fd, this.size);
    } catch {
      // The partial batch stays as unreferenced bytes; offsets follow the real end of the file.
      this.size = fs.fstatSync(this.fd).size;
    }
  }

  discard(): void {
    this.batchLen = 0;
    if (this.batch.length > MAX_KEPT_BATCH_BYTES) this.batch = Buffer.allocUnsafe(BATCH_BYTES);
  }

  read(off: number | null, len: number | null, id: number): string | null {
    if (off === null || len === null || len < 0 || off < 0) return null;
    if (!this.framed) return this.readLegacy(off, len);
    const total = RECORD_HEADER + len;
    if (off >= this.size) {
      // Not flushed yet: a batch that completes its own rows reads them back.
      const at = off - this.size;
      return at + total <= this.batchLen && verify(this.batch, at, len, id) ? this.batch.toString('utf8', at + RECORD_HEADER, at + total) : null;
    }
    if (off + total > this.size) return null;
    if (this.scratch.length < total) this.scratch = Buffer.allocUnsafe(total);
    const n = fs.readSync(this.fd, this.scratch, 0, total, off);
    return n === total && verify(this.scratch, 0, len, id) ? this.scratch.toString('utf8', RECORD_HEADER, total) : null;
  }

  private readLegacy(off: number, len: number): string | null {
    if (len === 0) return null;
    if (off + len > this.size) {
      const at = off - this.size;
      return at >= 0 && at + len <= this.batchLen ? this.batch.toString('utf8', at, at + len) : null;
    }
    const buf = Buffer.allocUnsafe(len);
    const n = fs.readSync(this.fd, buf, 0, len, off);
    return n === len ? buf.toString('utf8') : null;
  }

  sync(): void {
    fs.fsyncSync(this.fd);
  }

  truncate(): void {
    this.discard();
    fs.ftruncateSync(this.fd, 0);
    fs.writeSync(this.fd, FILE_HEADER);
    this.size = FILE_HEADER.length;
    this.framed = true;
  }

  get bytes(): number {
    return this.size;
  }

  get unflushed(): number {
    return this.batchLen;
  }

  /** Whether records are framed (false: a file written before the framing). */
  get isFramed(): boolean {
    return this.framed;
  }

  /** Bytes a row's record takes in the file beyond its `payload_len`. */
  get overhead(): number {
    return this.framed ? RECORD_HEADER : 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
