/**
 * The main-thread side of the store: starts the worker that owns the database, replays the journal
 * at start, journals and forwards inserts (coalescing small batches), runs named queries, and
 * schedules snapshots off the ingest path. The single writer of the database file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InsertOutcome, OpenResult, SnapshotResult, WorkerRequest, WorkerResponse } from '../contracts/storeWorker';
import type { PackedRecords } from '../contracts/importWorker';
import type { Logger } from '../log';
import { defaultWasmPath, leftoverTempFiles } from './database';
import type { CompactionResult } from './payloadCompaction';
import { Journal, type ReplayReport } from './journal';
import { digestPath } from './snapshotDigest';
import type { QueryName, QueryParams, QueryResult } from './queries/registry';
import { WRITE_QUERIES } from './queries/registry';
import type { EventRecord } from './records';
import { StorageError } from './storageError';

export interface StoreOptions {
  dbPath: string;
  log: Logger;
  /** Minimum seconds between snapshots while dirty. */
  snapshotIntervalS?: number;
  /** Open without a journal and never write the file (report on a database nobody owns). */
  readOnly?: boolean;
  /** Most records in flight to the worker before `append` waits (bounded memory). */
  maxPending?: number;
  /** Days of raw events to keep (0 = forever); checked hourly. */
  retentionDays?: number;
}

