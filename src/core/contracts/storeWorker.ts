/**
 * Messages between the main thread (`store/store.ts`) and the store worker (`store/worker.ts`),
 * which owns the sql.js database. Requests carry an id; every request gets exactly one response
 * with the same id. Requests are handled strictly in order, so a `snapshot` covers every
 * `insert` sent before it.
 */
import type { EventRecord } from '../store/records';
import type { InsertOutcome } from '../store/insert';

export type WorkerRequest =
  | { id: number; op: 'open'; dbPath: string; wasmPath: string }
  /**
   * `seq`: the journal seq the records are covered by. `journaled`: some of them are in the journal
   * only; until such a batch is applied (the main thread retries a failed one), no snapshot may
   * cover its seq.
   */
  | { id: number; op: 'insert'; seq: number; records: EventRecord[]; journaled: boolean }
  | { id: number; op: 'query'; name: string; params: unknown; write: boolean }
  | { id: number; op: 'snapshot'; seq: number }
  | { id: number; op: 'close' };

export interface OpenResult {
  /** Seq of the last journal batch contained in the loaded snapshot. */
  snapshotSeq: number;
  maxId: number;
  events: number;
  /** Set when the database file was unreadable and moved aside. */
  corruptMovedTo: string | null;
  /** Set when the database was loaded from `<db>.bak` instead. */
  loadedBackup: boolean;
  schemaVersion: number;
  /**
   * How the loaded file was found sound: its bytes matched the digest written with it
   * (`snapshotDigest.ts`), SQLite's integrity check read it all, or there was no file.
   */
  integrity: 'digest' | 'checked' | 'new';
}

export interface SnapshotResult {
  seq: number;
  bytes: number;
  /** Freezing the database file; the store worker answers nothing meanwhile. */
  exportMs: number;
  /** Writing the frozen file out, fsync and renames, with the store worker free. */
  writeMs: number;
  /** Seq covered by the snapshot this one replaced (now `<db>.bak`). */
  previousSeq: number;
}

export type WorkerResponse =
  | { id: number; ok: true; result: OpenResult | InsertOutcome | SnapshotResult | unknown }
  /** `code`: the Node error code (e.g. `ENOSPC`) when the failure was a file system error. */
  | { id: number; ok: false; error: string; code?: string };
