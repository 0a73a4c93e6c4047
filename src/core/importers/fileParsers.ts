/**
 * Where an import parses its files: in a worker thread (`dist/importWorker.js`, beside the bundle)
 * so parsing overlaps with ingest, or in-process where no worker bundle exists (tests on sources,
 * tiny imports). Both hand events out in file order and one outcome per file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EventInput } from '../contracts/events';
import type { FilePassOutcome, FromImportWorker, PackedRecords, RecordOptions, ToImportWorker } from '../contracts/importWorker';
import type { ImportStateRow } from '../contracts/importWorker';
import { ClaudeSessionIndex } from './claudeCode';
import { tailFile } from './fileTail';
import type { LogKind } from './types';

/** A batch of a file's events: as parsed, or normalized and packed by the parse worker (`RecordOptions`). */
export type ParsedBatch = { events: EventInput[]; packed?: undefined } | { packed: PackedRecords; events?: undefined };

export interface FileParsers {
  /** Parse one file; calls are served in order; `onBatch` is awaited before more events come. */
  parse(file: string, kind: LogKind, prev: ImportStateRow | null, onBatch: (b: ParsedBatch) => Promise<void>): Promise<FilePassOutcome>;
  close(): Promise<void>;
}

/**
 * Young-generation size for the parse worker: parsing allocates many short-lived strings. 32 MB
 * parses the benchmark's 1 GB as fast as 64 MB did (within noise) and keeps the import's peak
 * memory lower.
 */
const WORKER_YOUNG_GEN_MB = 32;

export function inProcessParsers(batchSize: number): FileParsers {
  const index = new ClaudeSessionIndex();
  let last: Promise<unknown> = Promise.resolve();
  return {
    parse(file, kind, prev, onBatch) {
      const run = async (): Promise<FilePassOutcome> => {
        const r = await tailFile(file, kind, prev, { final: true, index, batchSize, onEvents: (events) => onBatch({ events }) });
        return { unchanged: r.unchanged, restarted: r.restarted, bytesRead: r.bytesRead, lines: r.lines, events: r.events, skipped: r.skipped, state: r.state };
      };
      const p = last.then(run, run);
      last = p.catch(() => {});
      return p;
    },
    async close() {},
  };
}

export function workerBundlePath(): string | null {
  if (__filename.endsWith('.ts')) return null;
  const p = path.join(__dirname, 'importWorker.js');
  return fs.existsSync(p) ? p : null;
}

function spawnParseWorker(): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GEN_MB };
  const bundled = workerBundlePath();
  if (bundled) return new Worker(bundled, { resourceLimits });
  const src = path.join(__dirname, 'parseWorker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(src)});`, { eval: true, resourceLimits });
}

/** With `records`, the worker hands out packed records (`contracts/importWorker.ts`), else events. */
export function workerParsers(batchSize: number, records?: RecordOptions): FileParsers {
  const worker = spawnParseWorker();
  const send = (m: ToImportWorker) => worker.postMessage(m);
  interface Job {
    onBatch: (b: ParsedBatch) => Promise<void>;
    resolve: (o: FilePassOutcome) => void;
    reject: (e: Error) => void;
  }
  const jobs = new Map<number, Job>();
  let seq = 0;
  /** Every hand-over of events, across files, in arrival order. */
  let chain: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  const failAll = (e: Error) => {
    failure = e;
    for (const j of jobs.values()) j.reject(e);
    jobs.clear();
  };
  worker.on('message', (m: FromImportWorker) => {
    const job = jobs.get(m.seq);
    if (!job) return;
    if (m.type === 'events' || m.type === 'records') {
      const batch: ParsedBatch = m.type === 'events' ? { events: m.events } : { packed: m.packed };
      chain = chain.then(() => job.onBatch(batch)).then(() => send({ type: 'credit' }));
      chain.catch((e: Error) => failAll(e));
    } else if (m.type === 'done') {
      jobs.delete(m.seq);
      chain.then(() => job.resolve(m.outcome), (e: Error) => job.reject(e));
    } else {
      jobs.delete(m.seq);
      chain.then(() => job.reject(new Error(m.message)), (e: Error) => job.reject(e));
    }
  });
  worker.on('error', (e) => failAll(e));
  worker.on('exit', (code) => {
    if (jobs.size) failAll(new Error(`the import parse worker exited (${code})`));
  });
  return {
    parse(file, kind, prev, onBatch) {
      if (failure) return Promise.reject(failure);
      const id = ++seq;
      return new Promise<FilePassOutcome>((resolve, reject) => {
        jobs.set(id, { onBatch, resolve, reject });
        send({ type: 'file', seq: id, path: file, kind, state: prev, batchSize, records });
      });
    },
    async close() {
      if (jobs.size) {
        failAll(new Error('import stopped'));
        await worker.terminate();
        return;
      }
      send({ type: 'close' });
      await new Promise<void>((r) => {
        worker.once('exit', () => r());
        setTimeout(() => void worker.terminate().then(() => r()), 5000).unref();
      });
    },
  };
}
