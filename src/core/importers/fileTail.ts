/**
 * One pass over one log file: resume at the stored byte offset (or start over when the file was
 * truncated or replaced), feed complete lines to the format's parser, hand validated events out in
 * batches, and produce the new `import_state` row. Storing that row only after the events were
 * ingested makes a crash cost a re-read, never a loss; deterministic event ids make the re-read
 * add nothing.
 */
import * as fs from 'node:fs';
import type { EventInput } from '../contracts/events';
import type { ImportStateRow } from '../contracts/importWorker';
import type { ClaudeSessionIndex } from './claudeCode';
import { validateImported } from './eventCheck';
import { GEMINI_JSON_MAX_BYTES } from './gemini';
import { headHash, readLines } from './lineReader';
import { LOG_SOURCES } from './logSources';
import type { OpencodeState } from './opencode';
import { sqliteSignature } from './sqliteCopy';
import type { LogKind, LogParser, SkippedLine } from './types';

interface TailStateJson {
  kind: LogKind;
  lines: number;
  parser: unknown;
}

export interface PassOptions {
  /** Close open groups at the end of the pass (bulk import); live tailing keeps the last one open. */
  final: boolean;
  /** Called with validated events, in file order, at most `batchSize` at a time. */
  onEvents(events: EventInput[]): Promise<void>;
  batchSize?: number;
  index?: ClaudeSessionIndex;
  maxLineBytes?: number;
  /** A parser kept in memory since the previous pass (live tailing); used when the pass resumes. */
  parser?: LogParser;
}

export interface PassResult {
  unchanged: boolean;
  restarted: boolean;
  bytesRead: number;
  lines: number;
  events: number;
  skipped: SkippedLine[];
  state: ImportStateRow;
  parser: LogParser | null;
}

/** The parser's ready events, validated against the event contract; invalid ones become skipped lines. */
export function drainValidated(parser: LogParser, final: boolean, lineNo: number, skipped: SkippedLine[]): EventInput[] {
  const raw = parser.drain(final);
  for (const s of parser.takeSkipped()) skipped.push(s);
  const valid: EventInput[] = [];
  for (const r of raw) {
    const v = validateImported(r);
    if (v.ok) valid.push(v.value);
    else skipped.push({ line: lineNo, reason: `invalid event: ${v.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}` });
  }
  return valid;
}

export function makeParser(kind: LogKind, file: string, parserState: unknown, index?: ClaudeSessionIndex): LogParser {
  return LOG_SOURCES[kind].parser(file, parserState, index);
}

function parseState(row: ImportStateRow | null, kind: LogKind): TailStateJson | null {
  if (!row?.state_json) return null;
  try {
    const s = JSON.parse(row.state_json) as TailStateJson;
    return s && s.kind === kind ? s : null;
  } catch {
    return null;
  }
}

/** Whether the file looks unchanged since `prev` (same size and mtime, fully read). */
export function looksUnchanged(prev: ImportStateRow | null | undefined, st: { size: number; mtimeMs: number }): boolean {
  return !!prev && prev.size === st.size && prev.mtime_ms === Math.floor(st.mtimeMs) && prev.byte_offset === st.size;
}

export async function tailFile(file: string, kind: LogKind, prev: ImportStateRow | null, opts: PassOptions): Promise<PassResult> {
  if (LOG_SOURCES[kind].database) return databasePass(file, kind, prev, opts);
  const st = await fs.promises.stat(file);
  const mtime = Math.floor(st.mtimeMs);
  if (looksUnchanged(prev, st)) {
    return { unchanged: true, restarted: false, bytesRead: 0, lines: 0, events: 0, skipped: [], state: prev!, parser: opts.parser ?? null };
  }
  if (LOG_SOURCES[kind].wholeFile?.(file)) return wholeFilePass(file, kind, prev, st, opts);
  let start = 0;
  let saved = parseState(prev, kind);
  if (prev && saved && st.size >= prev.byte_offset) {
    const [lenText] = prev.head_hash.split(':');
    const same = (await headHash(file, Number(lenText) || 0)) === prev.head_hash;
    if (same) start = prev.byte_offset;
  }
  const restarted = !!prev && start === 0 && prev.byte_offset > 0;
  if (start === 0) saved = null;

  const parser = start > 0 && opts.parser ? opts.parser : makeParser(kind, file, saved?.parser, opts.index);
  const batchSize = opts.batchSize ?? 2000;
  const skipped: SkippedLine[] = [];
  let events = 0;
  let pendingCount = 0;
  let lastLine = saved?.lines ?? 0;

  const flush = async (final: boolean): Promise<void> => {
    pendingCount = 0;
    const valid = drainValidated(parser, final, lastLine, skipped);
    events += valid.length;
    for (let i = 0; i < valid.length; i += batchSize) await opts.onEvents(valid.slice(i, i + batchSize));
  };

  const out = await readLines(
    file,
    start,
    st.size,
    saved?.lines ?? 0,
    {
      line: (text, lineNo) => {
        lastLine = lineNo;
        parser.line(text, lineNo);
        if (++pendingCount >= batchSize) return flush(false);
      },
      tooLong: (lineNo, bytes) => skipped.push({ line: lineNo, reason: `line too long (${bytes} bytes)` }),
    },
    opts.maxLineBytes,
  );
  await flush(opts.final);
  const lines = (saved?.lines ?? 0) + out.lines;
  const state: ImportStateRow = {
    path: file,
    size: st.size,
    mtime_ms: mtime,
    byte_offset: out.end,
    head_hash: await headHash(file, out.end),
    state_json: JSON.stringify({ kind, lines, parser: parser.state() } satisfies TailStateJson),
    updated_at: Date.now(),
  };
  return { unchanged: false, restarted, bytesRead: out.end - start, lines: out.lines, events, skipped, state, parser };
}

