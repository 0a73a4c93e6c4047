/** Import progress and summary texts, and waiting for an import's end over SSE. Pure. */
import { folderAgents, type AgentDirs } from '../../core/agents/folders';
import type { ImportProgress, ImportSummary } from '../../core/contracts/api';
import type { SseMessage } from '../../core/contracts/sse';

export function importProgressText(p: ImportProgress): string {
  if (p.phase === 'scanning') return p.message ?? 'scanning log folders…';
  const files = p.files_total ? `${p.files_done}/${p.files_total} files` : `${p.files_done} files`;
  return `${files} · ${p.events.toLocaleString('en-US')} events${p.message ? ` · ${p.message}` : ''}`;
}

/** Fraction done (0..1) from bytes when known, else files. */
export function importFraction(p: ImportProgress): number {
  if (p.bytes_total > 0) return Math.min(1, p.bytes_done / p.bytes_total);
  if (p.files_total > 0) return Math.min(1, p.files_done / p.files_total);
  return 0;
}

/** The folders an import read (the server's defaults made explicit), for a summary that found nothing. */
export interface ImportPlaces extends AgentDirs {
  /** Only sessions inside these folders (Import Workspace Logs). */
  cwdFilter?: readonly string[];
}

export function importSummaryText(s: ImportSummary, places?: ImportPlaces): string {
  if (places && !s.files && !s.files_skipped_unchanged && !s.cancelled) {
    // "0 new events from 0 files" told nothing: say where it looked and what points it elsewhere.
    const what = places.cwdFilter?.length ? `no transcripts of sessions in ${places.cwdFilter.join(', ')}` : 'no transcripts';
    const lists = places as Record<string, readonly string[] | undefined>;
    const read = folderAgents()
      .map((a) => ({ a, dirs: lists[a.folders.config] ?? [] }))
      .filter((r) => r.dirs.length);
    const where = read.flatMap((r) => r.dirs).join(', ');
    const what2 = read.map((r) => `${r.a.name}'s ${r.a.folders.lookedIn.replace(/ (below|in) each$/, '')}`).join(', ');
    // The settings that move those agents' folders (their identities' `folders.setting`).
    const keys = read.flatMap((r) => (r.a.folders.setting ? [`"agentMonitor.${r.a.folders.setting.key}"`] : []));
    const set = keys.length > 1 ? `${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}` : keys[0];
    return `Import done: ${what} found. Looked in ${where} (${what2})${set ? `; if your agents keep their logs elsewhere, set ${set}.` : '.'}`;
  }
  const parts = [
    `${s.events.toLocaleString('en-US')} new event${s.events === 1 ? '' : 's'} from ${s.files} file${s.files === 1 ? '' : 's'}`,
  ];
  if (s.files_skipped_unchanged) parts.push(`${s.files_skipped_unchanged} unchanged`);
  if (s.duplicates) parts.push(`${s.duplicates.toLocaleString('en-US')} already known`);
  if (s.skipped_lines) {
    const first = s.skipped[0];
    parts.push(`${s.skipped_lines} line${s.skipped_lines === 1 ? '' : 's'} skipped${first ? ` (e.g. ${first.file}:${first.line}: ${first.reason})` : ''}`);
  }
  return `${s.cancelled ? 'Import cancelled' : 'Import done'}: ${parts.join(', ')}.`;
}

/**
 * Follows one import over SSE messages. Messages may arrive before the id is known (the server can
 * broadcast before `POST /api/import` answers), so they are kept until `track(id)`.
 */
export class ImportWaiter {
  private id: string | null = null;
  private early: SseMessage[] = [];
  private resolveDone: ((s: ImportSummary) => void) | null = null;
  private rejectDone: ((e: Error) => void) | null = null;
  readonly done: Promise<ImportSummary>;

  constructor(private readonly onProgress: (p: ImportProgress) => void) {
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
  }

  message(m: SseMessage): void {
    if (this.id === null) {
      if ((m.type === 'import_progress' || m.type === 'import_done') && this.early.length < 1000) this.early.push(m);
      return;
    }
    if (m.type === 'import_progress' && m.progress.import_id === this.id) {
      if (m.progress.phase === 'error') this.rejectDone?.(new Error(m.progress.message ?? 'import failed'));
      else this.onProgress(m.progress);
    } else if (m.type === 'import_done' && m.summary.import_id === this.id) {
      this.resolveDone?.(m.summary);
    }
  }

  track(id: string): void {
    this.id = id;
    const early = this.early;
    this.early = [];
    for (const m of early) this.message(m);
  }

  fail(err: Error): void {
    this.rejectDone?.(err);
  }
}
