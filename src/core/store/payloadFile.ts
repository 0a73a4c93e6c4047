/**
 * Event metadata lives outside SQLite, in an append-only file beside the database
 * (`<db>.payloads`): inserting hundreds of bytes per row into sql.js costs more than the rest of
 * the row, and metadata is only read for the few rows on screen. An event row holds
 * `(payload_off, payload_len)`; SQL reads it back with the `payload(off, len)` function registered
 * on the connection. The file is fsynced before every snapshot, so a snapshot never points past
 * durable bytes; journal replay appends again (old copies are unreferenced garbage).
 */
import * as fs from 'node:fs';

export interface PayloadStore {
  add(json: string): { off: number; len: number };
  /** Take back the latest `add` while it is unflushed (its row was not inserted after all). */
  dropLast(ref: { off: number; len: number }): void;
  flush(): void;
  discard(): void;
  read(off: number | null, len: number | null): string | null;
  sync(): void;
  truncate(): void;
  close(): void;
}

/** In-memory payloads for databases without a file (query unit tests, throwaway databases). */
export class MemoryPayloads implements PayloadStore {
  private chunks: string[] = [];
  add(json: string): { off: number; len: number } {
    this.chunks.push(json);
    return { off: this.chunks.length - 1, len: 1 };
  }
  dropLast(ref: { off: number; len: number }): void {
    if (ref.off === this.chunks.length - 1) this.chunks.pop();
  }
  flush(): void {}
  discard(): void {}
  read(off: number | null, len: number | null): string | null {
    return off === null || len === null ? null : (this.chunks[off] ?? null);
  }
  sync(): void {}
  truncate(): void {
    this.chunks = [];
  }
  close(): void {}
}

export class PayloadFile implements PayloadStore {
  private fd: number;
  private size: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Unflushed payloads by offset: a batch that completes its own rows reads them back (O(1) each). */
  private pendingAt = new Map<number, Buffer>();

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'a+');
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Reserve space for a payload; it is written by `flush()` (once per insert batch). */
  add(json: string): { off: number; len: number } {
    const buf = Buffer.from(json, 'utf8');
    const off = this.size + this.pendingBytes;
    this.pending.push(buf);
    this.pendingAt.set(off, buf);
    this.pendingBytes += buf.length;
    return { off, len: buf.length };
  }

  dropLast(ref: { off: number; len: number }): void {
    const last = this.pending[this.pending.length - 1];
    if (!last || this.size + this.pendingBytes - last.length !== ref.off || last.length !== ref.len) return;
    this.pending.pop();
    this.pendingAt.delete(ref.off);
    this.pendingBytes -= last.length;
  }

  flush(): void {
    if (!this.pending.length) return;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    let done = 0;
    while (done < buf.length) done += fs.writeSync(this.fd, buf, done, buf.length - done);
    this.size += buf.length;
    this.discard();
  }

  /** Forget unflushed reservations (a rolled-back batch). */
  discard(): void {
    this.pending = [];
    this.pendingAt.clear();
    this.pendingBytes = 0;
  }

  read(off: number | null, len: number | null): string | null {
    if (off === null || len === null || len <= 0 || off < 0) return null;
    if (off + len > this.size) {
      // Not written yet (same batch) or lost with an unsynced tail after a crash.
      const buf = this.pendingAt.get(off);
      return buf && buf.length === len ? buf.toString('utf8') : null;
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
    this.size = 0;
  }

  get bytes(): number {
    return this.size;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