/**
 * A log written as one JSON document (rewritten in place as it grows): read whole on every change
 * with a fresh parser; deterministic event ids make what was read before add nothing.
 */
async function wholeFilePass(file: string, kind: LogKind, prev: ImportStateRow | null, st: fs.Stats, opts: PassOptions): Promise<PassResult> {
  const parser = makeParser(kind, file, undefined, opts.index);
  const skipped: SkippedLine[] = [];
  let valid: EventInput[] = [];
  if (st.size > GEMINI_JSON_MAX_BYTES) skipped.push({ line: 1, reason: `file too large to read whole (${st.size} bytes)` });
  else {
    parser.line(await fs.promises.readFile(file, 'utf8'), 1);
    valid = drainValidated(parser, true, 1, skipped);
  }
  const batchSize = opts.batchSize ?? 2000;
  for (let i = 0; i < valid.length; i += batchSize) await opts.onEvents(valid.slice(i, i + batchSize));
  const state: ImportStateRow = {
    path: file,
    size: st.size,
    mtime_ms: Math.floor(st.mtimeMs),
    byte_offset: st.size,
    head_hash: await headHash(file, st.size),
    state_json: JSON.stringify({ kind, lines: 1, parser: null } satisfies TailStateJson),
    updated_at: Date.now(),
  };
  return { unchanged: false, restarted: !!prev, bytesRead: st.size, lines: 1, events: valid.length, skipped, state, parser: null };
}

/**
 * An agent's SQLite database (`LogSource.database`): unchanged while the file and its WAL keep
 * their sizes and mtimes (`sqliteSignature`), else read from the watermark in its state.
 */
async function databasePass(file: string, kind: LogKind, prev: ImportStateRow | null, opts: PassOptions): Promise<PassResult> {
  const sig = sqliteSignature(file);
  if (looksUnchanged(prev, sig)) {
    return { unchanged: true, restarted: false, bytesRead: 0, lines: 0, events: 0, skipped: [], state: prev!, parser: null };
  }
  const saved = parseState(prev, kind);
  const skipped: SkippedLine[] = [];
  const batchSize = opts.batchSize ?? 2000;
  let lines = 0;
  let events = 0;
  const res = await LOG_SOURCES[kind].database!(file, (saved?.parser as OpencodeState | undefined) ?? null, batchSize, async (raw, skip) => {
    for (const s of skip) skipped.push(s);
    const valid: EventInput[] = [];
    for (const r of raw) {
      const v = validateImported(r);
      if (v.ok) valid.push(v.value);
      else skipped.push({ line: 0, reason: `invalid event: ${v.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}` });
    }
    lines += raw.length;
    events += valid.length;
    for (let i = 0; i < valid.length; i += batchSize) await opts.onEvents(valid.slice(i, i + batchSize));
  });
  for (const s of res.skipped) skipped.push(s);
  const state: ImportStateRow = {
    path: file,
    size: res.signature.size,
    mtime_ms: Math.floor(res.signature.mtimeMs),
    byte_offset: res.signature.size,
    head_hash: '',
    state_json: JSON.stringify({ kind, lines: (saved?.lines ?? 0) + lines, parser: res.state } satisfies TailStateJson),
    updated_at: Date.now(),
  };
  return { unchanged: false, restarted: false, bytesRead: res.signature.size, lines, events, skipped, state, parser: null };
}
