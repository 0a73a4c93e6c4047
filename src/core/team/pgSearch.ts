/**
 * `GET /api/search` on a team server, answered as the local store answers it
 * (`store/queries/search.ts`): candidates from an index, newest first, at most `SEARCH_SCAN` a
 * request, filtered, then each checked against its own text by the same `SearchHits`.
 *
 * The index: `am_events.search_terms` (migration 4), a tsvector with a GIN index. Its lexemes are
 * made here, not by a PostgreSQL text-search configuration: the searchable text (`searchText`, as
 * locally) folded by `foldText` and cut at every character that is not a letter or digit, the
 * same words `matchesTerms` finds. (PostgreSQL's parser would keep `src/core/store.ts` or an
 * e-mail address as one token, and its configurations stem.) A query word is the lexeme, or a
 * prefix (`:*`) for `word*`. So a team server's hits are exactly the events `matchesTerms` accepts;
 * a local server's also need FTS4's unicode61 tokenizer to find the word, which differs only on
 * what its Unicode 6.1 tables fold otherwise (see DEVELOPING "Team mode").
 */
import type pg from 'pg';
import type { SearchPage } from '../contracts/api';
import { SEARCH_SCAN, SearchHits, type SearchParams } from '../store/queries/search';
import { foldText, SEARCHABLE_TYPES, searchText } from '../store/searchIndex';
import { inTransaction } from './pgTransaction';

/** Longest lexeme kept, in characters (PostgreSQL refuses one over 2047 bytes); a query word is at most 200. */
const MAX_LEXEME = 500;
/** Candidates whose metadata is read per round trip. */
const METADATA_CHUNK = 100;
/** Rows indexed per transaction by the backfill. */
const BACKFILL_CHUNK = 2000;

function words(text: string): string[] {
  return foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * An event's lexemes as a tsvector literal (`'word' 'other'`), or null when it has no searchable
 * text. Each lexeme is letters and digits only, so quoting it needs no escapes.
 */
export function searchLexemes(eventType: string, metadata: string | null): string | null {
  const body = searchText(eventType, metadata);
  if (!body) return null;
  const set = new Set<string>();
  for (const w of words(body)) set.add(w.length > MAX_LEXEME ? Array.from(w).slice(0, MAX_LEXEME).join('') : w);
  return set.size ? [...set].map((w) => `'${w}'`).join(' ') : null;
}

/** The tsquery literal of the terms (every word; the last piece of a `word*` as a prefix), or null if none is left. */
export function searchQuery(terms: SearchParams['terms']): string | null {
  const parts: string[] = [];
  for (const t of terms) {
    const pieces = words(t.word);
    pieces.forEach((w, i) => parts.push(`'${w}'${t.prefix && i === pieces.length - 1 ? ':*' : ''}`));
  }
  return parts.length ? parts.join(' & ') : null;
}

export async function teamSearch(pool: pg.Pool, p: SearchParams): Promise<SearchPage> {
  const query = searchQuery(p.terms);
  if (!query) return { results: [], next_cursor: null };
  // The scan and the filters' columns in one query: the scanned ids looked up again with
  // `id = ANY(…)` were a sequential scan of every partition (60-90 ms on 100k events).
  const scanned = (
    await pool.query<{ id: number; session_id: string; event_type: string; created_at: number; agent_type: string; project: string | null; person: string }>(
      `SELECT id, session_id, event_type, created_at, agent_type, project, person FROM am_events
       WHERE search_terms @@ $1::tsquery AND id < $2 ORDER BY id DESC LIMIT $3`,
      [query, p.before_id ?? Number.MAX_SAFE_INTEGER, SEARCH_SCAN],
    )
  ).rows;
  if (!scanned.length) return { results: [], next_cursor: null };
  const among = (values: string[] | undefined, v: string | null) => !values?.length || (v !== null && values.includes(v));
  const rows = scanned.filter(
    (r) => among(p.agent_type, r.agent_type) && among(p.project, r.project) && among(p.person, r.person) && (p.since == null || r.created_at >= p.since) && (p.until == null || r.created_at <= p.until),
  );
  const hits = new SearchHits(p, scanned.map((r) => r.id));
  for (let i = 0; i < rows.length; i += METADATA_CHUNK) {
    const chunk = rows.slice(i, i + METADATA_CHUNK);
    const metadata = new Map(
      (await pool.query<{ id: number; metadata: string | null }>('SELECT id, metadata FROM am_events WHERE id = ANY($1)', [chunk.map((r) => r.id)])).rows.map((r) => [r.id, r.metadata]),
    );
    for (const r of chunk) if (!hits.offer(r.id, r.session_id, r.event_type, r.created_at, () => metadata.get(r.id) ?? null)) return hits.page();
  }
  return hits.page();
}

/**
 * Index the events stored before migration 4 (which set `am_meta.search_backfill_to` to the
 * largest id then), newest first, one transaction per chunk that also moves the mark (the mark's
 * row lock serializes servers that start together), so an interrupted backfill resumes. Stops
 * when `stopped()` says the store is closing.
 */
export async function backfillSearch(pool: pg.Pool, stopped: () => boolean): Promise<number> {
  let indexed = 0;
  while (!stopped()) {
    // The chunk's count, or null when nothing is left to index.
    const chunk = await inTransaction(pool, async (c) => {
      const to = Number((await c.query<{ value: string }>("SELECT value FROM am_meta WHERE key = 'search_backfill_to' FOR UPDATE")).rows[0]?.value ?? 0);
      if (!(to > 0)) return null;
      const from = Math.max(0, to - BACKFILL_CHUNK);
      const ids: number[] = [];
      const lexemes: string[] = [];
      for (const r of (
        await c.query<{ id: number; event_type: string; metadata: string | null }>(
          'SELECT id, event_type, metadata FROM am_events WHERE id > $1 AND id <= $2 AND event_type = ANY($3) AND search_terms IS NULL',
          [from, to, SEARCHABLE_TYPES],
        )
      ).rows) {
        const l = searchLexemes(r.event_type, r.metadata);
        if (!l) continue;
        ids.push(r.id);
        lexemes.push(l);
      }
      if (ids.length) await c.query('UPDATE am_events e SET search_terms = x.t::tsvector FROM unnest($1::bigint[], $2::text[]) AS x(id, t) WHERE e.id = x.id', [ids, lexemes]);
      await c.query("UPDATE am_meta SET value = $1 WHERE key = 'search_backfill_to'", [String(from)]);
      return ids.length;
    });
    if (chunk === null) break;
    indexed += chunk;
  }
  return indexed;
}
