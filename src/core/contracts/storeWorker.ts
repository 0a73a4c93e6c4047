/**
 * Messages between the main thread (`store/store.ts`) and the store worker (`store/worker.ts`),
 * which owns the sql.js database. Requests carry an id; every request gets exactly one response
 * with the same id. Requests are handled strictly in order, so a `snapshot` covers every
 * `insert` sent before it.
 */
import type { EventColumns } from './events';

/** An event as the store holds it (and as it crosses to the store worker and back). */
export interface EventRecord extends EventColumns {
  /** Event time, epoch ms. */
  created_at: number;
  received_at: number;
  /**
   * The time the client sent, as sent. Stored as `''` when it is exactly `created_at` in ISO form
   * (nearly always: 24 bytes a row saved); `recordToStoredEvent` gives it back.
   */
  client_timestamp: string | null;
  /** Serialized metadata (already capped), or null. */
  metadata: string | null;
  payload_truncated: 0 | 1;
  /**
   * A Codex hook prompt's turn id: the store gives the record the id `prompt:codex:<session>:<n>`
   * (n: the turn's ordinal in its conversation) when it applies it, the id the rollout importer
   * and the OTLP mapper give the same prompt. Numbering in the store keeps the hook route free of
   * any wait on it: the record is journaled as sent, and a replay numbers it the same way.
   */
  number_turn?: string;
}

/** What became of a record: stored, skipped as a duplicate id, or completed a stored running event. */
export type InsertKind = 'inserted' | 'duplicate' | 'completed';

export interface InsertOutcome {
  /** Per record: the stored row id (existing row for duplicates/completions). */
  ids: number[];
  /** Per record: what became of it. */
  kinds: InsertKind[];
  inserted: number;
  duplicates: number;
  completed: number;
  /** Sessions whose row changed. */
  sessions: string[];
}

export type WorkerRequest =
  /** `readOnly`: the file is never written (an old schema is migrated in memory only). */
  | { id: number; op: 'open'; dbPath: string; wasmPath: string; readOnly: boolean }
  /**
   * `seq`: the journal seq the records are covered by. `journaled`: some of them are in the journal
   * only; until such a batch is applied (the main thread retries a failed one), no snapshot may
   * cover its seq.
   */
  | { id: number; op: 'insert'; seq: number; records: EventRecord[]; journaled: boolean }
  /**
   * Unjournaled records packed by an import's parse worker (`store/packedRecords.ts`, v8-serialized
   * `EventRecord[]`), applied as one `insert`; the records get the ids `firstId`, `firstId + 1`, … in order.
   */
  | { id: number; op: 'insertPacked'; seq: number; firstId: number; chunks: Uint8Array[] }
  | { id: number; op: 'query'; name: string; params: unknown; write: boolean }
  | { id: number; op: 'snapshot'; seq: number }
  /** After the final snapshot of a clean stop: copy it as `<db>.bak`; answers the seq both cover. */
  | { id: number; op: 'settleBackup' }
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
  /** Migrations ran at this open: the file on disk is of an older schema until the next snapshot. */
  migrated: boolean;
  /**
   * How the loaded file was found sound: its bytes matched the digest written with it
   * (`snapshotDigest.ts`), SQLite's integrity check read it all, or there was no file.
   */
  integrity: 'digest' | 'checked' | 'new';
  /** Set when the file was converted to a schema that rewrites every event (`convertDatabase.ts`). */
  converted: ConversionResult | null;
}

/**
 * The line (prefix) the server writes on stderr when a start converts its database
 * (\`convertDatabase.ts\`): on a large database that takes minutes, and the extension's supervisor
 * waits for a server that said this as long as it runs (up to \`CONVERSION_MAX_MS\`), not only its
 * usual start timeout.
 */
export const CONVERTING_NOTICE = 'agentmonitor: converting the database';
/** Longest a start that converts its database is waited for. */
export const CONVERSION_MAX_MS = 30 * 60_000;

/** The store worker's job for a converting worker (`workerData.convert`, `convertDatabase.ts`). */
export interface ConversionJob {
  dbPath: string;
  wasmPath: string;
  /** The server that asked: a conversion whose server is gone never replaces the file. */
  parentPid: number;
}

export interface ConversionResult {
  /** The database file's size before and after. */
  bytesBefore: number;
  bytesAfter: number;
  ms: number;
}

/** The converting worker's one message to the store worker. */
export type ConversionMessage = { ok: true; result: ConversionResult } | { ok: false; error: string };

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
