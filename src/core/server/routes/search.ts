/**
 * `GET /api/search?q=…` (SearchPage in contracts/api.ts): prompts, assistant text, tool inputs and
 * file paths matching every word of `q`, newest stored first, optionally narrowed by `agent_type`,
 * `project` (lists), `since`, `until` (as `/api/events`), `person` (a team server only), paged by `cursor`, at most `limit` (1–200,
 * default 50) hits a page. A bad parameter is a 400 naming it.
 */
import type { Router } from 'express';
import type { StoreClient } from '../../store/storeClient';
import { apiGet } from './apiGet';
import { decodeCursor } from '../../store/queries/cursor';
import { SEARCH_CURSOR } from '../../store/queries/search';
import { queryTerms } from '../../store/searchIndex';
import { int, list, QueryParamError, single, timeRange, timeZone, type Query } from '../queryParams';

/** Longest accepted `q`. */
export const MAX_SEARCH_QUERY = 200;

/** Over the local store, or a team server's reader (`team/pgRead.ts`), which knows each event's person. */
export function register(router: Router, ctx: { store: StoreClient; people?: boolean }): void {
  apiGet(router, '/api/search', async (req, res) => {
    const q = req.query as Query;
    const text = single(q, 'q')?.trim();
    if (!text) throw new QueryParamError('q', 'q is required: the words to search for');
    if (text.length > MAX_SEARCH_QUERY) throw new QueryParamError('q', `q must be at most ${MAX_SEARCH_QUERY} characters`);
    const terms = queryTerms(text);
    if (!terms.length) throw new QueryParamError('q', 'q must contain a word (letters or digits)');
    const person = list(q, 'person');
    if (person && !ctx.people) throw new QueryParamError('person', "person filters need a team server (serve --database-url); this server keeps one machine's events");
    const c = single(q, 'cursor');
    const decoded = c === undefined ? null : decodeCursor(SEARCH_CURSOR, c, 1);
    if (c !== undefined && (!decoded || typeof decoded[0] !== 'number')) {
      throw new QueryParamError('cursor', 'cursor is not valid here (pass next_cursor from the previous page unchanged)');
    }
    const page = await ctx.store.query('search', {
      terms,
      agent_type: list(q, 'agent_type'),
      project: list(q, 'project'),
      ...timeRange(q, timeZone(q)),
      before_id: decoded ? (decoded[0] as number) : null,
      ...(person ? { person } : {}),
      limit: int(q, 'limit', 1, 200, 50),
    });
    res.json(page);
  });
}
