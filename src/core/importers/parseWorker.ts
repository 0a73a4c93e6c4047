/**
 * The import's parse worker: reads and parses log files off the main thread, so the main thread
 * only ingests (journal, store) while the next file is parsed. Speaks `contracts/importWorker.ts`.
 */
import { parentPort } from 'node:worker_threads';
import { IMPORT_WORKER_CREDITS, type FromImportWorker, type RecordOptions, type ToImportWorker } from '../contracts/importWorker';
import type { EventInput } from '../contracts/events';
import { toRecords } from '../ingest/normalize';
import { PriceBook, type PriceOverrides, type UpdatedPrices } from '../pricing/priceBook';
import { packRecords } from '../store/packedRecords';
import { ClaudeSessionIndex } from './claudeCode';
import { tailFile } from './fileTail';

if (!parentPort) throw new Error('parseWorker must run as a worker thread');
const port = parentPort;
const send = (m: FromImportWorker) => port.postMessage(m);
const queue: Extract<ToImportWorker, { type: 'file' }>[] = [];
const index = new ClaudeSessionIndex();
let credits = IMPORT_WORKER_CREDITS;
let creditWaiter: (() => void) | null = null;
let wake: (() => void) | null = null;
let closing = false;

port.on('message', (m: ToImportWorker) => {
  if (m.type === 'file') queue.push(m);
  else if (m.type === 'credit') {
    credits++;
    creditWaiter?.();
    creditWaiter = null;
  } else closing = true;
  wake?.();
  wake = null;
});

async function waitCredit(): Promise<void> {
  while (credits <= 0) await new Promise<void>((r) => (creditWaiter = r));
  credits--;
}

/** The price book of the last job's options, built again only when they change. */
let book: { key: string; book: PriceBook } | null = null;

function priceBookOf(o: RecordOptions): PriceBook {
  const key = JSON.stringify(o.prices);
  if (book?.key !== key) book = { key, book: new PriceBook(o.prices.overrides as PriceOverrides, o.prices.updated as UpdatedPrices) };
  return book.book;
}

/** The job's events, as events or (with `records`) as packed records, transferred. */
function sendBatch(seq: number, events: EventInput[], o: RecordOptions | undefined): void {
  if (!o) return send({ type: 'events', seq, events });
  const packed = packRecords(toRecords(events, { source: 'import', maxPayloadBytes: o.maxPayloadBytes, storeThinking: o.storeThinking, book: priceBookOf(o) }));
  const b = packed.bytes;
  const owned = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
  port.postMessage({ type: 'records', seq, packed } satisfies FromImportWorker, owned ? [b.buffer as ArrayBuffer] : []);
}

async function main(): Promise<void> {
  for (;;) {
    const job = queue.shift();
    if (!job) {
      if (closing) break;
      await new Promise<void>((r) => (wake = r));
      continue;
    }
    try {
      const res = await tailFile(job.path, job.kind, job.state, {
        final: true,
        index,
        batchSize: job.batchSize,
        onEvents: async (events) => {
          await waitCredit();
          sendBatch(job.seq, events, job.records);
        },
      });
      send({ type: 'done', seq: job.seq, outcome: { unchanged: res.unchanged, restarted: res.restarted, bytesRead: res.bytesRead, lines: res.lines, events: res.events, skipped: res.skipped, state: res.state } });
    } catch (e) {
      send({ type: 'error', seq: job.seq, message: (e as Error).message });
    }
  }
  port.close();
}

void main();
