/**
 * A whole import: discover the log files, skip the unchanged ones, tail the others from their
 * stored offsets, ingest the events in large quiet batches (the store applies one batch while the
 * next is parsed), and store each file's new offset once its events are in. Malformed, torn or
 * enormous lines are skipped and counted; they never abort the import.
 */
import type { AgentDirs } from '../agents/folders';
import type { ImportProgress, ImportSummary } from '../contracts/api';
import type { EventInput } from '../contracts/events';
import type { FilePassOutcome, PackedRecords } from '../contracts/importWorker';
import type { IngestOutcome, IngestSink } from '../ingest/types';
import type { StoreClient } from '../store/storeClient';
import type { ImportStateRow } from '../contracts/importWorker';
import { discoverLogs, fileMatchesCwd, type LogFile } from './discover';
import { inProcessParsers, workerBundlePath, workerParsers, type ParsedBatch } from './fileParsers';
import { looksUnchanged } from './fileTail';

/**
 * Events per ingest call of an import (one store transaction). With the parse worker's batch size:
 * 5000 held ~30 MB more at the 1 GB Claude import's peak (579-590 vs 546-559 MB) for no speed.
 */
export const INGEST_BATCH = 2000;
const PARSE_BATCH = 2000;
export const MAX_SKIPPED_LISTED = 200;
const PROGRESS_EVERY_MS = 250;

export interface ImportDeps {
  store: StoreClient;
  ingest: IngestSink;
  /**
   * Makes everything ingested so far durable (a snapshot). When given, the import's events skip
   * the journal (the logs and their stored offsets are the write-ahead record until then: a crash
   * loses both and the next import reads the lines again) and it is called before the summary is
   * returned. Without it every batch is journaled.
   */
  persist?: () => Promise<unknown>;
}

/** An import: the folders of each agent (`claudeDirs`, `geminiDirs`, …; one left out is not read) and how to run it. */
export interface ImportJob extends AgentDirs {
  importId: string;
  cwdFilter?: string[];
  onProgress?(p: ImportProgress): void;
  signal?: AbortSignal;
  /** Parse in a worker thread (default: when the worker bundle exists and there is more than one file). */
  parseInWorker?: boolean;
}

/**
 * Batches events (or records packed by the parse worker) across files and keeps at most one ingest
 * in flight while parsing goes on.
 */
class Batcher {
  private buf: EventInput[] = [];
  private packed: PackedRecords[] = [];
  private packedCount = 0;
  private inflight: Promise<void> | null = null;
  inserted = 0;
  duplicates = 0;

  constructor(
    private readonly ingest: IngestSink,
    private readonly journal: boolean,
  ) {}

  async add(b: ParsedBatch): Promise<void> {
    if (b.packed) {
      this.packed.push(b.packed);
      this.packedCount += b.packed.count;
    } else for (const e of b.events) this.buf.push(e);
    if (this.buf.length + this.packedCount >= INGEST_BATCH) await this.send();
  }

  /** An import hands in either events or packed records (its parsers decide), never both. */
  private async send(): Promise<void> {
    if (this.inflight) await this.inflight;
    if (this.packed.length) {
      const chunks = this.packed;
      this.packed = [];
      this.packedCount = 0;
      this.settle(this.ingest.ingestPacked!(chunks));
      if (this.buf.length) await this.inflight;
    }
    if (!this.buf.length) return;
    const batch = this.buf;
    this.buf = [];
    this.settle(this.ingest.ingest(batch, { source: 'import', quiet: true, waitForStore: true, journal: this.journal }));
  }

  private settle(ingested: Promise<IngestOutcome>): void {
    this.inflight = ingested.then((r) => {
      this.inserted += r.inserted + r.completed;
      this.duplicates += r.duplicates;
      this.inflight = null;
    });
    this.inflight.catch(() => {});
  }

  /** Everything handed in so far is stored. */
  async drain(): Promise<void> {
    await this.send();
    if (this.inflight) await this.inflight;
  }
}

function unchangedOutcome(state: ImportStateRow): FilePassOutcome {
  return { unchanged: true, restarted: false, bytesRead: 0, lines: 0, events: 0, skipped: [], state };
}

