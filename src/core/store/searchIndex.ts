/**
 * Full-text search over what was said and done (issue 17): prompts, assistant text, tool inputs and
 * file paths, in one SQLite FTS4 table (sql.js has FTS4, not FTS5). Tool outputs are not indexed:
 * binding and tokenizing their text (sql.js copies a bound string character by character in JS)
 * cost about a sixth of a first import's CPU on the benchmark logs, at 500 characters an output.
 *
 * Memory: the database lives in memory, and the text already lives outside it, in the payload
 * file. The table is contentless (`content=""`): it holds the index only, never a copy of the text;
 * a hit's snippet is cut from the event's payload. Its docid is `events.id`.
 *
 * Feeding: `indexEvent` in the store worker as `insertBatch` inserts a new row (every channel, the
 * journal replay and bulk imports go through it); rows stored before the table existed are
 * indexed once at open (`backfillSearch`, from `meta.search_backfill_to` down, in chunks).
 *
 * A contentless FTS4 table cannot delete rows: a pruned event leaves its terms behind. Hits are
 * joined with `events` and checked against the event's own text (`matchesTerms`), so such a term
 * finds nothing; Clear Data drops and recreates the table.
 */
import type { SearchHit } from '../contracts/api';
import type { SqlDb } from './sqlDb';

export const SEARCH_TABLE = 'search_fts';
/**
 * `matchinfo=fts3`: no `%_docsize` row and no `%_stat` totals written per document (the search
 * query ranks by id, never by `matchinfo`): the store worker's insert CPU 0.88x on the 128 MB
 * Claude benchmark logs. Tables made before migration 10 had the default (`fts4`) matchinfo.
 */
export const CREATE_SEARCH_TABLE = `CREATE VIRTUAL TABLE ${SEARCH_TABLE} USING fts4(content="", body, matchinfo=fts3, tokenize=unicode61 "remove_diacritics=2")`;

/** Characters of one event's text that are indexed (metadata is capped below this already). */
const MAX_DOC = 8000;
/** Rows indexed per transaction by the backfill. */
const BACKFILL_CHUNK = 2000;

export type SearchKind = SearchHit['kind'];

const KIND_OF: Record<string, SearchKind> = {
  user_prompt: 'prompt',
  response: 'answer',
  tool_use: 'tool',
  permission_request: 'tool',
  file_change: 'file',
};

/** The event types indexed, for SQL (`IN (…)`). */
export const SEARCHABLE_TYPES = Object.keys(KIND_OF);

export function searchKind(eventType: string): SearchKind | null {
  return KIND_OF[eventType] ?? null;
}

/** A metadata value as text: a string, or the strings and `{text}` parts of a list. */
export function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v || null;
  if (Array.isArray(v)) {
    const parts = v.map((x) => (typeof x === 'string' ? x : x && typeof x === 'object' && typeof (x as { text?: unknown }).text === 'string' ? (x as { text: string }).text : '')).filter(Boolean);
    return parts.length ? parts.join('\n') : null;
  }
  return null;
}

const TOOL_FIELDS = ['command', 'file_path', 'path', 'notebook_path', 'pattern', 'url', 'query', 'description', 'subagent_type', 'prompt'];

/** The searchable text of an event of `eventType` with this metadata (JSON), or null. */
export function searchText(eventType: string, metadata: string | null): string | null {
  const kind = searchKind(eventType);
  if (!kind || !metadata) return null;
  let m: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(metadata);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    m = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  let out: string | null = null;
  if (kind === 'prompt') out = textOf(m.prompt) ?? textOf(m.text) ?? textOf(m.content) ?? textOf(m.message);
  else if (kind === 'answer') out = textOf(m.text) ?? textOf(m.content) ?? textOf(m.message);
  else if (kind === 'file') out = textOf(m.file_path) ?? textOf(m.path);
  else {
    const raw = m.input ?? m.tool_input;
    if (typeof raw === 'string') out = raw || null;
    else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      const input = raw as Record<string, unknown>;
      const parts = TOOL_FIELDS.map((f) => textOf(input[f])).filter((s): s is string => !!s);
      out = parts.length ? parts.join('\n') : null;
    }
  }
  return out ? out.slice(0, MAX_DOC) : null;
}

/** UTF-8 of a document: `MAX_DOC` UTF-16 units take at most 3 bytes each. */
const docBytes = Buffer.allocUnsafe(MAX_DOC * 3);

/**
 * A document as the value bound for FTS: its UTF-8 bytes (a blob, which FTS reads as the same
 * text), encoded natively; sql.js encodes a bound string in JS, one character at a time (a sixth
 * of the index's cost on the Codex benchmark import, in a profile). A lone surrogate becomes other bytes than sql.js writes for
 * it, both a separator to the tokenizer (`searchIndexBind.test.ts` compares the indexes).
 */
