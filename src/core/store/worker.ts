/**
 * The store worker thread: owns the sql.js database so that inserts, queries and snapshot exports
 * never block the HTTP thread. Protocol: `src/core/contracts/storeWorker.ts`.
 */
import { parentPort } from 'node:worker_threads';
import type { EventRecord, InsertOutcome, WorkerRequest, WorkerResponse } from '../contracts/storeWorker';
import { closeDatabase, convertFile, openDatabase, settleBackup, writeSnapshot, type OpenDatabase } from './database';
import { runConversionIfAsked } from './convertDatabase';
import { insertBatch } from './insert';
import { touchingNothing } from './changeLog';
import { QUERIES, WRITES_OUTSIDE_KEPT_ROWS, type QueryName } from './queries/registry';
import { numberTurns } from './numberTurns';
import { unpackRecords } from './packedRecords';

let state: OpenDatabase | null = null;

function handle(msg: WorkerRequest): unknown {
  switch (msg.op) {
    case 'open':
      throw new Error('open is asynchronous');
    case 'insert':
      return insert(need(), msg.seq, msg.records, msg.journaled);
    case 'insertPacked':
      return insert(need(), msg.seq, unpackRecords(msg.chunks, msg.firstId), false);
    case 'query': {
      const s = need();
      const fn = (QUERIES as Record<string, (db: unknown, p: unknown) => unknown>)[msg.name];
      if (!fn) throw new Error(`unknown query "${msg.name}"`);
      const run = () => fn(s.db, msg.params ?? {});
      const result = WRITES_OUTSIDE_KEPT_ROWS.has(msg.name as QueryName) ? touchingNothing(s.db, run) : run();
      if (msg.name === 'clearAll') s.unappliedSeqs.clear();
      return result;
    }
    case 'snapshot': {
      const s = need();
      const missing = [...s.unappliedSeqs].filter((seq) => seq <= msg.seq);
      // A snapshot records the journal seq it covers; covering a batch it does not hold would
      // make the next start skip that batch in the journal.
      if (missing.length) throw new Error(`journal batches ${missing.join(', ')} are not applied yet; the snapshot waits for them`);
      return writeSnapshot(s, msg.seq);
    }
    case 'settleBackup':
      return settleBackup(need());
    case 'close': {
      const s = state;
      state = null;
      if (s) {
        s.db.payloads.close();
        closeDatabase(s.db, s.file);
      }
      return null;
    }
    default: {
      const never: never = msg;
      throw new Error(`unknown op ${JSON.stringify(never)}`);
    }
  }
}

function insert(s: OpenDatabase, seq: number, records: EventRecord[], journaled: boolean): InsertOutcome {
  let out;
  try {
    numberTurns(s.db, records);
    out = insertBatch(s.db, records);
  } catch (e) {
    if (journaled) s.unappliedSeqs.add(seq);
    throw e;
  }
  s.unappliedSeqs.delete(seq);
  s.appliedSeq = Math.max(s.appliedSeq, seq);
  return out;
}

function need(): OpenDatabase {
  if (!state) throw new Error('database is not open');
  return state;
}

// This is either the store worker thread or, for a moment at open, the process converting its file.
if (!runConversionIfAsked(convertFile)) parentPort!.on('message', serve);

function serve(msg: WorkerRequest): void {
  const port = parentPort!;
  if (msg.op === 'open') {
    openDatabase(msg.dbPath, msg.wasmPath, msg.readOnly).then(
      ({ state: s, result }) => {
        state = s;
        port.postMessage({ id: msg.id, ok: true, result } satisfies WorkerResponse);
      },
      (e: unknown) => port.postMessage({ id: msg.id, ok: false, error: errText(e) } satisfies WorkerResponse),
    );
    return;
  }
  let result: unknown;
  try {
    result = handle(msg);
  } catch (e) {
    port.postMessage({ id: msg.id, ok: false, error: errText(e), code: errCode(e) } satisfies WorkerResponse);
    return;
  }
  if (result instanceof Promise) {
    result.then(
      (r: unknown) => port.postMessage({ id: msg.id, ok: true, result: r } satisfies WorkerResponse),
      (e: unknown) => port.postMessage({ id: msg.id, ok: false, error: errText(e), code: errCode(e) } satisfies WorkerResponse),
    );
  } else port.postMessage({ id: msg.id, ok: true, result } satisfies WorkerResponse);
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function errCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
