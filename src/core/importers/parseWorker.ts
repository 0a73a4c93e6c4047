/**
 * The import's parse worker: reads and parses log files off the main thread, so the main thread
 * only ingests (journal, store) while the next file is parsed. Speaks `contracts/importWorker.ts`.
 */
import { parentPort } from 'node:worker_threads';
import { IMPORT_WORKER_CREDITS, type FromImportWorker, type ToImportWorker } from '../contracts/importWorker';
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
          send({ type: 'events', seq: job.seq, events });
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
