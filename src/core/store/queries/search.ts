/**
 * `GET /api/search`: the FTS4 index (`store/searchIndex.ts`) gives candidate event ids, newest
 * first; each is joined with its event for the filters and checked against its own text, which
 * also gives the snippet. Work per request is bounded: at most `SCAN` index matches are examined.
 */
import type { SearchHit, SearchPage } from '../../contracts/api';
import type { SqlDb } from '../sqlDb';
import { matchesTerms, matchExpression, SEARCH_TABLE, searchKind, searchText, snippetAround } from '../searchIndex';
import { encodeCursor } from './cursor';

export const SEARCH_CURSOR = 'search';
/** Index matches examined per request. */
export const SEARCH_SCAN = 2000;

export interface SearchParams {
  terms: { word: string; prefix: boolean }[];
  agent_type?: string[];
  project?: string[];
  since?: number | null;
  until?: number | null;
  /** Whose events (a team server's `person=`; a local server refuses it). */
  person?: string[];
  /** From the cursor: only events with a smaller id. */
  before_id?: number | null;
  limit: number;
}

export const queries = {
  search(db: SqlDb, p: SearchParams): SearchPage {
    if (!p.terms.length) return { results: [], next_cursor: null };
    const before = p.before_id ?? Number.MAX_SAFE_INTEGER;
    const ids: number[] = [];
    db.each(`SELECT docid FROM ${SEARCH_TABLE} WHERE ${SEARCH_TABLE} MATCH ? AND docid < ? ORDER BY docid DESC LIMIT ?`, [matchExpression(p.terms), before, SEARCH_SCAN], (r) => {
      ids.push(r[0] as number);
    });
    if (!ids.length) return { results: [], next_cursor: null };
    const clauses = ['e.id IN (SELECT value FROM json_each(?))'];
    const params: (string | number)[] = [JSON.stringify(ids)];
    const where = (clause: string, value: string | number) => {
      clauses.push(clause);
      params.push(value);
    };
    if (p.agent_type?.length) where('e.agent_type IN (SELECT value FROM json_each(?))', JSON.stringify(p.agent_type));
    if (p.project?.length) where('e.project IN (SELECT value FROM json_each(?))', JSON.stringify(p.project));
    if (p.since != null) where('e.created_at >= ?', p.since);
    if (p.until != null) where('e.created_at <= ?', p.until);
    const rows: [number, string, string, number, number | null, number | null][] = [];
    db.each(`SELECT e.id, e.session_id, e.event_type, e.created_at, e.payload_off, e.payload_len FROM events e WHERE ${clauses.join(' AND ')} ORDER BY e.id DESC`, params, (r) => {
      rows.push(r as [number, string, string, number, number | null, number | null]);
    });
    const hits = new SearchHits(p, ids);
    for (const [id, session_id, type, created_at, off, len] of rows) {
      if (!hits.offer(id, session_id, type, created_at, () => db.payloads.read(off, len, id))) break;
    }
    return hits.page();
  },
};

export const writeQueries = {} as const;

/**
 * One page of hits from the filtered candidates (newest first) of one scan of the index (`scanned`,
 * at most `SEARCH_SCAN` ids): each checked against its own text (`matchesTerms`), which gives the
 * snippet; the same snippet of one session and kind counts once. Shared by the local store and the
 * team store (`team/pgSearch.ts`), so both page alike.
 */
export class SearchHits {
  private readonly results: SearchHit[] = [];
  private readonly seen = new Set<string>();
  private readonly limit: number;
  private next: number | null;

  constructor(
    private readonly p: SearchParams,
    scanned: number[],
  ) {
    this.limit = Math.max(1, Math.min(200, Math.floor(p.limit)));
    this.next = scanned.length === SEARCH_SCAN ? scanned[scanned.length - 1] : null;
  }

  /** The next candidate, with its metadata read only if needed; false once the page is full (stop offering). */
  offer(id: number, session_id: string, type: string, created_at: number, metadata: () => string | null): boolean {
    if (this.results.length === this.limit) {
      this.next = this.results[this.limit - 1].event_id;
      return false;
    }
    const kind = searchKind(type);
    const body = kind && searchText(type, metadata());
    const at = body ? matchesTerms(body, this.p.terms) : null;
    if (!kind || !body || !at) return true;
    const snippet = snippetAround(body, Math.min(...at));
    // The same reply seen by two channels (a hook and the transcript) is one hit.
    const key = `${session_id}\u0000${kind}\u0000${snippet}`;
    if (this.seen.has(key)) return true;
    this.seen.add(key);
    this.results.push({ session_id, event_id: id, at: new Date(created_at).toISOString(), kind, snippet });
    return true;
  }

  page(): SearchPage {
    return { results: this.results, next_cursor: this.next === null ? null : encodeCursor(SEARCH_CURSOR, [this.next]) };
  }
}
