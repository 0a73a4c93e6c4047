/**
 * Event metadata lives outside SQLite, in an append-only file beside the database
 * (`<db>.payloads`, see `payloadFiles.ts` for which file a snapshot uses): inserting hundreds of
 * bytes per row into sql.js costs more than the rest of the row, and metadata is only read for
 * the few rows on screen. An event row holds `(payload_off, payload_len)`; SQL reads it back with
 * the `payload(off, len, id)` function registered on the connection. Records are framed and
 * gathered into compressed blocks (`payloadRecord.ts`) so that a read verifies it found the row's own
 * record; files written before the blocks (plain records) or before the framing (no file header)
 * are read as they are. The file is fsynced before every snapshot, so
 * a snapshot never points past durable bytes; journal replay appends again (old copies are
 * unreferenced garbage).
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { BLOCK_HEADER, BLOCKED, blockedOffset, blockOf, FILE_HEADER, frame, frameBlock, MAX_BLOCK_RECORDS, RECORD_HEADER, recordAt, verify } from './payloadRecord';

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
/**
 * Records a block gathers before it is compressed (a record larger than this gets a block of its
 * own). Brotli at quality 1, 32 KB blocks: 1M demo events' payloads to 0.18 of their size, a real
 * Claude import's to 0.33, at 2.5-5 ms of CPU a MB (deflate level 1: the same sizes at 5-10 ms a
 * MB; 4 KB blocks 0.30 of the demo's, 64 KB 0.17); reading a record decompresses its block, about
 * 70-100 µs.
 */
const BLOCK_RAW_BYTES = 32 * 1024;
const BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: BLOCK_RAW_BYTES } };
const LEGACY_FIRST_BYTE = 0x7b; // '{': unframed files hold JSON objects back to back

