/**
 * At most one import at a time per server: `POST /api/import` starts one in the background and
 * answers at once; progress and the final summary go out over SSE (`import_progress`,
 * `import_done`). The last summary is kept for clients that missed the message.
 */
import { randomUUID } from 'node:crypto';
import { requestedDirs, type AgentDirs } from '../agents/folders';
import type { ImportRequest, ImportSummary } from '../contracts/api';
import type { Broadcaster } from '../ingest/broadcaster';
import type { Logger } from '../log';
import { runImport, type ImportDeps } from './importRunner';

/** Each agent's folders a request naming none imports (the server's). */
export type ImportDefaults = AgentDirs;

export class ImportJobs {
  private running: { id: string; abort: AbortController; done: Promise<ImportSummary | null> } | null = null;
  last: ImportSummary | null = null;

  constructor(
    private readonly deps: ImportDeps,
    private readonly hub: Broadcaster,
    private readonly log: Logger,
    private readonly defaults: ImportDefaults,
  ) {}

  get current(): string | null {
    return this.running?.id ?? null;
  }

  /** Start an import; null when one is already running. */
  start(req: ImportRequest): { import_id: string; done: Promise<ImportSummary | null> } | null {
    if (this.running) return null;
    const id = randomUUID();
    const abort = new AbortController();
    const done = runImport(this.deps, {
      importId: id,
      ...requestedDirs(req, this.defaults),
      cwdFilter: req.cwd_filter,
      signal: abort.signal,
      onProgress: (progress) => this.hub.broadcast({ type: 'import_progress', progress }),
    }).then(
      (summary) => {
        this.last = summary;
        this.hub.broadcast({ type: 'import_done', summary });
        return summary;
      },
      (e: Error) => {
        this.log.error(`import ${id} failed: ${e.stack ?? e.message}`);
        this.hub.broadcast({
          type: 'import_progress',
          progress: { import_id: id, phase: 'error', files_done: 0, files_total: 0, bytes_done: 0, bytes_total: 0, events: 0, message: e.message },
        });
        return null;
      },
    ).finally(() => {
      this.running = null;
    });
    this.running = { id, abort, done };
    return { import_id: id, done };
  }

  cancel(id: string): boolean {
    if (this.running?.id !== id) return false;
    this.running.abort.abort();
    return true;
  }

  async close(): Promise<void> {
    const r = this.running;
    if (!r) return;
    r.abort.abort();
    await r.done;
  }
}
