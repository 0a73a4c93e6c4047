/**
 * The database file as SQLite sees it inside sql.js, kept on disk instead of in wasm memory: the
 * bytes of the last snapshot are read from that file when SQLite asks for them, and the pages
 * written since stay in memory, in layers, until a snapshot has written them out.
 *
 * Contract with `sqlJsRuntime.ts` (patch "paged file"): MEMFS hands this object every read, write
 * and truncation of the database's file node, with the wasm heap as buffer; `size` is the file's
 * length. `read`/`write` return the bytes moved, or -1 for an I/O error (SQLite then reports
 * SQLITE_IOERR instead of reading zeros).
 *
 * Layers, bottom to top: the base (the snapshot file on disk, or bytes in memory), then frozen
 * layers (pages written before a snapshot froze them), then the writable top. A page's bytes come
 * from the highest layer holding it; a layer also records how much of the file beneath it still
 * shows (`below`, cut by truncation), past which bytes read as zeros. `freeze()` makes the top
 * read-only for a snapshot to write out, `rebase()` replaces everything the snapshot wrote with the
 * file it wrote, `thaw()` folds a frozen layer back when its snapshot failed.
 */
import * as fs from 'node:fs';

export const PAGE = 4096;
/** Pages allocated together: one allocation per 1 MB of written pages, freed with their layer. */
const SLAB_PAGES = 256;

interface Base {
  readonly size: number;
  /** Fill `into[at, at + len)` with the base's bytes from `pos` (zeros past its end); false on an I/O error. */
  read(into: Uint8Array, at: number, pos: number, len: number): boolean;
  close(): void;
}

