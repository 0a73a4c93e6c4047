/**
 * A migration that rewrites every stored event (`Migration.rewritesEvents`) runs here, in a
 * short-lived child process, not in the store worker: sql.js's wasm heap never shrinks, and the
 * rewrite holds the new rows and VACUUM's copy at once (about twice the new database for a moment).
 * A worker thread gave its memory back to V8 but not to the OS: the server stayed 240 MB larger
 * (1M events). The process opens the file, applies the pending migrations, VACUUMs (the old rows' pages leave
 * the file) and replaces the file the way a snapshot does (temp file, fsync, the old file kept as
 * `<db>.bak`, one rename). Killed at any step, the old file is still whole and the next start
 * converts again: the journal seq the file covers is unchanged, so the journal replays the same.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
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

/** The argument that makes the store worker's entry a converting process (`runConversionIfAsked`). */
const CONVERT_ARG = '--agentmonitor-convert';

/** The converting process: the bundled store worker's entry, or its source under tests. */
function converterProcess(job: ConversionJob): ChildProcess {
  const argv = [CONVERT_ARG, JSON.stringify(job)];
  const options = { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[] };
  if (!__filename.endsWith('.ts')) return fork(__filename, argv, options);
  return fork(path.join(__dirname, 'worker.ts'), argv, { ...options, execArgv: ['--import', 'tsx'] });
}

/** Convert the database file at `job.dbPath` in a process of its own; resolves once the file is replaced. */
export function convertInProcess(job: Omit<ConversionJob, 'parentPid'>): Promise<ConversionResult> {
  return new Promise((resolve, reject) => {
    const child = converterProcess({ ...job, parentPid: process.pid });
    let result: ConversionResult | null = null;
    let failure: Error | null = null;
    child.on('message', (m: ConversionMessage) => {
      if (m.ok) result = m.result;
      else failure = new Error(`converting ${job.dbPath} failed: ${m.error}`);
    });
    child.on('error', (e) => (failure = e));
    child.on('exit', (code, signal) => {
      if (result) resolve(result);
      else reject(failure ?? new Error(`converting ${job.dbPath}: the process exited (${signal ?? code}) without an answer`));
    });
  });
}

/** In a converting process: run the job, report to the parent and exit. True when this process is one. */
export function runConversionIfAsked(convert: (job: ConversionJob) => Promise<ConversionResult>): boolean {
  const at = process.argv.indexOf(CONVERT_ARG);
  if (at < 0 || !process.send) return false;
  const job = JSON.parse(process.argv[at + 1]) as ConversionJob;
  const answer = (m: ConversionMessage) => process.send!(m, () => process.exit(m.ok ? 0 : 1));
  convert(job).then(
    (result) => answer({ ok: true, result }),
    (e: unknown) => answer({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
  return true;
}
