/**
 * A migration that rewrites every stored event (`Migration.rewritesEvents`) runs here, in a
 * short-lived worker, not in the store worker: sql.js's wasm heap never shrinks, and the rewrite
 * holds the old rows, the new rows and VACUUM's copy at once (about 3x the database for a moment).
 * The worker loads the file, applies the pending migrations, VACUUMs (the old rows' pages leave
 * the file) and replaces the file the way a snapshot does (temp file, fsync, the old file kept as
 * `<db>.bak`, one rename). Killed at any step, the old file is still whole and the next start
 * converts again: the journal seq the file covers is unchanged, so the journal replays the same.
 */
import * as path from 'node:path';
import { Worker, workerData, parentPort } from 'node:worker_threads';
import type { ConversionJob, ConversionMessage, ConversionResult } from '../contracts/storeWorker';
import type { SqlDb } from './sqlDb';
import { MIGRATIONS } from './schema';

/** The applied migration versions recorded in `meta` (none for a new database). */
export function appliedMigrations(db: SqlDb): Set<number> {
  const hasMeta = db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  const row = hasMeta ? db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'applied_migrations'") : undefined;
  return new Set<number>(row ? (JSON.parse(row.value) as number[]) : []);
}

/** Whether opening `db` would rewrite its stored events (a database that holds some). */
export function needsConversion(db: SqlDb): boolean {
  const applied = appliedMigrations(db);
  if (!MIGRATIONS.some((m) => m.rewritesEvents && !applied.has(m.version))) return false;
  // The hot table: \`event_rows\` from migration 7 on (\`events\` is then a view), \`events\` before.
  const hot = db.get<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('event_rows', 'events') ORDER BY name = 'event_rows' DESC");
  return !!hot && !!db.get(`SELECT 1 FROM ${hot.name} LIMIT 1`);
}

/** The worker entry that converts: the bundled store worker, or its source under tests. */
function converterWorker(job: ConversionJob): Worker {
  const options = { workerData: { convert: job } };
  if (!__filename.endsWith('.ts')) return new Worker(__filename, options);
  const src = path.join(__dirname, 'worker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(src)});`, { ...options, eval: true });
}

/** Convert the database file at `job.dbPath` in a worker of its own; resolves once the file is replaced. */
export function convertInWorker(job: ConversionJob): Promise<ConversionResult> {
  return new Promise((resolve, reject) => {
    const worker = converterWorker(job);
    let result: ConversionResult | null = null;
    let failure: Error | null = null;
    worker.on('message', (m: ConversionMessage) => {
      if (m.ok) result = m.result;
      else failure = new Error(`converting ${job.dbPath} failed: ${m.error}`);
    });
    worker.on('error', (e) => (failure = e));
    worker.on('exit', (code) => {
      if (result) resolve(result);
      else reject(failure ?? new Error(`converting ${job.dbPath}: the worker exited (${code}) without an answer`));
    });
  });
}

/** In the converting worker: run the job and report to the parent. True when this thread is one. */
export function runConversionIfAsked(convert: (job: ConversionJob) => Promise<ConversionResult>): boolean {
  const job = (workerData as { convert?: ConversionJob } | null)?.convert;
  if (!job) return false;
  convert(job).then(
    (result) => parentPort!.postMessage({ ok: true, result } satisfies ConversionMessage),
    (e: unknown) => parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) } satisfies ConversionMessage),
  );
  return true;
}
