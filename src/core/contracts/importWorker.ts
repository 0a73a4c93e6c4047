/**
 * Messages between the import runner (main thread) and its parse worker
 * (`importers/parseWorker.ts`, bundled as `dist/importWorker.js`). The runner sends every file to
 * read, in order; the worker answers with validated events in batches and one `done` per file.
 * Flow control: the worker keeps at most `IMPORT_WORKER_CREDITS` event batches unacknowledged;
 * the runner acknowledges a batch with `credit` once it has been handed to ingest.
 */
import type { EventInput } from './events';

export const IMPORT_WORKER_CREDITS = 2;

export type LogKindWire = 'claude' | 'codex' | 'gemini' | 'copilot' | 'copilot-store' | 'opencode' | 'opencode-json' | 'copilot-chat';

export interface FilePassOutcome {
  unchanged: boolean;
  restarted: boolean;
  bytesRead: number;
  lines: number;
  events: number;
  skipped: { line: number; reason: string }[];
  state: ImportStateRow;
}

export type ToImportWorker =
  | { type: 'file'; seq: number; path: string; kind: LogKindWire; state: ImportStateRow | null; batchSize: number }
  | { type: 'credit' }
  | { type: 'close' };

export type FromImportWorker =
  | { type: 'events'; seq: number; events: EventInput[] }
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