class FileBase implements Base {
  readonly size: number;
  constructor(
    readonly fd: number,
    readonly path: string,
  ) {
    this.size = fs.fstatSync(fd).size;
  }
  read(into: Uint8Array, at: number, pos: number, len: number): boolean {
    const have = Math.max(0, Math.min(len, this.size - pos));
    let done = 0;
    try {
      while (done < have) {
        const n = fs.readSync(this.fd, into, at + done, have - done, pos + done);
        if (n <= 0) return false; // the file shrank under us: never hand SQLite zeros for its pages
        done += n;
      }
    } catch {
      return false;
    }
    if (have < len) into.fill(0, at + have, at + len);
    return true;
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

class BytesBase implements Base {
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  read(into: Uint8Array, at: number, pos: number, len: number): boolean {
    const have = Math.max(0, Math.min(len, this.bytes.length - pos));
    if (have > 0) into.set(this.bytes.subarray(pos, pos + have), at);
    if (have < len) into.fill(0, at + have, at + len);
    return true;
  }
  close(): void {}
}

class Layer {
  readonly pages = new Map<number, Uint8Array>();
  private slab: Uint8Array | null = null;
  private slabUsed = SLAB_PAGES;
  constructor(
    /** Bytes of the file beneath this layer that still show through (truncation cuts it). */
    public below: number,
    /** The file's length as this layer sees it. */
    public size: number,
  ) {}
  newPage(index: number): Uint8Array {
    if (this.slabUsed === SLAB_PAGES) {
      this.slab = new Uint8Array(SLAB_PAGES * PAGE);
      this.slabUsed = 0;
    }
    const page = this.slab!.subarray(this.slabUsed * PAGE, ++this.slabUsed * PAGE);
    this.pages.set(index, page);
    return page;
  }
}

/** What a snapshot writes: the file as it was when `freeze()` was called. */
export class FrozenFile {
  constructor(
    private readonly file: PagedFile,
    /** The layer frozen (internal to `PagedFile`). */
    readonly layer: object,
    readonly size: number,
  ) {}

  /** Copy the frozen file's bytes from `pos` into `into`; returns the count, -1 on an I/O error. */
  read(pos: number, into: Uint8Array): number {
    return this.file.readFrozen(this, pos, into);
  }
}

export class PagedFile {
  /** Marks this object for the patched `Database` constructor (`sqlJsRuntime.ts`). */
  readonly amPagedFile = true;
  private base: Base;
  private readonly layers: Layer[];
  private closed = false;

  private constructor(base: Base) {
    this.base = base;
    this.layers = [new Layer(base.size, base.size)];
  }

  /** The file at `file` (read-only; never written through this object). */
  static open(file: string): PagedFile {
    return new PagedFile(new FileBase(fs.openSync(file, 'r'), file));
  }

  /** A database given as bytes (a decompressed backup) or none (a new, empty one). */
  static fromBytes(bytes: Uint8Array = new Uint8Array(0)): PagedFile {
    return new PagedFile(new BytesBase(bytes));
  }

  get size(): number {
    return this.top.size;
  }

  /** Bytes of pages held in memory (written since the last snapshot, or frozen for one). */
  get memoryBytes(): number {
    let n = 0;
    for (const l of this.layers) n += l.pages.size * PAGE;
    return n;
  }

  private get top(): Layer {
    return this.layers[this.layers.length - 1];
  }

  read(into: Uint8Array, at: number, len: number, pos: number): number {
    if (pos >= this.size || len <= 0) return 0;
    const n = Math.min(len, this.size - pos);
    return this.readAt(this.layers.length - 1, into, at, pos, n) ? n : -1;
  }

  write(from: Uint8Array, at: number, len: number, pos: number): number {
    const top = this.top;
    for (let done = 0; done < len; ) {
      const p = pos + done;
      const index = Math.floor(p / PAGE);
      const inPage = p - index * PAGE;
      const n = Math.min(len - done, PAGE - inPage);
      let page = top.pages.get(index);
      if (!page) {
        page = top.newPage(index);
        if (n < PAGE && !this.readAt(this.layers.length - 2, page, 0, index * PAGE, PAGE, top.below)) {
          top.pages.delete(index);
          return -1;
        }
      }
      page.set(from.subarray(at + done, at + done + n), inPage);
      done += n;
    }
    top.size = Math.max(top.size, pos + len);
    return len;
  }

  truncate(size: number): void {
    const top = this.top;
    if (size >= top.size) {
      top.size = size;
      return;
    }
    const keep = Math.ceil(size / PAGE);
    for (const index of [...top.pages.keys()]) if (index >= keep) top.pages.delete(index);
    const partial = top.pages.get(Math.floor(size / PAGE));
    if (partial && size % PAGE) partial.fill(0, size % PAGE);
    top.below = Math.min(top.below, size);
    top.size = size;
  }

  /**
   * Freeze the file as it is now (call between transactions, when it holds exactly the committed
   * database) for a snapshot to write out; later writes go to a new layer above it.
   */
  freeze(): FrozenFile {
    const frozen = this.top;
    this.layers.push(new Layer(frozen.size, frozen.size));
    return new FrozenFile(this, frozen, frozen.size);
  }

  /** `FrozenFile.read`. */
  readFrozen(frozen: FrozenFile, pos: number, into: Uint8Array): number {
    const level = this.levelOf(frozen);
    const n = Math.max(0, Math.min(into.length, frozen.size - pos));
    return this.readAt(level, into, 0, pos, n) ? n : -1;
  }

  /**
   * `frozen` is now the file at `file` (its snapshot was written and renamed there): read it from
   * that file and drop the pages it held.
   */
  rebase(frozen: FrozenFile, file: string): void {
    const level = this.levelOf(frozen);
    const next = new FileBase(fs.openSync(file, 'r'), file);
    if (next.size !== frozen.size) {
      next.close();
      throw new Error(`${file} holds ${next.size} bytes, the snapshot wrote ${frozen.size}`);
    }
    this.base.close();
    this.base = next;
    this.layers.splice(0, level + 1);
  }

  /** The snapshot of `frozen` failed: fold the pages written since into it, one layer again. */
  thaw(frozen: FrozenFile): void {
    const level = this.levelOf(frozen);
    const lower = this.layers[level];
    for (const upper of this.layers.splice(level + 1)) {
      const keep = Math.ceil(upper.below / PAGE);
      for (const index of [...lower.pages.keys()]) if (index >= keep) lower.pages.delete(index);
      const partial = lower.pages.get(Math.floor(upper.below / PAGE));
      if (partial && upper.below % PAGE) partial.fill(0, upper.below % PAGE);
      lower.below = Math.min(lower.below, upper.below);
      for (const [index, page] of upper.pages) lower.pages.set(index, page);
      lower.size = upper.size;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.layers.length = 0;
    this.base.close();
  }

  private levelOf(frozen: FrozenFile): number {
    const level = this.layers.indexOf(frozen.layer as Layer);
    if (level < 0 || level === this.layers.length - 1) throw new Error('the frozen file was already written out or thawed');
    return level;
  }

  /**
   * Fill `into[at, at + len)` with the file from `pos` as layer `level` sees it (-1: the base),
   * showing at most `limit` bytes of what lies beneath. Runs of pages a layer lacks are passed down
   * whole, so a long read of unchanged pages is one read of the base file.
   */
  private readAt(level: number, into: Uint8Array, at: number, pos: number, len: number, limit = Infinity): boolean {
    const end = pos + len;
    if (limit < end) {
      if (limit <= pos) {
        into.fill(0, at, at + len);
        return true;
      }
      into.fill(0, at + (limit - pos), at + len);
      return this.readAt(level, into, at, pos, limit - pos);
    }
    if (level < 0) return this.base.read(into, at, pos, len);
    const layer = this.layers[level];
    let run = -1;
    for (let p = pos; p < end; ) {
      const index = Math.floor(p / PAGE);
      const pageEnd = Math.min(end, (index + 1) * PAGE);
      const own = layer.pages.get(index);
      if (own) {
        if (run >= 0 && !this.readAt(level - 1, into, at + (run - pos), run, p - run, layer.below)) return false;
        run = -1;
        into.set(own.subarray(p - index * PAGE, pageEnd - index * PAGE), at + (p - pos));
      } else if (run < 0) run = p;
      p = pageEnd;
    }
    return run < 0 || this.readAt(level - 1, into, at + (run - pos), run, end - run, layer.below);
  }
}