export class PayloadFile {
  private fd: number;
  private size: number;
  /** Whether records are framed; false for a file written before the framing. */
  private framed: boolean;
  /** The unflushed batch of whole blocks, kept between flushes (fresh memory is expensive). */
  private batch = Buffer.allocUnsafe(BATCH_BYTES);
  private batchLen = 0;
  /** The records of the block being gathered, which starts at file offset `openAt` (-1: none). */
  private open = Buffer.allocUnsafe(BLOCK_RAW_BYTES * 2);
  private openLen = 0;
  private openCount = 0;
  private openAt = -1;
  /**
   * The records of the block closed last (swapped with `open`: no copy, nothing to decompress): a call's
   * completion reads its start back, usually written just before.
   */
  private closed = Buffer.allocUnsafe(BLOCK_RAW_BYTES * 2);
  private closedLen = 0;
  private closedAt = -1;
  /** The last block read from the file, decompressed: reads of neighbouring rows find it here. */
  private lastBlock: { at: number; raw: Buffer } | null = null;
  private scratch = Buffer.allocUnsafe(4096);
  /** Bytes the file's records would take unblocked: what garbage is measured against. */
  rawBytes: number;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'a+');
    this.size = fs.fstatSync(this.fd).size;
    this.rawBytes = this.size;
    const head = Buffer.alloc(FILE_HEADER.length);
    fs.readSync(this.fd, head, 0, head.length, 0);
    this.framed = this.size === 0 || head[0] !== LEGACY_FIRST_BYTE;
    if (this.framed && this.size < FILE_HEADER.length) this.truncate();
  }

  add(json: string, id: number): PayloadRef {
    if (!this.framed) return this.addLegacy(json);
    const at = this.startRecord(json.length * 3);
    const len = this.open.write(json, at + RECORD_HEADER, 'utf8');
    return this.endRecord(at, len, id);
  }

  /** `add` for a body already in UTF-8 bytes (`body[start, start + len)`): a compaction's copy. */
  addBytes(body: Buffer, start: number, len: number, id: number): PayloadRef {
    if (!this.framed) return this.addLegacy(body.toString('utf8', start, start + len));
    const at = this.startRecord(len);
    body.copy(this.open, at + RECORD_HEADER, start, start + len);
    return this.endRecord(at, len, id);
  }

  /** Room in the open block for a record of at most `maxBody` bytes; where it goes. */
  private startRecord(maxBody: number): number {
    if (this.openAt < 0) {
      this.openAt = this.size + this.batchLen;
      this.openLen = 0;
      this.openCount = 0;
    }
    this.growOpen(this.openLen + RECORD_HEADER + maxBody);
    return this.openLen;
  }

  private growOpen(need: number): void {
    if (need <= this.open.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.open.length * 2));
    this.open.copy(grown, 0, 0, this.openLen);
    this.open = grown;
  }

  private endRecord(at: number, len: number, id: number): PayloadRef {
    frame(this.open, at, len, id);
    this.rawBytes += RECORD_HEADER + len;
    if (this.openCount > 0 && at + RECORD_HEADER + len > BLOCK_RAW_BYTES) {
      // The block is full without this record: it goes first, and the record starts the next one.
      this.openLen = at;
      this.closeBlock();
      this.growOpen(RECORD_HEADER + len);
      this.closed.copy(this.open, 0, at, at + RECORD_HEADER + len);
      this.openAt = this.size + this.batchLen;
      this.openCount = 0;
      at = 0;
    }
    this.openLen = at + RECORD_HEADER + len;
    const ref = { off: blockedOffset(this.openAt, this.openCount), len };
    this.openCount++;
    if (this.openCount === MAX_BLOCK_RECORDS || this.openLen >= BLOCK_RAW_BYTES) this.closeBlock();
    return ref;
  }

  /** Compress the open block into the batch. */
  private closeBlock(): void {
    if (this.openAt < 0) return;
    const comp = zlib.brotliCompressSync(this.open.subarray(0, this.openLen), BROTLI);
    const at = this.batchLen;
    this.reserve(at + BLOCK_HEADER + comp.length);
    comp.copy(this.batch, at + BLOCK_HEADER);
    frameBlock(this.batch, at, comp.length, this.openLen, this.openCount);
    this.batchLen = at + BLOCK_HEADER + comp.length;
    [this.closed, this.open] = [this.open, this.closed];
    this.closedAt = this.openAt;
    this.closedLen = this.openLen;
    this.openAt = -1;
    this.openLen = 0;
    this.openCount = 0;
  }

  private addLegacy(json: string): PayloadRef {
    const at = this.batchLen;
    this.reserve(at + json.length * 3);
    const len = this.batch.write(json, at, 'utf8');
    this.batchLen = at + len;
    this.rawBytes += len;
    return { off: this.size + at, len };
  }

  private reserve(bytes: number): void {
    if (bytes <= this.batch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.batch.length * 2));
    this.batch.copy(grown, 0, 0, this.batchLen);
    this.batch = grown;
  }

  flush(): void {
    this.closeBlock();
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
    if (this.closedAt >= this.size) this.closedAt = -1;
    this.openAt = -1;
    this.openLen = 0;
    this.openCount = 0;
    if (this.batch.length > MAX_KEPT_BATCH_BYTES) this.batch = Buffer.allocUnsafe(BATCH_BYTES);
    if (this.open.length > MAX_KEPT_BATCH_BYTES) this.open = Buffer.allocUnsafe(BLOCK_RAW_BYTES * 2);
    if (this.closed.length > MAX_KEPT_BATCH_BYTES) {
      this.closed = Buffer.allocUnsafe(BLOCK_RAW_BYTES * 2);
      this.closedAt = -1;
    }
  }

  read(off: number | null, len: number | null, id: number): string | null {
    const body = this.readBody(off, len, id);
    return body && body.buf.toString('utf8', body.at, body.at + body.len);
  }

  /** Where row `id`'s body is (valid until the next call), or null when it is missing or damaged. */
  readBody(off: number | null, len: number | null, id: number): { buf: Buffer; at: number; len: number } | null {
    if (off === null || len === null || len < 0 || off < 0) return null;
    if (!this.framed) return this.readLegacy(off, len);
    if (off >= BLOCKED) {
      const { at, index } = blockOf(off);
      const raw = this.blockRaw(at);
      const rec = raw ? recordAt(raw, index) : -1;
      return rec >= 0 && verify(raw!, rec, len, id) ? { buf: raw!, at: rec + RECORD_HEADER, len } : null;
    }
    const total = RECORD_HEADER + len;
    if (off >= this.size || off + total > this.size) return null;
    if (this.scratch.length < total) this.scratch = Buffer.allocUnsafe(total);
    const n = fs.readSync(this.fd, this.scratch, 0, total, off);
    return n === total && verify(this.scratch, 0, len, id) ? { buf: this.scratch, at: RECORD_HEADER, len } : null;
  }

  /** The records of the block at file offset `at` (flushed, in the batch, or still open), or null. */
  private blockRaw(at: number): Buffer | null {
    if (at === this.openAt) return this.open.subarray(0, this.openLen);
    if (at === this.closedAt) return this.closed.subarray(0, this.closedLen);
    if (this.lastBlock?.at === at) return this.lastBlock.raw;
    let buf: Buffer;
    let from: number;
    if (at >= this.size) {
      // Not flushed yet: a batch that completes its own rows reads them back.
      buf = this.batch;
      from = at - this.size;
      if (from + BLOCK_HEADER > this.batchLen) return null;
    } else {
      if (at + BLOCK_HEADER > this.size) return null;
      if (fs.readSync(this.fd, this.scratch, 0, BLOCK_HEADER, at) !== BLOCK_HEADER) return null;
      const total = BLOCK_HEADER + this.scratch.readUInt32LE(4);
      if (at + total > this.size) return null;
      if (this.scratch.length < total) this.scratch = Buffer.allocUnsafe(total);
      if (fs.readSync(this.fd, this.scratch, 0, total, at) !== total) return null;
      buf = this.scratch;
      from = 0;
    }
    const compLen = buf.readUInt32LE(from + 4);
    const rawLen = buf.readUInt32LE(from + 8);
    const end = from + BLOCK_HEADER + compLen;
    if (end > (buf === this.batch ? this.batchLen : buf.length) || buf.readUInt32LE(from) !== zlib.crc32(buf.subarray(from + 4, end))) return null;
    let raw: Buffer;
    try {
      raw = zlib.brotliDecompressSync(buf.subarray(from + BLOCK_HEADER, end), { maxOutputLength: Math.max(rawLen, 1) });
    } catch {
      return null;
    }
    if (raw.length !== rawLen) return null;
    if (buf !== this.batch) this.lastBlock = { at, raw };
    return raw;
  }

  private readLegacy(off: number, len: number): { buf: Buffer; at: number; len: number } | null {
    if (len === 0) return null;
    if (off + len > this.size) {
      const at = off - this.size;
      return at >= 0 && at + len <= this.batchLen ? { buf: this.batch, at, len } : null;
    }
    const buf = Buffer.allocUnsafe(len);
    const n = fs.readSync(this.fd, buf, 0, len, off);
    return n === len ? { buf, at: 0, len } : null;
  }

  sync(): void {
    fs.fsyncSync(this.fd);
  }

  truncate(): void {
    this.discard();
    this.lastBlock = null;
    this.closedAt = -1;
    fs.ftruncateSync(this.fd, 0);
    fs.writeSync(this.fd, FILE_HEADER);
    this.size = FILE_HEADER.length;
    this.rawBytes = this.size;
    this.framed = true;
  }

  get bytes(): number {
    return this.size;
  }

  get unflushed(): number {
    return this.batchLen + this.openLen;
  }

  /** Whether records are framed (false: a file written before the framing). */
  get isFramed(): boolean {
    return this.framed;
  }

  /** Bytes a row's record takes beyond its `payload_len`, unblocked. */
  get overhead(): number {
    return this.framed ? RECORD_HEADER : 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