export interface StoreStats {
  journalSeq: number;
  pendingRecords: number;
  lastSnapshotAt: number | null;
  lastSnapshot: SnapshotResult | null;
  snapshots: number;
  open: OpenResult;
  replay: ReplayReport;
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

interface QueuedInsert {
  records: EventRecord[];
  journaled: boolean;
  resolve: (o: InsertOutcome) => void;
  reject: (e: Error) => void;
}

function workerEntry(): Worker {
  const bundled = path.join(__dirname, 'storeWorker.js');
  if (!__filename.endsWith('.ts') && fs.existsSync(bundled)) return new Worker(bundled);
  const src = path.join(__dirname, 'worker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(src)});`, { eval: true });
}

interface CacheEntry {
  gen: number;
  at: number;
  value: Promise<unknown> | null;
  running: Promise<unknown> | null;
  runningGen: number;
  next: Promise<unknown> | null;
}

const noop = (): void => {};

/** Journaled batches the worker failed to apply, retried after this long (doubling up to the max). */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

export class Store {
  private worker: Worker;
  private nextReq = 1;
  private readonly pending = new Map<number, Pending>();
  private journal: Journal | null = null;
  private nextId = 1;
  private queue: QueuedInsert[] = [];
  private queuedRecords = 0;
  private flushScheduled = false;
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private dirty = false;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private compactionTimer: NodeJS.Timeout | null = null;
  private snapshotting: Promise<SnapshotResult | null> | null = null;
  private closed = false;
  private gen = 0;
  private readonly cache = new Map<string, CacheEntry>();
  private workerError: Error | null = null;
  /** Journaled batches the worker failed to apply (disk full): retried in order, never dropped. */
  private unapplied: { seq: number; records: EventRecord[] }[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = RETRY_FIRST_MS;
  readonly stats: StoreStats;

  private constructor(private readonly opts: Required<Omit<StoreOptions, 'log'>> & { log: Logger }) {
    this.worker = workerEntry();
    this.worker.on('message', (m: WorkerResponse) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(m.code ? new StorageError(m.code, 'the database files', m.error) : new Error(m.error));
    });
    this.worker.on('error', (e) => {
      this.workerError = e;
      this.opts.log.error(`store worker crashed: ${e.stack ?? e.message}`);
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
    this.stats = {
      journalSeq: 0,
      pendingRecords: 0,
      lastSnapshotAt: null,
      lastSnapshot: null,
      snapshots: 0,
      open: undefined as unknown as OpenResult,
      replay: { batches: 0, records: 0, skipped: [] },
    };
  }

  static async open(options: StoreOptions): Promise<Store> {
    const store = new Store({
      snapshotIntervalS: 30,
      readOnly: false,
      maxPending: 100_000,
      retentionDays: 0,
      ...options,
    });
    try {
      await store.init();
    } catch (e) {
      await store.worker.terminate();
      throw e;
    }
    return store;
  }

  private call<T>(req: DistributiveOmit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.workerError) return Promise.reject(this.workerError);
    const id = this.nextReq++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id } as WorkerRequest, transfer);
    });
  }

  private async init(): Promise<void> {
    const { dbPath, log } = this.opts;
    const open = await this.call<OpenResult>({ op: 'open', dbPath, wasmPath: defaultWasmPath(), readOnly: this.opts.readOnly });
    this.stats.open = open;
    if (open.corruptMovedTo) {
      log.error(
        `database file was unreadable; moved to ${open.corruptMovedTo}. ` +
          (open.loadedBackup ? `Restored the previous snapshot (${dbPath}.bak) and ` : 'Started empty and ') +
          'replayed the journal.',
      );
    } else if (open.loadedBackup) {
      log.warn(`database file ${dbPath} was missing or empty; restored the previous snapshot (${dbPath}.bak) and replayed the journal after it`);
    }
    if (open.converted) {
      const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
      log.info(
        `converted ${dbPath} to the compact event schema: ${mb(open.converted.bytesBefore)} -> ${mb(open.converted.bytesAfter)} ` +
          `in ${(open.converted.ms / 1000).toFixed(1)} s (the old file is ${dbPath}.bak)`,
      );
    }
    const firstSegment = Journal.segmentFiles(dbPath)[0];
    if (firstSegment && firstSegment.firstSeq - 1 > open.snapshotSeq) {
      log.error(
        `the journal starts at batch ${firstSegment.firstSeq} but the database holds batches up to ${open.snapshotSeq} only: ` +
          'the snapshot that covered the batches between is gone, and so are their events',
      );
    }
    let maxId = open.maxId;
    let lastSeq = open.snapshotSeq;
    const report = this.stats.replay;
    for (const batch of Journal.replay(dbPath, open.snapshotSeq, report)) {
      await this.call<InsertOutcome>({ op: 'insert', seq: batch.seq, records: batch.records, journaled: true });
      for (const r of batch.records) if (r.id > maxId) maxId = r.id;
      lastSeq = Math.max(lastSeq, batch.seq);
    }
    for (const s of report.skipped) log.warn(`journal ${s.file}:${s.line} skipped (${s.reason})`);
    if (report.batches) log.info(`replayed ${report.records} journaled events (${report.batches} batches) after the snapshot`);
    lastSeq = Math.max(lastSeq, Journal.seqBeforeLastSegment(dbPath));
    this.nextId = maxId + 1;
    this.stats.journalSeq = lastSeq;
    if (!this.opts.readOnly) {
      for (const f of leftoverTempFiles(dbPath)) {
        fs.rmSync(f, { force: true });
        log.info(`removed ${f}, left by a snapshot that was interrupted (the journal holds its events)`);
      }
      this.journal = Journal.open(dbPath, lastSeq);
      if (report.batches || open.corruptMovedTo || open.loadedBackup || open.migrated || !fs.existsSync(dbPath)) {
        this.dirty = true;
        await this.snapshot();
      }
      this.snapshotTimer = setInterval(() => {
        if (this.dirty) void this.snapshot();
      }, this.opts.snapshotIntervalS * 1000);
      this.snapshotTimer.unref();
      if (this.opts.retentionDays > 0) {
        const prune = () => void this.pruneOld();
        setTimeout(prune, 10_000).unref();
        this.retentionTimer = setInterval(prune, 3_600_000);
        this.retentionTimer.unref();
      }
      const compact = () => {
        if (!this.closed) this.compactPayloads().catch((e: Error) => log.warn(`payload file compaction failed: ${e.message}`));
      };
      setTimeout(compact, 15_000).unref();
      this.compactionTimer = setInterval(compact, 3_600_000);
      this.compactionTimer.unref();
    }
  }

  private async pruneOld(): Promise<void> {
    if (this.closed) return;
    const before = Date.now() - this.opts.retentionDays * 86_400_000;
    try {
      const { events } = await this.query('pruneEventsBefore', { before });
      if (events) this.opts.log.info(`retention: removed ${events} events older than ${this.opts.retentionDays} days (aggregates kept)`);
    } catch (e) {
      this.opts.log.warn(`retention failed: ${(e as Error).message}`);
    }
  }

  /**
   * Compact the payload file when most of it is garbage
   * (`payloadCompaction.ts`), or always with `force`. The next snapshot keeps the result.
   */
  async compactPayloads(force = false): Promise<CompactionResult> {
    const res = await this.query('compactPayloads', { force });
    if (res.compacted) this.dirty = true;
    return res;
  }

  /** Assign ids to records (before journaling). */
  allocateIds(records: EventRecord[]): void {
    for (const r of records) r.id = this.nextId++;
  }

  /**
   * Journal the records (synchronously: once this returns the records are durable; a journal write
   * that fails throws a `StorageError`) and queue them
   * for the worker. The returned promise settles when the worker has applied them. Unjournaled
   * records (`journaled = false`, see `IngestOptions.journal`) are durable from the next snapshot.
   */
  append(records: EventRecord[], journaled = true): Promise<InsertOutcome> {
    if (this.closed || !this.journal) return Promise.reject(new Error(this.closed ? 'store is closed' : 'store is read-only'));
    if (this.workerError) return Promise.reject(this.workerError);
    // A journal that refuses the records (disk full) throws here, before anything is acknowledged.
    if (journaled) this.stats.journalSeq = this.journal.append(records);
    return this.enqueue(records, journaled);
  }

  private enqueue(records: EventRecord[], journaled: boolean): Promise<InsertOutcome> {
    this.gen++;
    this.dirty = true;
    return new Promise<InsertOutcome>((resolve, reject) => {
      this.queue.push({ records, journaled, resolve, reject });
      this.queuedRecords += records.length;
      this.stats.pendingRecords = this.queuedRecords + this.inFlight;
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Journal the records now (synchronously; a `StorageError` when the disk refuses them) and apply
   * them in the background, for callers that answer at once and must never wait on the store (hook
   * routes). Past the queue's bound it still takes them, up to twice the bound; beyond that it
   * refuses with a 503 rather than grow without limit.
   */
  appendNow(records: EventRecord[]): Promise<InsertOutcome> {
    if (this.queuedRecords + this.inFlight + records.length > 2 * this.opts.maxPending) {
      throw Object.assign(new Error(`the store is overloaded (${this.queuedRecords + this.inFlight} events waiting); nothing of this request was stored`), {
        status: 503,
        expose: true,
      });
    }
    if (this.closed || !this.journal) throw new Error(this.closed ? 'store is closed' : 'store is read-only');
    if (this.workerError) throw this.workerError;
    this.stats.journalSeq = this.journal.append(records);
    return this.enqueue(records, true);
  }

  /**
   * Records packed by an import's parse worker (`store/packedRecords.ts`): numbered here, in order,
   * and passed on to the worker as bytes (transferred). Never journaled: like `append(records,
   * false)`, durable from the next snapshot.
   */
  appendPacked(chunks: PackedRecords[]): Promise<InsertOutcome> {
    if (this.closed || !this.journal) return Promise.reject(new Error(this.closed ? 'store is closed' : 'store is read-only'));
    if (this.workerError) return Promise.reject(this.workerError);
    const count = chunks.reduce((n, c) => n + c.count, 0);
    const firstId = this.nextId;
    this.nextId += count;
    this.gen++;
    this.dirty = true;
    // Records queued before these reach the worker first.
    if (this.queue.length) this.flush();
    this.inFlight += count;
    this.stats.pendingRecords = this.queuedRecords + this.inFlight;
    const bytes = chunks.map((c) => c.bytes);
    const transfer = bytes.filter((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength).map((b) => b.buffer as ArrayBuffer);
    const done = () => {
      this.inFlight -= count;
      this.stats.pendingRecords = this.queuedRecords + this.inFlight;
      this.releaseWaiters();
    };
    const applied = this.call<InsertOutcome>({ op: 'insertPacked', seq: this.stats.journalSeq, firstId, chunks: bytes }, transfer);
    applied.then(done, done);
    return applied;
  }

  /** Resolves when the queue is below its bound; callers await it before appending more. */
  whenWritable(): Promise<void> {
    if (this.queuedRecords + this.inFlight < this.opts.maxPending) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    const records = batch.length === 1 ? batch[0].records : batch.flatMap((q) => q.records);
    this.queuedRecords = 0;
    this.inFlight += records.length;
    const seq = this.stats.journalSeq;
    const journaled = batch.some((q) => q.journaled);
    this.call<InsertOutcome>({ op: 'insert', seq, records, journaled }).then(
      (out) => {
        this.inFlight -= records.length;
        this.stats.pendingRecords = this.queuedRecords + this.inFlight;
        let off = 0;
        for (const q of batch) {
          const n = q.records.length;
          if (batch.length === 1) q.resolve(out);
          else {
            const kinds = out.kinds.slice(off, off + n);
            q.resolve({
              ids: out.ids.slice(off, off + n),
              kinds,
              inserted: kinds.filter((k) => k === 'inserted').length,
              duplicates: kinds.filter((k) => k === 'duplicate').length,
              completed: kinds.filter((k) => k === 'completed').length,
              sessions: [...new Set(q.records.map((r) => r.session_id))],
            });
          }
          off += n;
        }
        this.releaseWaiters();
      },
      (e: Error) => {
        this.inFlight -= records.length;
        this.stats.pendingRecords = this.queuedRecords + this.inFlight;
        const kept = batch.filter((q) => q.journaled).flatMap((q) => q.records);
        if (kept.length) {
          this.unapplied.push({ seq, records: kept });
          this.scheduleRetry();
        }
        this.opts.log.error(
          `store insert failed: ${e.message}` + (kept.length ? `; ${kept.length} journaled events are retried and no snapshot is written until they are applied` : ''),
        );
        for (const q of batch) {
          q.reject(q.journaled && e instanceof StorageError ? StorageError.from(e, 'the database files', 'the events are journaled and are stored once there is room') : e);
        }
        this.releaseWaiters();
      },
    );
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retryUnapplied();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  /** Apply the journaled batches that failed, oldest first; stop at the first that fails again. */
  private async retryUnapplied(): Promise<boolean> {
    while (this.unapplied.length) {
      const b = this.unapplied[0];
      try {
        await this.call<InsertOutcome>({ op: 'insert', seq: b.seq, records: b.records, journaled: true });
      } catch (e) {
        this.retryDelayMs = Math.min(RETRY_MAX_MS, this.retryDelayMs * 2);
        this.opts.log.warn(`applying ${b.records.length} journaled events failed again (${(e as Error).message}); retrying in ${this.retryDelayMs / 1000} s`);
        this.scheduleRetry();
        return false;
      }
      this.unapplied.shift();
      this.gen++;
      this.dirty = true;
      this.opts.log.info(`applied ${b.records.length} journaled events that had failed`);
    }
    this.retryDelayMs = RETRY_FIRST_MS;
    return true;
  }

  private releaseWaiters(): void {
    while (this.waiters.length && this.queuedRecords + this.inFlight < this.opts.maxPending) this.waiters.shift()!();
  }

  /** Changes whenever stored data may have changed (appends, write queries). */
  get generation(): number {
    return this.gen;
  }

  /**
   * A read answered from a short-lived cache while nothing was written since (hot dashboard and
   * ticker aggregates under load). `key` names the question (params that vary per call, such as
   * `now`, stay out of it); `ttlMs` bounds the staleness of time-relative answers. Under writes,
   * requests that arrive while the question is being computed share one computation started after
   * it: at most one runs per key, and each answer still includes every write before its request.
   */
  cached<T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<T> {
    let e = this.cache.get(key);
    if (!e) {
      if (this.cache.size > 200) this.cache.clear();
      e = { gen: -1, at: 0, value: null, running: null, runningGen: -1, next: null };
      this.cache.set(key, e);
    }
    if (e.value && e.gen === this.gen && Date.now() - e.at < ttlMs) return e.value as Promise<T>;
    if (!e.running) return this.computeCached(e, compute);
    if (e.runningGen === this.gen) return e.running as Promise<T>;
    if (!e.next) {
      const entry = e;
      const settled = e.running.then(noop, noop);
      entry.next = settled.then(() => {
        entry.next = null;
        return this.computeCached(entry, compute);
      });
    }
    return e.next as Promise<T>;
  }

  private computeCached<T>(e: CacheEntry, compute: () => Promise<T>): Promise<T> {
    const gen = this.gen;
    const at = Date.now();
    const p = compute();
    e.running = p;
    e.runningGen = gen;
    p.then(
      () => {
        if (e.running === p) e.running = null;
        if (gen >= e.gen) Object.assign(e, { value: p, gen, at });
      },
      () => {
        if (e.running === p) e.running = null;
      },
    );
    return p;
  }

  query<K extends QueryName>(name: K, params: QueryParams<K>): Promise<QueryResult<K>> {
    const write = WRITE_QUERIES.has(name);
    if (write && this.opts.readOnly) return Promise.reject(new Error(`query "${name}" writes, but the store is read-only`));
    if (write) {
      this.dirty = true;
      this.gen++;
    }
    // Read your writes: inserts journaled before this query reach the worker first.
    if (this.queue.length) this.flush();
    return this.call<QueryResult<K>>({ op: 'query', name, params, write });
  }

  /** Write a snapshot now (if anything changed); concurrent calls share one snapshot. */
  snapshot(): Promise<SnapshotResult | null> {
    if (!this.journal) return Promise.resolve(null);
    if (this.snapshotting) return this.snapshotting;
    if (!this.dirty || this.unapplied.length) return Promise.resolve(null);
    const journal = this.journal;
    this.dirty = false;
    // Inserts journaled so far must reach the worker before the snapshot request does.
    if (this.queue.length) this.flush();
    const seq = journal.rotate();
    this.snapshotting = this.call<SnapshotResult>({ op: 'snapshot', seq })
      .then((res) => {
        journal.prune(res.previousSeq);
        this.stats.lastSnapshot = res;
        this.stats.lastSnapshotAt = Date.now();
        this.stats.snapshots++;
        this.opts.log.debug(`snapshot at seq ${seq}: ${res.bytes} bytes, export ${res.exportMs.toFixed(0)} ms, write ${res.writeMs.toFixed(0)} ms`);
        return res;
      })
      .catch((e: Error) => {
        this.dirty = true;
        this.opts.log.error(`snapshot failed (the journal still holds every event): ${e.message}`);
        return null;
      })
      .finally(() => {
        this.snapshotting = null;
      });
    return this.snapshotting;
  }

  /** Remove all data durably: clear tables, snapshot, and drop every older journal segment and backup. */
  async clear(): Promise<void> {
    await this.drain();
    if (this.snapshotting) await this.snapshotting;
    await this.query('clearAll', {});
    this.unapplied = [];
    this.dirty = true;
    const res = await this.snapshot();
    if (!res) throw new Error('could not write the cleared database');
    this.journal?.prune(res.seq);
    fs.rmSync(`${this.opts.dbPath}.bak`, { force: true });
    fs.rmSync(digestPath(`${this.opts.dbPath}.bak`), { force: true });
    await this.query('payloadBackupRemoved', {});
    // Temp files of interrupted snapshots hold old data too (a running one's is its own).
    for (const f of leftoverTempFiles(this.opts.dbPath)) if (!f.endsWith(`-${process.pid}`)) fs.rmSync(f, { force: true });
  }

  /** Wait until every queued insert has been applied by the worker. */
  async drain(): Promise<void> {
    while (this.queue.length || this.inFlight > 0 || this.flushScheduled) {
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Flush everything, write a final snapshot, and stop the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    if (this.compactionTimer) clearInterval(this.compactionTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    try {
      await this.drain();
      if (this.snapshotting) await this.snapshotting;
      if (this.unapplied.length && !(await this.retryUnapplied())) {
        const n = this.unapplied.reduce((a, b) => a + b.records.length, 0);
        this.opts.log.warn(`${n} journaled events could not be applied; they stay in the journal and are replayed at the next start`);
      }
      if (this.journal) {
        await this.snapshot();
        // A clean stop leaves no journal behind (it was often larger than the database): the final
        // snapshot is kept, compressed, as the backup too, so nothing needs the journal. When that
        // fails (or the snapshot did), the journal since the backup stays, to rebuild a lost or
        // damaged file.
        // After a conversion the backup is the old file, whole: it is replaced the same way.
        const oldBackup = this.stats.open.converted !== null;
        if (!this.dirty && !this.unapplied.length && (this.journal.holdsBatches() || oldBackup) && fs.existsSync(this.opts.dbPath)) {
          try {
            this.journal.prune(await this.call<number>({ op: 'settleBackup' }));
          } catch (e) {
            this.opts.log.warn(`the journal is kept: keeping the final snapshot as the backup failed (${(e as Error).message})`);
          }
        }
      }
      await this.call({ op: 'close' });
    } finally {
      this.journal?.close();
      await this.worker.terminate();
    }
  }
}
