/**
 * A thin typed wrapper over a sql.js Database that caches prepared statements. Query functions in
 * `queries/` receive one of these; they run inside the store worker (`worker.ts`).
 */
import type { Database, SqlValue, Statement } from 'sql.js';
import { EventDictionary } from './eventDictionary';
import { eventIdHash } from './eventIdHash';
import { MemoryPayloads, type PayloadStore } from './payloadFile';

export type Params = SqlValue[] | Record<string, SqlValue>;

/**
 * SQLite's page cache is in the wasm heap, which never shrinks; a miss costs a 4 KB copy from the
 * pages written since the last snapshot or one `pread` of the snapshot file (`pagedFile.ts`), which
 * the OS caches. 2 MB holds the upper levels of the indexes. 32 MB was measured when the whole
 * file was in memory (1M events, same runs): 35 MB more resident after start, first import of 128
 * MB of Claude logs 1.07x the CPU, the dashboard's aggregates after a write as fast.
 */
const PRAGMAS = 'PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -2048;';

export class SqlDb {
  private readonly cache = new Map<string, Statement>();

  /** Event metadata store: the payload file for real databases, memory otherwise. */
  payloads: PayloadStore = new MemoryPayloads();

  /** The numbers event rows hold for their repeated strings (`eventDictionary.ts`). */
  readonly dictionary = new EventDictionary(this);

  constructor(readonly raw: Database) {
    this.configure();
  }

  /**
   * Connection settings and SQL functions, applied once per connection. Durability comes from
   * our journal and snapshots (DESIGN §3), so SQLite's own rollback journal is kept in memory and
   * it never syncs: a transaction can still roll back, and the snapshot file is never written
   * (changed pages stay in memory until the next snapshot, `pagedFile.ts`).
   */
  configure(): void {
    this.raw.exec(PRAGMAS);
    this.raw.create_function('payload', (off: number | null, len: number | null, id: number) => this.payloads.read(off, len, id));
    this.raw.create_function('event_id_hash', (id: string | null) => (id === null ? null : eventIdHash(id)));
  }

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** All rows as objects. */
  all<T = Record<string, SqlValue>>(sql: string, params?: Params): T[] {
    const s = this.stmt(sql);
    try {
      if (params) s.bind(params);
      const out: T[] = [];
      while (s.step()) out.push(s.getAsObject() as T);
      return out;
    } finally {
      s.reset();
    }
  }

  /** Calls `fn` with each row as an array of column values (no object per row: for big scans). */
  each(sql: string, params: Params | undefined, fn: (row: SqlValue[]) => void): void {
    const s = this.stmt(sql);
    try {
      if (params) s.bind(params);
      while (s.step()) fn(s.get());
    } finally {
      s.reset();
    }
  }

  /** The first row, or undefined. */
  get<T = Record<string, SqlValue>>(sql: string, params?: Params): T | undefined {
    const s = this.stmt(sql);
    try {
      if (params) s.bind(params);
      return s.step() ? (s.getAsObject() as T) : undefined;
    } finally {
      s.reset();
    }
  }

  /** Run a statement; returns the number of rows it changed. */
  run(sql: string, params?: Params): number {
    const s = this.stmt(sql);
    try {
      if (params) s.bind(params);
      s.step();
      return this.raw.getRowsModified();
    } finally {
      s.reset();
    }
  }

  /** Run several statements (no parameters, no caching): DDL and transactions. */
  exec(sql: string): void {
    this.raw.exec(sql);
  }

  transaction<T>(fn: () => T): T {
    this.raw.exec('BEGIN');
    try {
      const out = fn();
      this.raw.exec('COMMIT');
      return out;
    } catch (e) {
      this.raw.exec('ROLLBACK');
      this.dictionary.forget();
      throw e;
    }
  }

  /** Free every cached prepared statement (before closing the connection). */
  clearStatements(): void {
    for (const s of this.cache.values()) s.free();
    this.cache.clear();
  }
}
