/**
 * Messages between the import runner (main thread) and its parse worker
 * (`importers/parseWorker.ts`, bundled as `dist/importWorker.js`). The runner sends every file to
 * read, in order; the worker answers with validated events in batches and one `done` per file.
 * Flow control: the worker keeps at most `IMPORT_WORKER_CREDITS` event batches unacknowledged;
 * the runner acknowledges a batch with `credit` once it has been handed to ingest.
 *
 * With `records` in a file job (a bulk import that skips the journal), the worker normalizes and
 * prices the events itself (`ingest/normalize.ts`, as the ingest pipeline would) and sends them as
 * `packed` records instead: v8-serialized bytes the main thread forwards to the store worker
 * without reading them (`store/packedRecords.ts`), so the records are cloned once, not twice.
 */
import type { EventInput } from './events';

export const IMPORT_WORKER_CREDITS = 2;

/** A registered log source's `kind` (`importers/logSources.ts`; `claude`, `codex`, `copilot-store`, …). */
export type LogKindWire = string;

export interface FilePassOutcome {
  unchanged: boolean;
  restarted: boolean;
  bytesRead: number;
  lines: number;
  events: number;
  skipped: { line: number; reason: string }[];
  state: ImportStateRow;
}

/** How the worker turns events into records: the ingest pipeline's settings and its price book's inputs. */
export interface RecordOptions {
  maxPayloadBytes: number;
  storeThinking: boolean;
  /** `PriceBook.inputs` of the main thread's book (overrides and the database's price update, validated there). */
  prices: { overrides: Record<string, object>; updated: Record<string, object> };
}

/** Records serialized with `v8.serialize` (ids 0: the store assigns them in order from the batch's first id). */
export interface PackedRecords {
  count: number;
  bytes: Uint8Array;
}

export type ToImportWorker =
  | { type: 'file'; seq: number; path: string; kind: LogKindWire; state: ImportStateRow | null; batchSize: number; records?: RecordOptions }
  | { type: 'credit' }
  | { type: 'close' };

export type FromImportWorker =
  | { type: 'events'; seq: number; events: EventInput[] }
  | { type: 'records'; seq: number; packed: PackedRecords }
  | { type: 'done'; seq: number; outcome: FilePassOutcome }
  | { type: 'error'; seq: number; message: string };

/** A log file's import progress, as the store keeps it. */
export interface ImportStateRow {
  path: string;
  size: number;
  mtime_ms: number;
  byte_offset: number;
  head_hash: string;
  /** Parser state carried between passes (JSON), e.g. Codex running totals. */
  state_json: string | null;
  updated_at: number;
}