function docValue(body: string): string | Uint8Array {
  return body.length > MAX_DOC ? body : docBytes.subarray(0, docBytes.write(body, 0, 'utf8'));
}

/** Index one newly stored event (store worker, inside the insert's transaction). */
export function indexEvent(db: SqlDb, id: number, eventType: string, metadata: string | null): void {
  const body = searchText(eventType, metadata);
  if (body) db.run(`INSERT INTO ${SEARCH_TABLE} (docid, body) VALUES (?, ?)`, [id, docValue(body)]);
}

/**
 * A stored event's metadata gained what another channel knew (`fillGaps`: a reply's text after
 * its thinking, a tool's input): index it when the event had nothing searchable before. (A row
 * indexed already keeps its terms: a contentless table cannot replace them.)
 */
export function indexFilled(db: SqlDb, id: number, eventType: string, before: string | null, after: string): void {
  if (searchText(eventType, before) !== null) return;
  indexEvent(db, id, eventType, after);
}

/**
 * Index the rows stored before the search table existed (the migration sets
 * `meta.search_backfill_to` to the largest id then), newest first, one transaction per chunk that
 * also moves the mark, so an interrupted backfill resumes where it stopped. Needs the payloads.
 */
export function backfillSearch(db: SqlDb): number {
  const key = 'search_backfill_to';
  let to = Number(db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key])?.value ?? 0);
  let indexed = 0;
  const types = JSON.stringify(SEARCHABLE_TYPES);
  while (to > 0) {
    const from = Math.max(0, to - BACKFILL_CHUNK);
    db.transaction(() => {
      db.each(
        `SELECT id, event_type, payload(payload_off, payload_len, id) FROM events
         WHERE id > ? AND id <= ? AND payload_off IS NOT NULL AND event_type IN (SELECT value FROM json_each(?))`,
        [from, to, types],
        (row) => {
          const body = searchText(String(row[1]), row[2] as string | null);
          if (!body) return;
          db.run(`INSERT INTO ${SEARCH_TABLE} (docid, body) VALUES (?, ?)`, [row[0] as number, body]);
          indexed++;
        },
      );
      db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, String(from)]);
    });
    to = from;
  }
  return indexed;
}

/** Clear Data: the contentless table cannot delete rows, so it is made anew. */
export function recreateSearchTable(db: SqlDb): void {
  db.exec(`DROP TABLE IF EXISTS ${SEARCH_TABLE}; ${CREATE_SEARCH_TABLE};`);
  db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('search_backfill_to', '0')");
}

/** Words of a query as FTS4 tokens: letters and digits (unicode61's token characters), at most 8. */
export function queryTerms(q: string): { word: string; prefix: boolean }[] {
  const out: { word: string; prefix: boolean }[] = [];
  for (const m of q.matchAll(/([\p{L}\p{N}]+)(\*?)/gu)) {
    out.push({ word: m[1].toLowerCase(), prefix: m[2] === '*' });
    if (out.length >= 8) break;
  }
  return out;
}

/** The FTS4 MATCH expression of the terms (each quoted: user text is never FTS syntax). */
export function matchExpression(terms: { word: string; prefix: boolean }[]): string {
  return terms.map((t) => `"${t.word}${t.prefix ? '*' : ''}"`).join(' ');
}

/** Text as the search compares it: compatibility-decomposed, marks removed, lower case. */
export function foldText(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Where each term occurs in `body` as a token (start of a word; the whole word unless a prefix),
 * case and accents ignored; null when one does not (a pruned event's stale index entry).
 */
export function matchesTerms(body: string, terms: { word: string; prefix: boolean }[]): number[] | null {
  const folded = foldText(body);
  // NFKD may change lengths; positions are mapped back only when it did not.
  const sameLength = folded.length === body.length;
  const at: number[] = [];
  for (const t of terms) {
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${foldText(t.word).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${t.prefix ? '' : '(?![\\p{L}\\p{N}])'}`, 'u');
    const m = re.exec(folded);
    if (!m) return null;
    at.push(sameLength ? m.index : 0);
  }
  return at;
}

/** About `width` characters of `body` around `at`, on one line, with … where it was cut. */
export function snippetAround(body: string, at: number, width = 160): string {
  const start = Math.max(0, at - Math.floor(width / 3));
  const end = Math.min(body.length, start + width);
  const s = body.slice(start, end).replace(/\s+/g, ' ').trim();
  return `${start > 0 ? '…' : ''}${s}${end < body.length ? '…' : ''}`;
}