export async function runImport(deps: ImportDeps, job: ImportJob): Promise<ImportSummary> {
  const started = Date.now();
  const summary: ImportSummary = {
    import_id: job.importId,
    files: 0,
    files_skipped_unchanged: 0,
    events: 0,
    duplicates: 0,
    lines: 0,
    skipped_lines: 0,
    skipped: [],
    duration_ms: 0,
    cancelled: false,
  };
  const progress: ImportProgress = { import_id: job.importId, phase: 'scanning', files_done: 0, files_total: 0, bytes_done: 0, bytes_total: 0, events: 0 };
  let lastProgress = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!job.onProgress || (!force && now - lastProgress < PROGRESS_EVERY_MS)) return;
    lastProgress = now;
    job.onProgress({ ...progress });
  };
  report(true);

  let files: LogFile[] = await discoverLogs(job);
  if (job.cwdFilter?.length) {
    const keep: LogFile[] = [];
    for (const f of files) if (await fileMatchesCwd(f, job.cwdFilter)) keep.push(f);
    files = keep;
  }
  const states = new Map<string, ImportStateRow>();
  for (const r of await deps.store.query('listImportState', {})) states.set(r.path, r);
  progress.phase = 'importing';
  progress.files_total = files.length;
  progress.bytes_total = files.reduce((a, f) => a + Math.max(0, f.size - (states.get(f.path)?.byte_offset ?? 0)), 0);
  report(true);

  const batcher = new Batcher(deps.ingest, !deps.persist);
  let pendingStates: ImportStateRow[] = [];
  const saveStates = async () => {
    if (!pendingStates.length) return;
    await batcher.drain();
    const rows = pendingStates;
    pendingStates = [];
    await deps.store.query('setImportState', { rows });
  };

  const changed = files.filter((f) => !looksUnchanged(states.get(f.path), f));
  const inWorker = job.parseInWorker ?? (!!workerBundlePath() && changed.length > 1);
  // Skipping the journal, the parse worker normalizes and packs the records itself (`contracts/importWorker.ts`).
  const records = deps.persist && deps.ingest.ingestPacked ? deps.ingest.recordOptions?.() : undefined;
  const parsers = inWorker ? workerParsers(PARSE_BATCH, records) : inProcessParsers(PARSE_BATCH);
  const outcomes = files.map((f) => {
    const prev = states.get(f.path);
    if (looksUnchanged(prev, f)) return Promise.resolve(unchangedOutcome(prev!));
    const p = parsers.parse(f.path, f.kind, prev ?? null, (b) => batcher.add(b));
    p.catch(() => {});
    return p;
  });
  try {
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      if (job.signal?.aborted) {
        summary.cancelled = true;
        break;
      }
      summary.files++;
      let res;
      try {
        res = await outcomes[i];
      } catch (e) {
        summary.skipped_lines++;
        if (summary.skipped.length < MAX_SKIPPED_LISTED) summary.skipped.push({ file: f.path, line: 0, reason: `unreadable: ${(e as Error).message}` });
        progress.files_done++;
        continue;
      }
      if (res.unchanged) summary.files_skipped_unchanged++;
      else pendingStates.push(res.state);
      summary.lines += res.lines;
      summary.skipped_lines += res.skipped.length;
      for (const s of res.skipped) {
        if (summary.skipped.length >= MAX_SKIPPED_LISTED) break;
        summary.skipped.push({ file: f.path, line: s.line, reason: s.reason });
      }
      progress.files_done++;
      progress.bytes_done += res.bytesRead;
      progress.events = batcher.inserted;
      if (pendingStates.length >= 200) await saveStates();
      report();
    }
  } finally {
    await parsers.close();
  }
  await saveStates();
  await batcher.drain();
  if (deps.persist) await deps.persist();
  summary.events = batcher.inserted;
  summary.duplicates = batcher.duplicates;
  summary.duration_ms = Date.now() - started;
  progress.phase = 'done';
  progress.events = summary.events;
  report(true);
  return summary;
}
