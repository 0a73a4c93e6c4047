/**
 * Exports stored events to a CSV or JSON file by paging through `GET /api/events` (bounded pages,
 * streamed to disk, cancellable). No `vscode`.
 */
import * as fs from 'node:fs';
import type { StoredEvent } from '../../core/contracts/events';
import type { ApiClient } from './apiClient';

export type ExportFormat = 'csv' | 'json';

export const CSV_COLUMNS = [
  'id',
  'event_id',
  'created_at',
  'session_id',
  'agent_type',
  'event_type',
  'tool_name',
  'status',
  'model',
  'tokens_in',
  'tokens_out',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'cost_source',
  'duration_ms',
  'project',
  'branch',
  'source',
] as const satisfies readonly (keyof StoredEvent)[];

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Cells starting with a formula character are neutralized for spreadsheets.
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(e: StoredEvent): string {
  return CSV_COLUMNS.map((c) => csvCell(e[c])).join(',');
}

export async function exportEvents(
  api: ApiClient,
  file: string,
  format: ExportFormat,
  opts: { pageSize?: number; isCancelled?: () => boolean; onPage?: (rowsSoFar: number) => void } = {},
): Promise<{ rows: number; cancelled: boolean }> {
  const tmp = `${file}.partial-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  let rows = 0;
  let cancelled = false;
  try {
    fs.writeSync(fd, format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : '[\n');
    let cursor: string | null = null;
    do {
      if (opts.isCancelled?.()) {
        cancelled = true;
        break;
      }
      const page = await api.events({ limit: opts.pageSize ?? 1000, ...(cursor ? { cursor } : {}) });
      const chunk =
        format === 'csv'
          ? page.events.map((e) => `${csvRow(e)}\n`).join('')
          : page.events.map((e, i) => `${rows + i === 0 ? '' : ',\n'}${JSON.stringify(e)}`).join('');
      fs.writeSync(fd, chunk);
      rows += page.events.length;
      opts.onPage?.(rows);
      cursor = page.events.length ? page.next_cursor : null;
    } while (cursor);
    if (format === 'json') fs.writeSync(fd, '\n]\n');
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  if (cancelled) {
    fs.rmSync(tmp, { force: true });
    return { rows, cancelled };
  }
  fs.renameSync(tmp, file);
  return { rows, cancelled };
}
